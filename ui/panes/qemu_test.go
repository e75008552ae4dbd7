package panes

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemutest"
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/qmp"
	"github.com/qmpdash/qmpdash/ui/render"
)

// The panes against real QEMU 7.2: what a fleet makes of QEMU's answers,
// drawn. Each wait has a deadline that names what it waits for.

func startFleet(t *testing.T, sockets ...string) *model.Fleet {
	t.Helper()
	f := model.NewFleet(model.Config{Interval: 100 * time.Millisecond, Timeout: 5 * time.Second})
	for _, s := range sockets {
		a, err := qmp.ParseAddress(s)
		if err != nil {
			t.Fatal(err)
		}
		f.Add(a)
	}
	stop := f.Start(t.Context())
	t.Cleanup(func() {
		if err := stop(20 * time.Second); err != nil {
			t.Error(err)
		}
	})
	return f
}

// waitVM waits until cond holds for the VM named name, or fails naming what.
func waitVM(t *testing.T, f *model.Fleet, limit time.Duration, name, what string, cond func(*model.VMSnapshot) bool) model.VMSnapshot {
	t.Helper()
	deadline := time.NewTimer(limit)
	defer deadline.Stop()
	for {
		for _, v := range f.Snapshot().VMs {
			if v.Name == name && cond(&v) {
				return v
			}
		}
		select {
		case <-f.Changed():
		case <-deadline.C:
			var b strings.Builder
			for _, v := range f.Snapshot().VMs {
				fmt.Fprintf(&b, "  %s run=%q mig=%+v mem=%+v jobs=%+v unplugs=%+v\n", v.Name, v.RunState, v.Migration, v.Memory, v.Jobs, v.Unplugs)
			}
			t.Fatalf("timed out after %s waiting for %s: %s\n%s", limit, name, what, b.String())
		}
	}
}

func mustExec(t *testing.T, f *model.Fleet, vmID, cmd, args string) {
	t.Helper()
	if r := f.Execute(context.Background(), vmID, cmd, json.RawMessage(args)); !r.Err.IsZero() {
		t.Fatalf("%s %s: %+v", cmd, args, r.Err)
	}
}

func TestQEMUMigrationBothSides(t *testing.T) {
	dir := qemutest.Dir(t)
	sock := filepath.Join(dir, "mig.sock")
	src := qemutest.Start(t, qemutest.Options{Name: "src", Dir: dir})
	dst := qemutest.Start(t, qemutest.Options{Name: "dst", Dir: dir, Extra: []string{"-incoming", "unix:" + sock}})
	f := startFleet(t, src.Socket, dst.Socket)

	d := waitVM(t, f, 30*time.Second, "dst", "the destination waiting on its socket", func(v *model.VMSnapshot) bool {
		return v.RunState == "inmigrate" && v.Migration.Incoming && v.Migration.Listening == "unix:"+sock
	})
	mustHaveLines(t, "destination waiting", draw(MigrationPane, &d, 100), "Direction    incoming",
		"Status       waiting on unix:"+sock)
	s := waitVM(t, f, 30*time.Second, "src", "the source polled", func(v *model.VMSnapshot) bool { return v.Polls > 0 })
	mustHaveLines(t, "source before", draw(MigrationPane, &s, 100), "no migration started")

	// Slow enough (about 150 KB/s of a ~640 KB stream) that polls see it move.
	mustExec(t, f, s.ID, "migrate-set-parameters", `{"max-bandwidth": 150000}`)
	mustExec(t, f, s.ID, "migrate", `{"uri": "unix:`+sock+`"}`)
	s = waitVM(t, f, 30*time.Second, "src", "an active migration with a rate and an ETA", func(v *model.VMSnapshot) bool {
		return v.Migration.Status == "active" && v.Migration.HasRAM && v.Migration.RateBps > 0 && v.Migration.ETAKnown
	})
	got := draw(MigrationPane, &s, 100)
	mustHaveLines(t, "source active", got, "Direction    outgoing → unix:"+sock+"  (to dst)", "Status       active")
	if !strings.Contains(got, "ETA          ~") || !strings.Contains(got, "/s") || strings.Contains(got, "Mbps") {
		t.Fatalf("source pane lacks an ETA or a B/s speed:\n%s", got)
	}
	d = waitVM(t, f, 30*time.Second, "dst", "the destination active or done", func(v *model.VMSnapshot) bool {
		return v.Migration.Status == "active" || v.Migration.Status == "completed"
	})

	s = waitVM(t, f, 60*time.Second, "src", "the source completed", func(v *model.VMSnapshot) bool {
		return v.Migration.Status == "completed" && v.RunState == "postmigrate"
	})
	m := s.Migration
	if m.Incoming || m.RemainingBytes != 0 || m.ZeroPages == 0 || m.TransferredBytes >= m.TotalBytes || m.ETAKnown {
		t.Fatalf("source figures after completion: %+v", m)
	}
	got = draw(MigrationPane, &s, 100)
	mustHaveLines(t, "source completed", got, "Status       completed",
		fmt.Sprintf("Zero pages   %d = %s, sent as markers", m.ZeroPages, render.Bytes(m.ZeroPages*m.PageSize)))
	if strings.Contains(got, "ETA") {
		t.Fatalf("a finished migration has an ETA:\n%s", got)
	}
	d = waitVM(t, f, 30*time.Second, "dst", "the destination completed and running", func(v *model.VMSnapshot) bool {
		return v.Migration.Status == "completed" && v.RunState == "running"
	})
	if !d.Migration.Incoming || d.Migration.HasRAM || d.Migration.Peer != "src" {
		t.Fatalf("destination after completion: %+v", d.Migration)
	}
	got = draw(MigrationPane, &d, 100)
	mustHaveLines(t, "destination completed", got, "Direction    incoming ← src", "Status       completed",
		"RAM          no figures: QEMU reports them on the sending side")
	if strings.Contains(got, "%") || strings.Contains(got, "0B of 0B") {
		t.Fatalf("destination shows figures QEMU did not give:\n%s", got)
	}
}

