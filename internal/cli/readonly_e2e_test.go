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

	s := startTmux(t, 120, 40, []string{"XDG_STATE_HOME=" + shortDir(t), "XDG_CONFIG_HOME=" + shortDir(t)},
		bin+" --read-only --interval 250ms "+vm.Socket)
	s.waitScreen("ro running, READ-ONLY badge", 30*time.Second, func(scr string) bool {
		return strings.Contains(rowOf(scr, "ro"), "running") && strings.Contains(scr, "READ-ONLY")
	})

	s.keys(":")
	s.waitText("type to search actions", 10*time.Second)
	s.typeText("pause")
	s.waitText("Pause VM (stop)  (disabled: read-only mode)", 10*time.Second)
	s.keys("Enter")
	s.waitText("Pause VM is disabled: read-only mode", 10*time.Second)

	// The same through a raw QMP command.
	s.keys("Escape")
	s.waitScreen("palette closed", 10*time.Second, func(scr string) bool { return !strings.Contains(scr, "Pause VM") })
	s.keys(":")
	s.waitText("type to search actions", 10*time.Second)
	s.typeText("qmp command")
	s.waitText("QMP command", 10*time.Second)
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
	s.keys("q")
	if code := s.waitExit(20 * time.Second); code != 0 {
		t.Fatalf("exit status %d; screen:\n%s", code, s.screen())
	}
}
