package model

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/guest"
	"github.com/qmpdash/qmpdash/internal/qemutest"
	"github.com/qmpdash/qmpdash/qmp"
)

func TestFleetRunStateFollowsEventsNotPolls(t *testing.T) {
	dir := qemutest.Dir(t)
	img := qemutest.Image(t, dir, "d0.qcow2", "32M")
	paused := qemutest.Start(t, qemutest.Options{Name: "paused", Dir: dir, Paused: true})
	running := qemutest.Start(t, qemutest.Options{Name: "running", Dir: dir})
	disk := qemutest.Start(t, qemutest.Options{Name: "disk", Dir: dir, Disks: []string{img}})

	cfg := testConfig()
	cfg.Interval = time.Hour // one poll on connect, then only events
	f := startFleet(t, cfg, paused.Socket, running.Socket, disk.Socket)
	s := waitFor(t, f, 30*time.Second, "three VMs polled once", func(s FleetSnapshot) bool {
		n := 0
		for _, v := range s.VMs {
			if v.Polls == 1 && v.RunState != "" && v.Memory.BaseBytes > 0 && (v.Name != "disk" || len(v.Blocks) == 1) {
				n++
			}
		}
		return n == 3
	})
	if vmBy(s, "paused").RunState != "prelaunch" || vmBy(s, "running").RunState != "running" {
		t.Fatalf("initial states:\n%s", describe(s))
	}
	if d := vmBy(s, "disk"); len(d.Blocks) != 1 || d.Blocks[0].NodeName != "disk0" || d.Blocks[0].Format != "qcow2" || d.PID != disk.PID() {
		t.Fatalf("disk VM: %+v", d)
	}

	// Each change shows through its event, before the next poll.
	id, pid := vmBy(s, "running").ID, vmBy(s, "paused").ID
	s = runUntilState(t, f, s, "running", "stop", "paused")
	if v := vmBy(s, "running"); v.Polls != 1 || v.Running {
		t.Fatalf("state came from a poll, not the STOP event: %+v", v)
	}
	s = runUntilState(t, f, s, "paused", "cont", "running")
	if v := vmBy(s, "paused"); v.Polls != 1 || !v.Running {
		t.Fatalf("state came from a poll, not the RESUME event: %+v", v)
	}
	// Both events are in the merged log, tagged with their VM.
	var names []string
	for _, e := range f.EventsSince(0) {
		if e.Source == id || e.Source == pid {
			names = append(names, e.Name)
		}
	}
	if len(names) != 2 || names[0] != "STOP" || names[1] != "RESUME" {
		t.Fatalf("logged events %v", names)
	}
	// ...and each in its own VM's log, which holds nothing of the others.
	for vmID, want := range map[string]string{id: "STOP", pid: "RESUME"} {
		evs := f.VMEvents(vmID)
		if len(evs) != 1 || evs[0].Name != want || evs[0].Source != vmID {
			t.Fatalf("VMEvents(%s) = %+v, want one %s", vmID, evs, want)
		}
	}
	// The schema arrives on first use, without blocking the caller; until
	// it has, nothing passes the argument check.
	if err := f.ValidateArgs(id, "balloon", json.RawMessage(`{"valu": 100}`)); !errors.Is(err, ErrSchemaPending) {
		t.Fatalf("argument check before the schema arrived: %v, want ErrSchemaPending", err)
	}
	if _, ok := f.CommandArgs(id, "balloon"); ok {
		t.Log("schema already fetched")
	}
	var args []ArgSpec
	waitFor(t, f, 20*time.Second, "schema fetched", func(FleetSnapshot) bool {
		var ok bool
		args, ok = f.CommandArgs(id, "balloon")
		return ok
	})
	if len(args) != 1 || args[0].Name != "value" || args[0].Type != "int" {
		t.Fatalf("balloon args %+v", args)
	}
	if err := f.ValidateArgs(id, "device_del", json.RawMessage(`{"idd": "x"}`)); err == nil {
		t.Fatal("a misspelt argument passed validation")
	}
	if names := f.CommandNames(id); len(names) < 100 {
		t.Fatalf("%d command names", len(names))
	}
	// In-band errors come back classified.
	r := f.Execute(context.Background(), id, "device_del", json.RawMessage(`{"id": "nope"}`))
	if r.Err.Kind != qmp.KindResponse || r.Err.Class != "DeviceNotFound" {
		t.Fatalf("device_del: %+v", r.Err)
	}
}