func TestQEMUZeroLengthMirrorReadsRight(t *testing.T) {
	dir := qemutest.Dir(t)
	empty := filepath.Join(dir, "empty.raw")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	vm := qemutest.Start(t, qemutest.Options{Name: "job", Dir: dir, Extra: []string{
		"-blockdev", "driver=file,filename=" + empty + ",node-name=f0",
		"-blockdev", "driver=raw,file=f0,node-name=z0",
	}})
	f := startFleet(t, vm.Socket)
	v := waitVM(t, f, 30*time.Second, "job", "the VM polled", func(v *model.VMSnapshot) bool { return v.Polls > 0 })
	mustExec(t, f, v.ID, "blockdev-add", `{"driver": "null-co", "node-name": "t0", "size": 0}`)
	mustExec(t, f, v.ID, "blockdev-mirror", `{"job-id": "m0", "device": "z0", "target": "t0", "sync": "full"}`)
	v = waitVM(t, f, 30*time.Second, "job", "mirror m0 ready with len 0", func(v *model.VMSnapshot) bool {
		return len(v.Jobs) == 1 && v.Jobs[0].Ready && v.Jobs[0].Len == 0 && v.Jobs[0].Type == "mirror"
	})
	got := draw(BlockPane, &v, 100)
	mustHaveLines(t, "zero-length mirror", got, "  mirror m0 ready — 0B to copy")
	if strings.Contains(got, " 0.0%") {
		t.Fatalf("zero-length job shows a fraction:\n%s", got)
	}
	mustExec(t, f, v.ID, "job-complete", `{"id": "m0"}`)
	waitVM(t, f, 30*time.Second, "job", "mirror m0 gone after job-complete", func(v *model.VMSnapshot) bool { return len(v.Jobs) == 0 })
}

func TestQEMUBalloonTargetAboveRAM(t *testing.T) {
	vm := qemutest.Start(t, qemutest.Options{Name: "bal", Extra: []string{"-device", "virtio-balloon-pci,id=balloon0"}})
	f := startFleet(t, vm.Socket)
	v := waitVM(t, f, 30*time.Second, "bal", "the balloon's actual size", func(v *model.VMSnapshot) bool {
		return v.Memory.HasBalloon && v.Memory.BalloonBytes == 64<<20 && v.Memory.BaseBytes == 64<<20
	})
	if !v.Memory.Requested.IsZero() {
		t.Fatalf("a target before any was asked: %+v", v.Memory)
	}
	mustHaveLines(t, "no request", draw(MemoryPane, &v, 100), "Balloon   actual 64M of 64M RAM")
	mustExec(t, f, v.ID, "balloon", `{"value": 1073741824}`)
	v = waitVM(t, f, 10*time.Second, "bal", "the request recorded, capped at RAM", func(v *model.VMSnapshot) bool {
		return v.Memory.Requested.Asked == 1<<30
	})
	if v.Memory.Requested.Target != 64<<20 || v.Memory.BalloonBytes != 64<<20 {
		t.Fatalf("request %+v", v.Memory)
	}
	got := draw(MemoryPane, &v, 100)
	if !strings.Contains(got, "Requested 64M (asked 1.0G; QEMU caps it at RAM)") || strings.Contains(got, "%") {
		t.Fatalf("memory pane:\n%s", got)
	}
	// Below RAM with no guest driver: the request stands, actual stays.
	mustExec(t, f, v.ID, "balloon", `{"value": 33554432}`)
	v = waitVM(t, f, 10*time.Second, "bal", "the second request", func(v *model.VMSnapshot) bool {
		return v.Memory.Requested.Target == 32<<20
	})
	mustHaveLines(t, "not reached", draw(MemoryPane, &v, 100), "          not reached: the guest's balloon driver moves actual")
	got = draw(MemoryPane, &v, 100)
	if !strings.Contains(got, "Requested 32M") || !strings.Contains(got, "actual 64M") {
		t.Fatalf("memory pane:\n%s", got)
	}
}

