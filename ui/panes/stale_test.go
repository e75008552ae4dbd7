package panes

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/qmpdash/qmpdash/model"
)

// A pane whose figures are not true now says so first, with their age;
// block rates of a VM that does not answer are unknown, not zero.
func TestStaleFiguresAreMarked(t *testing.T) {
	c := testContext()
	live := sampleVM()
	live.Blocks[0].Rate = model.BlockRate{ReadBps: 1.5 * (1 << 20), ReadIOPS: 120}
	if note := StaleNote(c, live); note != "" {
		t.Fatalf("live VM marked: %q", note)
	}
	if !strings.Contains(draw(BlockPane, live, 100), "1.5M/s") {
		t.Fatal("live rates not drawn")
	}

	dead := sampleVM()
	dead.Blocks[0].Rate = live.Blocks[0].Rate
	dead.Conn, dead.StateAt = model.ConnRetrying, t0.Add(-42*time.Second)
	note := ansi.Strip(StaleNote(c, dead))
	if note != "✕ not connected: last known, as of 11:59:18 (42s ago)" {
		t.Fatalf("dead VM note %q", note)
	}
	if b := draw(BlockPane, dead, 100); strings.Contains(b, "1.5M/s") || !strings.Contains(b, "R         —     — IOPS") {
		t.Fatalf("a dead VM's block rates:\n%s", b)
	}

	stale := sampleVM()
	stale.Stale, stale.StateAt = true, t0.Add(-5*time.Second)
	if n := ansi.Strip(StaleNote(c, stale)); !strings.HasPrefix(n, "◐ the latest poll failed") || !strings.Contains(n, "(5s ago)") {
		t.Fatalf("stale VM note %q", n)
	}
	ended := sampleVM()
	ended.Conn, ended.Exit, ended.StateAt = model.ConnClosed, "host-qmp-quit", t0.Add(-time.Minute)
	if n := ansi.Strip(StaleNote(c, ended)); !strings.HasPrefix(n, "■ QEMU has ended: last known, as of") {
		t.Fatalf("ended VM note %q", n)
	}
	never := &model.VMSnapshot{Conn: model.ConnConnecting}
	if n := ansi.Strip(StaleNote(c, never)); n != "✕ not connected: nothing known yet" {
		t.Fatalf("never connected note %q", n)
	}
}
