package qmp_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemutest"
	"github.com/qmpdash/qmpdash/qmp"
)

// These tests run against real QEMU 7.2 (Debian's qemu-system-x86).

func ctx(t *testing.T, d time.Duration) context.Context {
	c, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return c
}

// closedWithin fails the test unless ch closes within d; what names it.
func closedWithin(t *testing.T, ch <-chan struct{}, d time.Duration, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(d):
		t.Fatalf("%s: still open after %v", what, d)
	}
}

func dial(t *testing.T, sock string) *qmp.Client {
	t.Helper()
	c, err := qmp.Dial(ctx(t, 10*time.Second), sock)
	if err != nil {
		t.Fatalf("dial %s: %v", sock, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestQEMUNegotiationAndIdentity(t *testing.T) {
	vm := qemutest.Start(t, qemutest.Options{Name: "ident"})
	c := dial(t, vm.Socket)
	if v := c.Version(); v.QEMU.Major < 7 || v.Package == "" {
		t.Fatalf("version %+v", v)
	}
	if !c.OOB() {
		t.Errorf("QEMU offers oob; it was not enabled (caps %v)", c.Capabilities())
	}
	if c.PID() != vm.PID() {
		t.Fatalf("SO_PEERCRED pid %d, QEMU's pid %d", c.PID(), vm.PID())
	}
	for _, target := range []string{vm.Socket, "unix:" + vm.Socket} {
		c.Close()
		c = dial(t, target)
		if c.PID() != vm.PID() {
			t.Fatalf("%s: pid %d", target, c.PID())
		}
	}
}

func TestQEMUTypedQueries(t *testing.T) {
	dir := qemutest.Dir(t)
	img := qemutest.Image(t, dir, "d0.qcow2", "64M")
	vm := qemutest.Start(t, qemutest.Options{Name: "queries", Dir: dir, Disks: []string{img}, Paused: true})
	c := dial(t, vm.Socket)
	cx := ctx(t, 30*time.Second)

	st, err := c.QueryStatus(cx)
	if err != nil || st.Status != "prelaunch" || st.Running {
		t.Fatalf("query-status %+v %v", st, err)
	}
	if name, err := c.QueryName(cx); err != nil || name != "queries" {
		t.Fatalf("query-name %q %v", name, err)
	}
	if v, err := c.QueryVersion(cx); err != nil || v.String() != c.Version().String() {
		t.Fatalf("query-version %v %v", v, err)
	}
	if k, err := c.QueryKVM(cx); err != nil || k.Enabled {
		t.Fatalf("query-kvm %+v %v (tests run with -accel tcg)", k, err)
	}
	if u, err := c.QueryUUID(cx); err != nil || len(u) != 36 {
		t.Fatalf("query-uuid %q %v", u, err)
	}
	cpus, err := c.QueryCPUsFast(cx)
	if err != nil || len(cpus) != 1 || cpus[0].ThreadID <= 0 || cpus[0].Target != "x86_64" {
		t.Fatalf("query-cpus-fast %+v %v", cpus, err)
	}
	if _, err := os.Stat(fmt.Sprintf("/proc/%d/task/%d", vm.PID(), cpus[0].ThreadID)); err != nil {
		t.Fatalf("vCPU thread id is not a thread of QEMU: %v", err)
	}
	blocks, err := c.QueryBlock(cx)
	if err != nil || len(blocks) != 1 || blocks[0].Inserted == nil {
		t.Fatalf("query-block %+v %v", blocks, err)
	}
	if in := blocks[0].Inserted; in.NodeName != "disk0" || in.Image.Format != "qcow2" || in.Image.VirtualSize != 64<<20 || in.File != img {
		t.Fatalf("query-block inserted %+v", in)
	}
	stats, err := c.QueryBlockStats(cx)
	if err != nil || len(stats) != 1 || stats[0].NodeName != "disk0" {
		t.Fatalf("query-blockstats %+v %v", stats, err)
	}
	if jobs, err := c.QueryBlockJobs(cx); err != nil || len(jobs) != 0 {
		t.Fatalf("query-block-jobs %+v %v", jobs, err)
	}
	if jobs, err := c.QueryJobs(cx); err != nil || len(jobs) != 0 {
		t.Fatalf("query-jobs %+v %v", jobs, err)
	}
	if m, err := c.QueryMemorySizeSummary(cx); err != nil || m.BaseMemory != 64<<20 {
		t.Fatalf("query-memory-size-summary %+v %v", m, err)
	}
	if mig, err := c.QueryMigrate(cx); err != nil || mig.Status != "" {
		t.Fatalf("query-migrate %+v %v", mig, err)
	}
	chardevs, err := c.QueryChardev(cx)
	if err != nil || len(chardevs) == 0 {
		t.Fatalf("query-chardev %+v %v", chardevs, err)
	}
	cmds, err := c.QueryCommands(cx)
	if err != nil || len(cmds) < 100 || !contains(cmds, "query-status") {
		t.Fatalf("query-commands: %d names, %v", len(cmds), err)
	}
	// Without -device virtio-balloon there is no balloon: DeviceNotActive.
	if _, err := c.QueryBalloon(cx); !qmp.IsClass(err, qmp.ClassDeviceNotActive) {
		t.Fatalf("query-balloon without a balloon: %v", err)
	}
	out, err := c.HumanMonitorCommand(cx, "info status")
	if err != nil || !strings.Contains(out, "VM status: paused (prelaunch)") {
		t.Fatalf("hmp info status %q %v", out, err)
	}
}

func TestQEMUBalloonQuery(t *testing.T) {
	vm := qemutest.Start(t, qemutest.Options{Name: "balloon", Extra: []string{"-device", "virtio-balloon-pci,id=balloon0"}})
	c := dial(t, vm.Socket)
	b, err := c.QueryBalloon(ctx(t, 10*time.Second))
	if err != nil || b.Actual != 64<<20 {
		t.Fatalf("query-balloon %+v %v", b, err)
	}
}

func TestQEMUQMPSchemaInFull(t *testing.T) {
	vm := qemutest.Start(t, qemutest.Options{Name: "schema"})
	c := dial(t, vm.Socket)
	raw, err := c.ExecuteRaw(ctx(t, 30*time.Second), "query-qmp-schema", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) < 100_000 {
		t.Fatalf("schema is only %d bytes; QEMU 7.2's is ~200 KB", len(raw))
	}
	s, err := c.QueryQMPSchema(ctx(t, 30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(s.Commands()); n < 150 {
		t.Fatalf("schema has %d commands", n)
	}
	args, ok := s.CommandArgs("balloon")
	if !ok || len(args) != 1 || args[0].Name != "value" || args[0].Type != "int" || args[0].Optional {
		t.Fatalf("balloon args %+v", args)
	}
	if err := s.ValidateArgs("balloon", json.RawMessage(`{"value": "big"}`)); err == nil {
		t.Fatal("a string balloon value passed validation")
	}
	if err := s.ValidateArgs("balloon", json.RawMessage(`{"value": 1073741824}`)); err != nil {
		t.Fatal(err)
	}
}

func TestQEMUStopContEvents(t *testing.T) {
	vm := qemutest.Start(t, qemutest.Options{Name: "stopcont"})
	c := dial(t, vm.Socket)
	sub := c.Subscribe(16, "STOP", "RESUME")
	cx := ctx(t, 20*time.Second)
	if err := c.Stop(cx); err != nil {
		t.Fatal(err)
	}
	ev, err := sub.Next(cx)
	if err != nil || ev.Name != "STOP" {
		t.Fatalf("after stop: %+v %v", ev, err)
	}
	if d := time.Since(ev.Time); d < -time.Minute || d > time.Minute {
		t.Fatalf("event timestamp %v is not now", ev.Time)
	}
	if st, _ := c.QueryStatus(cx); st.Status != "paused" {
		t.Fatalf("status after stop %+v", st)
	}
	if err := c.Cont(cx); err != nil {
		t.Fatal(err)
	}
	if ev, err := sub.Next(cx); err != nil || ev.Name != "RESUME" {
		t.Fatalf("after cont: %+v %v", ev, err)
	}
	if st, _ := c.QueryStatus(cx); st.Status != "running" || !st.Running {
		t.Fatalf("status after cont %+v", st)
	}
}

func TestQEMUInBandErrorClasses(t *testing.T) {
	vm := qemutest.Start(t, qemutest.Options{Name: "errors"})
	c := dial(t, vm.Socket)
	cx := ctx(t, 20*time.Second)
	cases := []struct {
		class string
		run   func() error
	}{
		{qmp.ClassCommandNotFound, func() error { return c.Execute(cx, "no-such-command", nil, nil) }},
		{qmp.ClassGenericError, func() error { return c.Execute(cx, "query-status", map[string]int{"bogus": 1}, nil) }},
		{qmp.ClassGenericError, func() error { _, err := c.ExecuteRaw(cx, "balloon", nil); return err }},
		{qmp.ClassDeviceNotFound, func() error { return c.DeviceDel(cx, "nope") }},
		{qmp.ClassDeviceNotActive, func() error { return c.Balloon(cx, 32<<20) }},
	}
	for _, tc := range cases {
		err := tc.run()
		var re *qmp.ResponseError
		if !errors.As(err, &re) || re.Class != tc.class || re.Desc == "" {
			t.Errorf("want %s, got %v", tc.class, err)
		}
		if k, cls, _ := qmp.Classify(err); k != qmp.KindResponse || cls != tc.class {
			t.Errorf("Classify: %s %s", k, cls)
		}
	}
	// After all of that the connection is fine.
	if _, err := c.QueryStatus(cx); err != nil {
		t.Fatal(err)
	}
}

func TestQEMUSecondClientGetsNoGreeting(t *testing.T) {
	vm := qemutest.Start(t, qemutest.Options{Name: "busy"})
	_ = dial(t, vm.Socket) // holds the monitor
	start := time.Now()
	_, err := qmp.Dial(ctx(t, 30*time.Second), vm.Socket, qmp.WithGreetingTimeout(500*time.Millisecond))
	var ce *qmp.ConnectError
	if !errors.As(err, &ce) || !errors.Is(err, qmp.ErrNoGreeting) {
		t.Fatalf("second client: %v", err)
	}
	// Well under the default, so an ignored option fails the test.
	if d := time.Since(start); d > qmp.DefaultGreetingTimeout/2 {
		t.Fatalf("gave up after %v: the 500 ms greeting timeout was not honoured (default %v)", d, qmp.DefaultGreetingTimeout)
	}
}

func TestQEMUKilledMidCommand(t *testing.T) {
	vm := qemutest.Start(t, qemutest.Options{Name: "killed"})
	c := dial(t, vm.Socket)
	// Freeze QEMU so the commands below stay in flight, then kill it.
	if err := vm.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	const n = 4
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		go func() { errs <- c.Execute(context.Background(), "query-status", nil, nil) }()
	}
	// Kill only once all n are on the wire, so they are cut off mid-command.
	deadline := time.Now().Add(10 * time.Second)
	for c.Pending() < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d commands in flight", c.Pending(), n)
		}
		time.Sleep(time.Millisecond)
	}
	vm.Kill()
	for i := 0; i < n; i++ {
		select {
		case err := <-errs:
			var ce *qmp.ConnectError
			if !errors.As(err, &ce) {
				t.Fatalf("caller got %v, want ConnectError", err)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("a caller was left waiting after QEMU died")
		}
	}
	closedWithin(t, c.Done(), 20*time.Second, "the client after QEMU's death")
}

func TestQEMUManyGoroutinesOneConnection(t *testing.T) {
	vm := qemutest.Start(t, qemutest.Options{Name: "many"})
	c := dial(t, vm.Socket)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 64; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				if _, err := c.QueryStatus(ctx(t, 60*time.Second)); err != nil {
					errs <- err
					return
				}
				var name struct{ Name string }
				if err := c.Execute(ctx(t, 60*time.Second), "query-name", nil, &name); err != nil || name.Name != "many" {
					errs <- fmt.Errorf("query-name %q %v", name.Name, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestQEMUOverTCP(t *testing.T) {
	qemutest.Require(t)
	// Ask the kernel for a free port, then hand it to QEMU.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	qemutest.Start(t, qemutest.Options{Name: "tcp",
		Extra: []string{"-qmp", fmt.Sprintf("tcp:127.0.0.1:%d,server=on,wait=off", port)}})
	target := fmt.Sprintf("tcp:127.0.0.1:%d", port)
	var c *qmp.Client
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err = qmp.Dial(ctx(t, 5*time.Second), target)
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond) // QEMU listens on TCP a moment after the unix socket
	}
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.PID() != 0 {
		t.Errorf("no peer credentials over TCP, got pid %d", c.PID())
	}
	if name, err := c.QueryName(ctx(t, 5*time.Second)); err != nil || name != "tcp" {
		t.Fatalf("query-name over TCP: %q %v", name, err)
	}
}

func TestQEMUControlCommands(t *testing.T) {
	vm := qemutest.Start(t, qemutest.Options{Name: "ctl", Extra: []string{
		"-drive", "if=none,id=cd0,media=cdrom", "-device", "ide-cd,drive=cd0,id=cdrom0",
		"-device", "virtio-balloon-pci,id=balloon0"}})
	c := dial(t, vm.Socket)
	sub := c.Subscribe(32)
	cx := ctx(t, 20*time.Second)
	next := func(name string) qmp.Event {
		t.Helper()
		for {
			ev, err := sub.Next(cx)
			if err != nil {
				t.Fatalf("waiting for %s: %v", name, err)
			}
			if ev.Name == name {
				return ev
			}
		}
	}
	if err := c.SystemReset(cx); err != nil {
		t.Fatal(err)
	}
	if ev := next("RESET"); !strings.Contains(string(ev.Data), "host-qmp-system-reset") {
		t.Fatalf("RESET data %s", ev.Data)
	}
	if err := c.SystemPowerdown(cx); err != nil {
		t.Fatal(err)
	}
	next("POWERDOWN")
	if err := c.Eject(cx, "cdrom0", false); err != nil {
		t.Fatal(err)
	}
	if ev := next("DEVICE_TRAY_MOVED"); !strings.Contains(string(ev.Data), `"tray-open": true`) {
		t.Fatalf("tray event %s", ev.Data)
	}
	if err := c.Balloon(cx, 32<<20); err != nil {
		t.Fatalf("balloon: %v", err)
	}
	// With -display none there is no console: QEMU says so in-band.
	if err := c.Screendump(cx, t.TempDir()+"/s.ppm"); !qmp.IsClass(err, qmp.ClassGenericError) {
		t.Fatalf("screendump: %v", err)
	}
	if err := c.Quit(cx); err != nil {
		t.Fatal(err)
	}
	next("SHUTDOWN")
	closedWithin(t, c.Done(), 10*time.Second, "the connection after quit")
	closedWithin(t, vm.Exited(), 10*time.Second, "QEMU after quit")
}

// A monitor with pretty=on writes every message over many lines; the
// client must read it as well as the one-line form.
func TestQEMUPrettyMonitor(t *testing.T) {
	dir := qemutest.Dir(t)
	pretty := dir + "/pretty.qmp"
	vm := qemutest.Start(t, qemutest.Options{Name: "pretty", Dir: dir, Extra: []string{
		"-chardev", "socket,id=pm,path=" + pretty + ",server=on,wait=off",
		"-mon", "chardev=pm,mode=control,pretty=on"}})
	c := dial(t, pretty)
	if c.PID() != vm.PID() {
		t.Fatalf("pid %d", c.PID())
	}
	sub := c.Subscribe(4, "STOP")
	cx := ctx(t, 20*time.Second)
	cpus, err := c.QueryCPUsFast(cx)
	if err != nil || len(cpus) != 1 {
		t.Fatalf("query-cpus-fast over a pretty monitor: %+v %v", cpus, err)
	}
	if err := c.Stop(cx); err != nil {
		t.Fatal(err)
	}
	if ev, err := sub.Next(cx); err != nil || ev.Name != "STOP" || ev.Time.IsZero() {
		t.Fatalf("event over a pretty monitor: %+v %v", ev, err)
	}
	if _, err := c.QueryQMPSchema(cx); err != nil {
		t.Fatalf("schema over a pretty monitor: %v", err)
	}
}