// runUntilState runs command on the VM named name (in s) and waits until
// that VM's run state is state.
func runUntilState(t *testing.T, f *Fleet, s FleetSnapshot, name, command, state string) FleetSnapshot {
	t.Helper()
	if r := f.Execute(context.Background(), vmBy(s, name).ID, command, nil); !r.Err.IsZero() {
		t.Fatalf("%s: %+v", command, r.Err)
	}
	return waitFor(t, f, 10*time.Second, name+" VM "+state, func(s FleetSnapshot) bool {
		return vmBy(s, name).RunState == state
	})
}

func TestFleetReconnectsWhenQEMUComesBack(t *testing.T) {
	dir := qemutest.Dir(t)
	vm := qemutest.Start(t, qemutest.Options{Name: "phoenix", Dir: dir})
	cfg := testConfig()
	f := startFleet(t, cfg, vm.Socket)
	s := waitFor(t, f, 30*time.Second, "history builds up", func(s FleetSnapshot) bool {
		return len(s.VMs[0].Host.CPUHistory) >= 8
	})
	before := s.VMs[0]

	vm.Kill()
	s = waitFor(t, f, 20*time.Second, "connect error and retrying", func(s FleetSnapshot) bool {
		v := s.VMs[0]
		return v.Conn == ConnRetrying && v.LastError.Kind == qmp.KindConnect && v.Attempt >= 1 && !v.RetryAt.IsZero()
	})

	again := qemutest.Start(t, qemutest.Options{Name: "phoenix", Dir: dir, Socket: vm.Socket})
	s = waitFor(t, f, 30*time.Second, "reconnected to the new QEMU", func(s FleetSnapshot) bool {
		v := s.VMs[0]
		return v.Conn == ConnConnected && v.PID == again.PID()
	})
	after := s.VMs[0]
	if after.PID == before.PID || len(after.Host.CPUHistory) >= len(before.Host.CPUHistory) {
		t.Fatalf("figures did not start over: pid %d->%d, history %d->%d",
			before.PID, after.PID, len(before.Host.CPUHistory), len(after.Host.CPUHistory))
	}
	waitFor(t, f, 20*time.Second, "polling again", func(s FleetSnapshot) bool {
		return s.VMs[0].Polls > before.Polls && s.VMs[0].RunState == "running" && !s.VMs[0].Stale
	})
}

func TestFleetFrozenVMDoesNotDelayOthers(t *testing.T) {
	dir := qemutest.Dir(t)
	frozen := qemutest.Start(t, qemutest.Options{Name: "frozen", Dir: dir})
	a := qemutest.Start(t, qemutest.Options{Name: "a", Dir: dir})
	b := qemutest.Start(t, qemutest.Options{Name: "b", Dir: dir})
	cfg := testConfig()
	cfg.Timeout = 5 * time.Second // the frozen VM's wait; healthy TCG VMs under -race must never reach it
	f := startFleet(t, cfg, frozen.Socket, a.Socket, b.Socket)
	waitFor(t, f, 30*time.Second, "all polled", func(s FleetSnapshot) bool {
		for _, v := range s.VMs {
			if v.Polls < 2 {
				return false
			}
		}
		return true
	})
	if err := frozen.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = frozen.Signal(syscall.SIGCONT) })
	s := waitFor(t, f, 20*time.Second, "frozen VM times out", func(s FleetSnapshot) bool {
		v := vmBy(s, "frozen")
		return v.LastError.Kind == qmp.KindTimeout && v.Stale
	})
	frozenPolls := vmBy(s, "frozen").Polls
	if n := vmBy(s, "frozen").ErrorCounts[qmp.KindTimeout]; n < 1 {
		t.Fatalf("frozen VM: %d timeouts counted", n)
	}
	pa, pb := vmBy(s, "a").Polls, vmBy(s, "b").Polls
	s = waitFor(t, f, 20*time.Second, "the others keep updating", func(s FleetSnapshot) bool {
		return vmBy(s, "a").Polls >= pa+5 && vmBy(s, "b").Polls >= pb+5
	})
	if v := vmBy(s, "frozen"); v.Polls != frozenPolls || v.Conn != ConnConnected {
		t.Fatalf("frozen VM: %+v", v)
	}
	// Thawed, it answers its owed replies and is polled again.
	if err := frozen.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	waitFor(t, f, 20*time.Second, "thawed VM polled again", func(s FleetSnapshot) bool {
		v := vmBy(s, "frozen")
		return v.Polls > frozenPolls && !v.Stale
	})
}

