package panes

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/themes"
	"github.com/qmpdash/qmpdash/ui/render"
)

var t0 = time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC)

// sampleVM has something for every pane.
func sampleVM() *model.VMSnapshot {
	return &model.VMSnapshot{
		ID: "unix:/run/qemu/web-01.qmp", Target: "/run/qemu/web-01.qmp", Conn: model.ConnConnected,
		Name: "web-01", Version: "7.2.22", KVM: true, PID: 4242,
		UUID: "6f1c2f3e-1d2b-4c5a-9e8f-0a1b2c3d4e5f", RunState: "running", Running: true,
		RunningSince: t0.Add(-3*time.Hour - 4*time.Minute),
		VCPUs: []model.VCPU{
			{Index: 0, ThreadID: 4250, CPUPercent: 42, HasCPU: true},
			{Index: 1, ThreadID: 4251, CPUPercent: 7.5, HasCPU: true},
		},
		Memory: model.Memory{BaseBytes: 2 << 30, HasBalloon: true, BalloonBytes: 1536 << 20},
		Blocks: []model.BlockDevice{
			{Device: "drive0", NodeName: "disk0", File: "/var/lib/vm/web-01.qcow2", Format: "qcow2", SizeBytes: 20 << 30,
				Inserted: true, IOStatus: "ok"},
			{Device: "cd0", QDev: "cdrom0", Removable: true, IOStatus: "ok"},
		},
		Jobs: []model.BlockJob{{Device: "drive0", Type: "backup", Status: "running", Len: 20 << 30, Offset: 9 << 30,
			Progress: model.JobProgress{Fraction: 0.45, Rate: 64 << 20, ETA: 3 * time.Minute, ETAKnown: true}}},
		Migration: model.Migration{Status: "active", TotalBytes: 4 << 30, TransferredBytes: 3 << 30,
			RemainingBytes: 1 << 30, Progress: 0.75, HasRAM: true, RateBps: 940.5e6 / 8, ETA: 9 * time.Second, ETAKnown: true, ZeroPages: 1000, NormalPages: 786432, NormalBytes: 3 << 30, PageSize: 4096, ExpectedDowntime: 300 * time.Millisecond},
		Chardevs: []model.Chardev{{Label: "serial0", Filename: "pty:/dev/pts/3", FrontendOpen: true},
			{Label: "compat_monitor0", Filename: "unix:/run/qemu/web-01.qmp,server=on"}},
	}
}

func testContext() *render.Context {
	st := themes.NewStyles(themes.Default(), true)
	return &render.Context{Styles: &st, Now: func() time.Time { return t0 }, Loc: time.UTC}
}

// draw is pane id for v at width w, without styling.
func draw(id ID, v *model.VMSnapshot, w int) string {
	return ansi.Strip(strings.Join(Lines(id, testContext(), v, w), "\n"))
}

// mustHaveLines checks that every wanted line is one of got's lines (trailing
// blanks ignored).
func mustHaveLines(t *testing.T, pane, got string, want ...string) {
	t.Helper()
	lines := map[string]bool{}
	for _, l := range strings.Split(got, "\n") {
		lines[strings.TrimRight(l, " ")] = true
	}
	for _, w := range want {
		if !lines[w] {
			t.Errorf("%s lacks the line %q:\n%s", pane, w, got)
		}
	}
}

func TestPanesDrawSampleVM(t *testing.T) {
	for _, c := range []struct {
		id   ID
		want []string
	}{
		{OverviewPane, []string{
			"Name     web-01",
			"State    ▶ running  since 08:56:00 (3h04m)",
			"QEMU     7.2.22",
			"KVM      yes",
			"PID      4242",
			"UUID     6f1c2f3e-1d2b-4c5a-9e8f-0a1b2c3d4e5f",
			"Conn     ● connected",
		}},
		{VCPUsPane, []string{
			"CPU  THREAD   USE                                    HISTORY",
			"  0  4250     █████████████░░░░░░░░░░░░░░░░░   42.0%",
			"  1  4251     ██░░░░░░░░░░░░░░░░░░░░░░░░░░░░    7.5%",
		}},
		{MemoryPane, []string{
			"Base      2.0G",
			"Balloon   actual 1.5G of 2.0G RAM",
		}},
		{BlockPane, []string{
			"▪ drive0 (node disk0, qcow2, 20G, rw)  /var/lib/vm/web-01.qcow2",
			"▪ cd0 (tray closed, empty)",
			"Block jobs",
			"  backup drive0 running ██████████████░░░░░░░░░░░░░░░░  45.0%  64M/s ETA 3m00s",
		}},
		{MigrationPane, []string{
			"Direction    outgoing",
			"Status       active",
			"Copied       ███████████████████████░░░░░░░ 75.0% of RAM",
			"RAM          4.0G total, 1.0G left",
			"On the wire  3.0G (786432 pages whole)",
			"Zero pages   1000 = 3.9M, sent as markers",
			"Speed        112M/s",
			"ETA          ~9s (left ÷ speed)",
			"Downtime     expected 300ms",
		}},
		{ChardevsPane, []string{
			"LABEL           FRONTEND  FILENAME",
			"serial0         open      pty:/dev/pts/3",
			"compat_monitor0 closed    unix:/run/qemu/web-01.qmp,server=on",
		}},
	} {
		mustHaveLines(t, Titles[c.id], draw(c.id, sampleVM(), 90), c.want...)
	}
}

func TestPanesSayWhenThereIsNothing(t *testing.T) {
	empty := &model.VMSnapshot{Name: "bare"}
	for id, want := range map[ID]string{
		VCPUsPane:     "no vCPUs reported",
		BlockPane:     "no block devices",
		MigrationPane: "no migration started",
		ChardevsPane:  "no character devices",
	} {
		mustHaveLines(t, Titles[id], draw(id, empty, 90), want)
	}
	if got := Lines(EventsPane, testContext(), empty, 90); got != nil {
		t.Fatalf("Lines(EventsPane) = %q, want nil", got)
	}
}
