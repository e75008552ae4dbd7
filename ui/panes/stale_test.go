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

// A remote VM whose host's /proc batch stopped arriving answers its
// monitor (no StaleNote), but its host figures are last known: Overview
// marks them "?" and says as of when, and so does the vCPU pane, without
// widening Overview's column; current figures carry no mark.
func TestStaleHostFiguresAreMarkedWithTheirAge(t *testing.T) {
	c := testContext()
	v := sampleVM()
	v.RemoteHost = "root@lab1"
	v.VCPUs = []model.VCPU{{Index: 0, ThreadID: 11, CPUPercent: 40, HasCPU: true}}
	v.Host = model.Host{Valid: true, CPUPercent: 12.5, RSSBytes: 300 << 20, Threads: 5, At: t0.Add(-8 * time.Second)}
	fresh := draw(OverviewPane, v, 100)
	mustHaveLines(t, "current host figures", fresh, "Host     CPU 12.5%  RSS 300M  threads 5")
	if strings.Contains(fresh, "stale") || strings.Contains(draw(VCPUsPane, v, 60), "stale") || HostNote(c, v) != "" {
		t.Fatalf("current host figures marked stale:\n%s", fresh)
	}
	wide := OverviewWidth(c, v)

	v.Host.Stale = true
	if StaleNote(c, v) != "" {
		t.Fatal("the monitor answers: the VM is not stale, only its host figures")
	}
	const note = "◐ stale 8s: host /proc read at 11:59:52"
	mustHaveLines(t, "stale host figures", draw(OverviewPane, v, 100),
		"Host     ? CPU 12.5%  RSS 300M  threads 5",
		"         "+note)
	if !strings.Contains(draw(VCPUsPane, v, 80), note) {
		t.Fatalf("vCPU pane of stale host figures:\n%s", draw(VCPUsPane, v, 80))
	}
	if got := OverviewWidth(c, v); got != wide {
		t.Fatalf("Overview widens from %d to %d for the stale note", wide, got)
	}
}