func TestFleetBlockRatesAfterRealIO(t *testing.T) {
	dir := qemutest.Dir(t)
	img := filepath.Join(dir, "io.raw")
	// The guest is a boot sector that reads and writes one sector in a
	// loop through virtio-blk: real device I/O, which blockstats counts.
	if err := guest.WriteIOLoopImage(img, 1<<20); err != nil {
		t.Fatal(err)
	}
	vm := qemutest.Start(t, qemutest.Options{Name: "io", Dir: dir, Extra: []string{
		"-drive", "if=none,id=drive0,format=raw,file=" + img,
		"-device", "virtio-blk-pci,drive=drive0,id=vda"}})
	f := startFleet(t, testConfig(), vm.Socket)
	s := waitFor(t, f, 60*time.Second, "read and write rates", func(s FleetSnapshot) bool {
		v := s.VMs[0]
		// Past the first samples, which hold SeaBIOS's own boot reads.
		return len(v.Blocks) == 1 && v.Blocks[0].Rate.WriteBps > 0 && v.Blocks[0].Rate.ReadBps > 0 &&
			len(v.Blocks[0].ReadHistory) >= 4
	})
	b := s.VMs[0].Blocks[0]
	if b.Label() != "drive0" || b.QDev == "" {
		t.Fatalf("device %+v", b)
	}
	// Every request moves the same 4 KiB, so bytes per op is exact; the
	// guest sleeps between requests, so rates stay far below a disk's.
	const per = guest.BytesPerRequest
	for _, r := range []struct{ bps, iops float64 }{{b.Rate.ReadBps, b.Rate.ReadIOPS}, {b.Rate.WriteBps, b.Rate.WriteIOPS}} {
		if r.iops <= 0 || math.Abs(r.bps/r.iops-per) > 1 || r.bps > 100<<20 {
			t.Fatalf("implausible rate: %.0f B/s over %.1f IOPS", r.bps, r.iops)
		}
	}
	if b.WrOps*per != b.WrBytes || len(b.WriteHistory) == 0 {
		t.Fatalf("counters %+v", b)
	}
}

func TestFleetHostAndVCPUFigures(t *testing.T) {
	dir := qemutest.Dir(t)
	img := filepath.Join(dir, "io.raw")
	if err := guest.WriteIOLoopImage(img, 1<<20); err != nil {
		t.Fatal(err)
	}
	// vCPU 0 runs the I/O loop guest (busy but sleeping between requests);
	// vCPU 1 stays halted in firmware.
	vm := qemutest.Start(t, qemutest.Options{Name: "busy", Dir: dir, Extra: []string{"-smp", "2",
		"-drive", "if=none,id=drive0,format=raw,file=" + img, "-device", "virtio-blk-pci,drive=drive0"}})
	f := startFleet(t, testConfig(), vm.Socket)
	s := waitFor(t, f, 30*time.Second, "per-vCPU figures", func(s FleetSnapshot) bool {
		v := s.VMs[0]
		if len(v.VCPUs) != 2 || !v.Host.Valid {
			return false
		}
		for _, c := range v.VCPUs {
			if !c.HasCPU || len(c.History) < 3 {
				return false
			}
		}
		return v.VCPUs[0].CPUPercent > 0
	})
	v := s.VMs[0]
	// Values are clamped to [0,100], so 0 and 100 are where a wrong
	// measurement would hide: the busy vCPU must be strictly between.
	busy := v.VCPUs[0]
	if busy.CPUPercent <= 0 || busy.CPUPercent >= 100 {
		t.Fatalf("busy vCPU at %.1f%%, want strictly between 0 and 100", busy.CPUPercent)
	}
	for _, c := range v.VCPUs {
		for _, pct := range c.History {
			if pct < 0 || pct > 100 {
				t.Fatalf("vCPU %d: %.1f%% out of [0,100]", c.Index, pct)
			}
		}
	}
	if v.Host.RSSBytes == 0 || v.Host.Threads < 3 || v.Host.CPUPercent < busy.CPUPercent/2 || v.Host.CPUPercent > 200 {
		t.Fatalf("host figures %+v (busy vCPU %.1f%%)", v.Host, busy.CPUPercent)
	}
}