func TestQEMUDeviceDelStaysRequested(t *testing.T) {
	vm := qemutest.Start(t, qemutest.Options{Name: "plug", Extra: []string{"-device", "pcie-root-port,id=rp1,chassis=1"}})
	f := startFleet(t, vm.Socket)
	v := waitVM(t, f, 30*time.Second, "plug", "the root port among the devices", func(v *model.VMSnapshot) bool {
		return slices.ContainsFunc(v.Devices, func(d model.Device) bool { return d.ID == "rp1" && d.Type == "pcie-root-port" })
	})
	mustExec(t, f, v.ID, "device_add", `{"driver": "virtio-net-pci", "id": "net1", "bus": "rp1"}`)
	waitVM(t, f, 10*time.Second, "plug", "net1 among the devices after device_add", func(v *model.VMSnapshot) bool {
		return slices.ContainsFunc(v.Devices, func(d model.Device) bool { return d.ID == "net1" })
	})
	mustExec(t, f, v.ID, "device_del", `{"id": "net1"}`)
	v = waitVM(t, f, 10*time.Second, "plug", "net1's removal requested", func(v *model.VMSnapshot) bool {
		return len(v.Unplugs) == 1 && v.Unplugs[0].ID == "net1"
	})
	// No guest OS: the guest never releases the device, so no
	// DEVICE_DELETED comes and the request must stay a request. Ten more
	// polls, each a round trip on the stream QEMU's events share, so any
	// DEVICE_DELETED it sent before them has been read.
	polls := v.Polls
	v = waitVM(t, f, 30*time.Second, "plug", "ten more polls after the request", func(v *model.VMSnapshot) bool {
		return v.Polls >= polls+10
	})
	if len(v.Unplugs) != 1 || !v.Unplugs[0].Pending() {
		t.Fatalf("net1's removal not pending ten polls on: %+v", v.Unplugs)
	}
	if !slices.ContainsFunc(v.Devices, func(d model.Device) bool { return d.ID == "net1" }) {
		t.Fatalf("net1 gone from QOM without DEVICE_DELETED: %+v", v.Devices)
	}
	got := draw(OverviewPane, &v, 160)
	if !strings.Contains(got, "net1 requested") || strings.Contains(got, "deleted") {
		t.Fatalf("overview:\n%s", got)
	}
	// A device_del QEMU refuses leaves no request behind.
	if r := f.Execute(context.Background(), v.ID, "device_del", json.RawMessage(`{"id": "nope"}`)); r.Err.IsZero() {
		t.Fatal("device_del of a missing device succeeded")
	}
	v = waitVM(t, f, 10*time.Second, "plug", "only net1 pending", func(v *model.VMSnapshot) bool { return len(v.Unplugs) == 1 })
}

// A real qemu-storage-daemon with a node, an export and a running job, as
// the panes draw it: its kind, its nodes, export and job, and no error
// (it is never asked for what it does not have).
func TestStoragePanesAgainstARealDaemon(t *testing.T) {
	sd := qemutest.StartStorageDaemon(t, qemutest.StorageOptions{Name: "store"})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := qmp.Dial(ctx, sd.Socket)
	if err != nil {
		t.Fatalf("dial the storage daemon: %v", err)
	}
	for _, cmd := range qemutest.StorageJob {
		if err := c.Execute(ctx, cmd[0], json.RawMessage(cmd[1]), nil); err != nil {
			t.Fatalf("%s: %v", cmd[0], err)
		}
	}
	c.Close()

	f := startFleet(t, sd.Socket)
	v := waitVM(t, f, 20*time.Second, "store", "three polls with the job", func(v *model.VMSnapshot) bool {
		return v.Polls >= 3 && len(v.Jobs) == 1 && len(v.Exports) == 1
	})
	block := draw(BlockPane, &v, 120)
	for _, want := range []string{"▪ null0 (null-co, 1.0G, rw)", "exp0 nbd → ", "backup job0 running", "not counted"} {
		if !strings.Contains(block, want) {
			t.Errorf("Block pane lacks %q:\n%s", want, block)
		}
	}
	ov := draw(OverviewPane, &v, 120)
	if !strings.Contains(ov, "◇ storage-daemon") || strings.Contains(ov, "Error") || strings.Contains(ov, "KVM") {
		t.Errorf("Overview:\n%s", ov)
	}
	if got := draw(VCPUsPane, &v, 80); !strings.Contains(got, "no vCPUs") {
		t.Errorf("vCPUs pane: %s", got)
	}
}
