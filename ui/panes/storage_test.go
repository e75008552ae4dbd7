package panes

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/qmpdash/qmpdash/model"
)

func sampleDaemon() *model.VMSnapshot {
	return &model.VMSnapshot{
		ID: "unix:/run/qemu/store.qmp", Target: "/run/qemu/store.qmp", Conn: model.ConnConnected,
		Kind: model.ServerStorageDaemon, Name: "store", Version: "7.2.22", PID: 5151,
		RunState: model.StorageDaemonState, Running: true, StateAt: t0,
		Nodes: []model.BlockNode{
			{NodeName: "null0", Driver: "null-co", SizeBytes: 1 << 30, File: "null-co://"},
			{NodeName: "base", Driver: "qcow2", SizeBytes: 8 << 30, ReadOnly: true, File: "/srv/base.qcow2"},
		},
		Exports: []model.BlockExport{{ID: "exp0", Type: "nbd", NodeName: "null0"}},
		Jobs: []model.BlockJob{{Device: "job0", Type: "backup", Status: "running", Len: 1 << 30, Offset: 256 << 20,
			Progress: model.JobProgress{Fraction: 0.25, Rate: 1 << 20, ETA: 768 * time.Second, ETAKnown: true}}},
	}
}

func TestStoragePaneShowsNodesExportsAndJobs(t *testing.T) {
	got := draw(BlockPane, sampleDaemon(), 100)
	mustHaveLines(t, "storage", got,
		"Nodes",
		"▪ null0 (null-co, 1.0G, rw)  null-co://",
		"▪ base (qcow2, 8.0G, ro)  /srv/base.qcow2",
		"  I/O rates — not counted: query-blockstats reports no counters for these nodes",
		"Exports",
		"  exp0 nbd → null0",
		"Jobs")
	if !strings.Contains(got, "backup job0 running") || !strings.Contains(got, "25.0%") || !strings.Contains(got, "ETA 12m48s") {
		t.Fatalf("job line missing:\n%s", got)
	}
	if strings.Contains(got, "0B/s") {
		t.Fatalf("a rate QEMU does not count is shown as zero:\n%s", got)
	}

	counted := sampleDaemon()
	counted.Nodes[0].Counted = true
	counted.Nodes[0].Rate = model.BlockRate{ReadBps: 2 << 20}
	got = draw(BlockPane, counted, 100)
	mustHaveLines(t, "counted node", got, "   R    2.0M/s     0 IOPS  W      0B/s     0 IOPS", "   I/O — not counted")
	if strings.Contains(got, "query-blockstats") {
		t.Fatalf("counted node:\n%s", got)
	}

	empty := sampleDaemon()
	empty.Nodes, empty.Exports, empty.Jobs = nil, nil, nil
	mustHaveLines(t, "empty daemon", draw(BlockPane, empty, 80), "  no block nodes", "  no exports", "  no jobs")

	lost := sampleDaemon()
	lost.Conn, lost.StateAt = model.ConnRetrying, t0.Add(-12*time.Second)
	// The one note a lost daemon's pane opens with is StaleNote's (the root
	// puts it first, as for every pane); the pane adds none of its own.
	if got := draw(BlockPane, lost, 80); strings.Contains(got, "not connected") {
		t.Fatalf("the pane adds its own note:\n%s", got)
	}
	mustHaveLines(t, "lost daemon's note", ansi.Strip(StaleNote(testContext(), lost)),
		"✕ not connected: last known, as of 11:59:48 (12s ago)")
}

func TestStorageDaemonPanesSayWhatDoesNotApply(t *testing.T) {
	d := sampleDaemon()
	mustHaveLines(t, "vCPUs", draw(VCPUsPane, d, 80), "— a storage daemon has no vCPUs")
	mustHaveLines(t, "memory", draw(MemoryPane, d, 80), "— a storage daemon has no guest memory")
	mustHaveLines(t, "migration", draw(MigrationPane, d, 80), "— a storage daemon has no migration")
	ov := draw(OverviewPane, d, 100)
	mustHaveLines(t, "overview", ov, "State    ◇ storage-daemon", "PID      5151")
	if strings.Contains(ov, "KVM") || strings.Contains(ov, "UUID") {
		t.Fatalf("a storage daemon's overview shows VM facts:\n%s", ov)
	}
}
