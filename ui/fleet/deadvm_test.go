package fleet

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/themes"
	"github.com/qmpdash/qmpdash/ui/render"
)

// A dead VM's row: its last known state marked "?" with its age, and no
// figure of the process that is gone.
func TestFleetRowOfADeadVM(t *testing.T) {
	now := time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC)
	alive := model.VMSnapshot{ID: "unix:/a.qmp", Name: "alive", Conn: model.ConnConnected, RunState: "running",
		VCPUs: []model.VCPU{{Index: 0}}, Memory: model.Memory{BaseBytes: 1 << 30},
		Host: model.Host{Valid: true, CPUPercent: 12, RSSBytes: 300 << 20, Threads: 5}}
	// What the fleet publishes after kill -9: the run state as last
	// confirmed, figures cleared; memory and blocks are last known facts.
	dead := model.VMSnapshot{ID: "unix:/d.qmp", Name: "dead", Conn: model.ConnRetrying, Attempt: 4, Stale: true,
		RunState: "running", StateAt: now.Add(-12 * time.Second), Memory: model.Memory{BaseBytes: 1 << 30},
		Blocks: []model.BlockDevice{{Device: "drive0", Rate: model.BlockRate{ReadBps: 4096}}}}
	quit := model.VMSnapshot{ID: "unix:/q.qmp", Name: "quit", Conn: model.ConnClosed, Exit: "host-qmp-quit",
		RunState: "shutdown", StateAt: now.Add(-3 * time.Minute), Memory: model.Memory{BaseBytes: 1 << 30}}
	m := newModel(t, []model.VMSnapshot{alive, dead, quit})
	st := themes.NewStyles(themes.Default(), true)
	c := &render.Context{Styles: &st, Now: func() time.Time { return now }, Loc: time.UTC}
	for _, w := range []int{160, 80} {
		lines := m.View(c, w, 5, "")
		row := func(name string) string {
			for _, l := range lines {
				if f := strings.Fields(ansi.Strip(l)); len(f) > 1 && (f[0] == name || f[1] == name) {
					return ansi.Strip(l)
				}
			}
			t.Fatalf("no row for %s in:\n%s", name, ansi.Strip(strings.Join(lines, "\n")))
			return ""
		}
		d := row("dead")
		if !strings.Contains(d, "? running 12s") || !strings.Contains(d, "↻ retry 4") {
			t.Errorf("%d cols: dead row %q: want the last known state with its age", w, d)
		}
		for _, figure := range []string{"1.0G", "4.0K", "%"} {
			if strings.Contains(d, figure) {
				t.Errorf("%d cols: dead row %q shows %q, a figure of a process that is gone", w, d, figure)
			}
		}
		if q := row("quit"); !strings.Contains(q, "■ quit") || !strings.Contains(q, "○ closed") || strings.Contains(q, "1.0G") {
			t.Errorf("%d cols: quit row %q", w, q)
		}
		if a := row("alive"); !strings.Contains(a, "▶ running") || !strings.Contains(a, "12.0%") {
			t.Errorf("%d cols: alive row %q", w, a)
		}
	}
}