// A watched directory: a socket that appears is added, one removed is marked
// gone, and one that comes back is revived.
func TestFleetWatchesDirectory(t *testing.T) {
	dir := qemutest.Dir(t)
	cfg := testConfig()
	cfg.ScanInterval = 50 * time.Millisecond
	f := NewFleet(cfg)
	spec, err := ParseSpec(dir)
	if err != nil || spec.Kind != SpecDir {
		t.Fatalf("spec %+v %v", spec, err)
	}
	runFleet(t, f)
	if err := f.Watch(t.Context(), []Spec{spec}); err != nil {
		t.Fatal(err)
	}
	vm := qemutest.Start(t, qemutest.Options{Name: "late", Dir: dir})
	waitFor(t, f, 30*time.Second, "socket that appeared is watched", func(s FleetSnapshot) bool {
		return len(s.VMs) == 1 && s.VMs[0].Conn == ConnConnected && s.VMs[0].Name == "late"
	})
	vm.Kill()
	if err := os.Remove(vm.Socket); err != nil {
		t.Fatal(err)
	}
	s := waitFor(t, f, 30*time.Second, "vanished socket marked gone", func(s FleetSnapshot) bool {
		return len(s.VMs) == 1 && s.VMs[0].Conn == ConnGone
	})
	id := s.VMs[0].ID
	// A socket that comes back is revived: the same VM, connected to the
	// new QEMU, not a second row and not left gone.
	vm2 := qemutest.Start(t, qemutest.Options{Name: "late", Dir: dir})
	s = waitFor(t, f, 10*time.Second, "the socket that came back revived and connected", func(s FleetSnapshot) bool {
		return len(s.VMs) == 1 && s.VMs[0].Conn == ConnConnected && s.VMs[0].RunState == "running"
	})
	if v := s.VMs[0]; v.ID != id || v.PID != vm2.PID() || v.Stale {
		t.Fatalf("revived VM %s pid %d stale=%v, want %s pid %d", v.ID, v.PID, v.Stale, id, vm2.PID())
	}
	// The same socket file moved away and back (the same file, so no
	// "replaced socket" kick): revived by the scan alone.
	away := filepath.Join(qemutest.Dir(t), "away.qmp")
	if err := os.Rename(vm2.Socket, away); err != nil {
		t.Fatal(err)
	}
	waitFor(t, f, 10*time.Second, "socket moved away marked gone", func(s FleetSnapshot) bool {
		return len(s.VMs) == 1 && s.VMs[0].Conn == ConnGone
	})
	if err := os.Rename(away, vm2.Socket); err != nil {
		t.Fatal(err)
	}
	waitFor(t, f, 10*time.Second, "socket moved back revived and connected", func(s FleetSnapshot) bool {
		return len(s.VMs) == 1 && s.VMs[0].ID == id && s.VMs[0].Conn == ConnConnected && s.VMs[0].PID == vm2.PID()
	})
	// Expansion for 'qmpdash status DIR' and globs goes through the same code.
	qemutest.Start(t, qemutest.Options{Name: "again", Dir: dir})
	addrs, err := ExpandSpecs([]Spec{mustSpec(t, filepath.Join(dir, "*.qmp"))}, nil)
	if err != nil || len(addrs) != 2 || filepath.Base(addrs[0].Addr) != "again.qmp" || filepath.Base(addrs[1].Addr) != "late.qmp" {
		t.Fatalf("glob expansion %v %v", addrs, err)
	}
}

func mustSpec(t *testing.T, raw string) Spec {
	s, err := ParseSpec(raw)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
