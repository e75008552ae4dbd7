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
