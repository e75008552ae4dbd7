package panes

import (
	"strings"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/model"
)

func TestOverviewUpIsTheProcessStartOrSaysSeenSince(t *testing.T) {
	local := sampleVM()
	local.StartTime = t0.Add(-26 * time.Hour)
	local.SeenSince = t0.Add(-time.Minute)
	mustHaveLines(t, "local VM", draw(OverviewPane, local, 80), "Up       since 10:00:00 (1d02h)")

	tcp := sampleVM()
	tcp.Target, tcp.PID = "tcp:10.0.0.5:4444", 0
	tcp.SeenSince = t0.Add(-90 * time.Second)
	mustHaveLines(t, "TCP VM", draw(OverviewPane, tcp, 80), "Up       seen since 11:58:30 (1m30s)  start unknown")
}

func TestOverviewOfADeadVMShowsNoFiguresOfIt(t *testing.T) {
	dead := sampleVM()
	dead.Conn, dead.Attempt, dead.Stale = model.ConnRetrying, 3, true
	dead.StateAt = t0.Add(-12 * time.Second)
	dead.StartTime = t0.Add(-time.Hour)
	dead.Host = model.Host{} // the model clears them; the pane must not invent any
	got := draw(OverviewPane, dead, 100)
	mustHaveLines(t, "lost VM", got,
		"State    ? running  as of 11:59:48 (12s ago)",
		"Conn     ↻ retry 3")
	if strings.Contains(got, "since 11:00:00") || strings.Contains(got, "Up ") || strings.Contains(got, "Host") {
		t.Fatalf("a dead VM shows its uptime or host figures:\n%s", got)
	}

	quit := sampleVM()
	quit.Conn, quit.Exit, quit.StateAt = model.ConnClosed, "host-qmp-quit", t0.Add(-5*time.Second)
	mustHaveLines(t, "VM that quit", draw(OverviewPane, quit, 100),
		"State    ■ quit  at 11:59:55 (5s ago)",
		"Conn     ○ closed")
}

// TestOverviewWrapsLongValues: a target, UUID or version longer than the
// pane wraps under the value column (at '/' where it can), never cut, and
// OverviewWidth is the width that shows them on one line.
func TestOverviewWrapsLongValues(t *testing.T) {
	v := sampleVM()
	v.Target = "unix:/srv/virtual-machines/production/web-tier/web-01/monitor.qmp"
	got := draw(OverviewPane, v, 40)
	var target []string
	for _, l := range strings.Split(got, "\n") {
		if strings.HasPrefix(l, "Target") || (len(target) > 0 && len(target) < 3 && strings.HasPrefix(l, "         ")) {
			target = append(target, strings.TrimSpace(strings.TrimPrefix(l, "Target")))
		}
	}
	for _, l := range target {
		if len(l) > 40-9 {
			t.Errorf("target line wider than the value column: %q", l)
		}
	}
	if len(target) < 2 || strings.Join(target, "") != v.Target {
		t.Fatalf("target lines %q, want %q wrapped:\n%s", target, v.Target, got)
	}
	w := OverviewWidth(testContext(), v)
	if w != 9+len(v.Target) {
		t.Fatalf("OverviewWidth = %d, want %d", w, 9+len(v.Target))
	}
	mustHaveLines(t, "natural width", draw(OverviewPane, v, w), "Target   "+v.Target)
}

// An ssh:// VM's Overview names its host and the state of the host's one
// connection, the cause when it is down.
func TestOverviewShowsTheSSHHostAndItsState(t *testing.T) {
	v := sampleVM()
	v.RemoteHost = "root@lab1:2222"
	v.RemoteHostConn = model.RemoteHost{Name: "root@lab1:2222", Addr: "10.0.0.7:2222", State: "up"}
	mustHaveLines(t, "remote VM", draw(OverviewPane, v, 100), "SSH      root@lab1:2222 (10.0.0.7:2222)  up")
	v.RemoteHostConn.State = "down"
	v.RemoteHostConn.Error = model.ErrorInfo{Message: "cannot connect to 10.0.0.7:2222: connection refused"}
	mustHaveLines(t, "host down", draw(OverviewPane, v, 120),
		"SSH      root@lab1:2222 (10.0.0.7:2222)  down: cannot connect to 10.0.0.7:2222: connection refused")
	if got := draw(OverviewPane, sampleVM(), 100); strings.Contains(got, "SSH") {
		t.Fatalf("a local VM shows an SSH line:\n%s", got)
	}
}
