package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemutest"
	"github.com/qmpdash/qmpdash/qmp"
)

// rowOf returns the screen line of the fleet row naming vm.
func rowOf(screen, vm string) string {
	for _, line := range strings.Split(screen, "\n") {
		if strings.Contains(line, " "+vm+" ") {
			return line
		}
	}
	return ""
}

// The dashboard against three real QEMU VMs, driven through tmux: pause via
// the palette, help, filter, an in-band error's class in the status bar, and
// a VM killed and brought back.
func TestDashboardEndToEndInTmux(t *testing.T) {
	qemutest.Require(t)
	bin := qmpdashBinary(t)
	dir := qemutest.Dir(t)    // the monitors qmpdash watches
	ctlDir := qemutest.Dir(t) // second monitors, for the test's own checks
	start := func(name string) *qemutest.VM {
		return qemutest.Start(t, qemutest.Options{Name: name, Dir: dir,
			Extra: []string{"-qmp", "unix:" + filepath.Join(ctlDir, name) + ",server=on,wait=off"}})
	}
	start("alpha")
	start("beta")
	gamma := start("gamma")

	s := startTmux(t, 120, 40, bin+" --interval 250ms "+dir)
	s.waitScreen("three running VMs", 30*time.Second, func(scr string) bool {
		return strings.Contains(scr, "3 VMs") && strings.Contains(rowOf(scr, "alpha"), "running") &&
			strings.Contains(rowOf(scr, "beta"), "running") && strings.Contains(rowOf(scr, "gamma"), "running")
	})

	// Select beta (rows are sorted by name) and pause it through the palette.
	s.keys("j")
	s.findAction("pause", "Pause VM (stop)")
	s.keys("Enter")
	s.waitText("Pause VM on beta: done", 10*time.Second)
	s.waitScreen("beta shown paused", 10*time.Second, func(scr string) bool {
		return strings.Contains(rowOf(scr, "beta"), "paused") && strings.Contains(rowOf(scr, "alpha"), "running")
	})
	ctl, err := qmp.Dial(context.Background(), filepath.Join(ctlDir, "beta"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := ctl.QueryStatus(context.Background())
	ctl.Close()
	if err != nil || st.Status != "paused" {
		t.Fatalf("QEMU says %+v, %v", st, err)
	}

	// Help opens and closes.
	s.keys("?")
	s.waitText("Run states", 10*time.Second)
	s.keys("Escape")
	s.waitScreen("help closed", 10*time.Second, func(scr string) bool { return !strings.Contains(scr, "Run states") })

	// Filter the fleet.
	s.keys("/")
	s.typeText("gam")
	s.waitScreen("only gamma listed", 10*time.Second, func(scr string) bool {
		return rowOf(scr, "gamma") != "" && rowOf(scr, "alpha") == "" && rowOf(scr, "beta") == ""
	})
	s.keys("Escape")
	s.waitScreen("filter cleared", 10*time.Second, func(scr string) bool {
		return rowOf(scr, "alpha") != "" && rowOf(scr, "beta") != ""
	})

	// An in-band error: device_del of a missing id shows its class.
	s.findAction("delete device", "Delete device (device_del)")
	s.keys("Enter")
	s.typeText("nope")
	s.keys("Enter")
	scr := s.waitScreen("confirmation or result", 10*time.Second, func(scr string) bool {
		return strings.Contains(scr, "y/N") || strings.Contains(scr, "NO-DEVICE")
	})
	if strings.Contains(scr, "y/N") {
		s.keys("y")
	}
	scr = s.waitText("[NO-DEVICE]", 10*time.Second)
	if !strings.Contains(scr, "nope") {
		t.Errorf("status bar does not say which device:\n%s", scr)
	}

	// Kill gamma: a connect error and retrying, then back when QEMU is.
	gamma.Kill()
	s.waitScreen("gamma's connect error", 20*time.Second, func(scr string) bool {
		return strings.Contains(scr, "[CONNECT]") && strings.Contains(rowOf(scr, "gamma"), "retry")
	})
	start("gamma")
	s.waitScreen("gamma reconnected", 30*time.Second, func(scr string) bool {
		row := rowOf(scr, "gamma")
		return strings.Contains(row, "running") && strings.Contains(row, "up")
	})
	s.quit()
}

// The dashboard run with --read-only, driven through tmux against a real
// QEMU: pausing from the palette (the action, then stop typed as a raw
// command) is refused on screen, and QEMU says the VM is still running.
func TestDashboardReadOnlyEndToEndInTmux(t *testing.T) {
	qemutest.Require(t)
	requireTmux(t)
	bin := qmpdashBinary(t)
	dir := qemutest.Dir(t)
	ctl := filepath.Join(qemutest.Dir(t), "ctl.qmp") // the test's own monitor
	vm := qemutest.Start(t, qemutest.Options{Name: "ro", Dir: dir,
		Extra: []string{"-qmp", "unix:" + ctl + ",server=on,wait=off"}})

	s := startTmux(t, 120, 40, bin+" --read-only --interval 250ms "+vm.Socket)
	s.waitScreen("ro running, READ-ONLY badge", 30*time.Second, func(scr string) bool {
		return strings.Contains(rowOf(scr, "ro"), "running") && strings.Contains(scr, "READ-ONLY")
	})

	s.findAction("pause", "Pause VM (stop)  (disabled: read-only mode)")
	s.keys("Enter")
	s.waitText("Pause VM is disabled: read-only mode", 10*time.Second)

	// The same through a raw QMP command.
	s.keys("Escape")
	s.waitScreen("palette closed", 10*time.Second, func(scr string) bool { return !strings.Contains(scr, "Pause VM") })
	s.findAction("qmp command", "QMP command")
	s.keys("Enter")
	s.waitText("qmp:", 10*time.Second)
	s.typeText("stop")
	s.keys("Enter")
	s.waitText("read-only mode: stop is not sent", 10*time.Second)
	s.keys("Escape")

	// A stop that got through would have said "done" instead; ask QEMU too.
	s.waitScreen("palette closed, ro running", 10*time.Second, func(scr string) bool {
		return strings.Contains(rowOf(scr, "ro"), "running") && !strings.Contains(scr, "qmp:")
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := qmp.Dial(ctx, ctl)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if st, err := c.QueryStatus(ctx); err != nil || st.Status != "running" {
		t.Fatalf("QEMU says %+v, %v; the read-only dashboard paused it", st, err)
	}
	if scr := s.screen(); !strings.Contains(rowOf(scr, "ro"), "running") {
		t.Fatalf("ro not shown running:\n%s", scr)
	}
	s.quit()
}
