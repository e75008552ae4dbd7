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

	s := startTmux(t, 120, 40, []string{"XDG_STATE_HOME=" + shortDir(t), "XDG_CONFIG_HOME=" + shortDir(t)},
		bin+" --interval 250ms "+dir)
	s.waitScreen("three running VMs", 30*time.Second, func(scr string) bool {
		return strings.Contains(scr, "3 VMs") && strings.Contains(rowOf(scr, "alpha"), "running") &&
			strings.Contains(rowOf(scr, "beta"), "running") && strings.Contains(rowOf(scr, "gamma"), "running")
	})

	// Select beta (rows are sorted by name) and pause it through the palette.
	s.keys("j")
	s.keys(":")
	s.waitText("type to search actions", 10*time.Second)
	s.typeText("pause")
	s.waitText("Pause VM (stop)", 10*time.Second)
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
	s.keys(":")
	s.waitText("type to search actions", 10*time.Second)
	s.typeText("delete device")
	s.waitText("Delete device (device_del)", 10*time.Second)
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
	s.keys("q")
	if code := s.waitExit(20 * time.Second); code != 0 {
		t.Fatalf("exit status %d; screen:\n%s", code, s.screen())
	}
}
