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

// A storage daemon's row says what it is, shows its own process's figures
// (CPU, RSS) and "—" for what a daemon does not have (vCPUs, guest memory,
// counted disk I/O).
func TestFleetRowOfAStorageDaemon(t *testing.T) {
	now := time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC)
	sd := model.VMSnapshot{ID: "unix:/s.qmp", Name: "store", Conn: model.ConnConnected, Kind: model.ServerStorageDaemon,
		RunState: model.StorageDaemonState, Running: true, StateAt: now,
		Host:  model.Host{Valid: true, CPUPercent: 3, RSSBytes: 20 << 20, Threads: 4},
		Nodes: []model.BlockNode{{NodeName: "null0", Driver: "null-co", SizeBytes: 1 << 30}}}
	lost := sd
	lost.ID, lost.Name, lost.Conn, lost.Attempt, lost.Stale = "unix:/t.qmp", "gone", model.ConnRetrying, 2, true
	lost.StateAt, lost.Host = now.Add(-12*time.Second), model.Host{}
	vm := model.VMSnapshot{ID: "unix:/v.qmp", Name: "web", Conn: model.ConnConnected, RunState: "running",
		VCPUs: []model.VCPU{{Index: 0}}, Memory: model.Memory{BaseBytes: 1 << 30}}
	m := newModel(t, []model.VMSnapshot{sd, lost, vm})
	st := themes.NewStyles(themes.Default(), true)
	c := &render.Context{Styles: &st, Now: func() time.Time { return now }, Loc: time.UTC}
	for _, w := range []int{160, 80} {
		lines := m.View(c, w, 5, "")
		text := ansi.Strip(strings.Join(lines, "\n"))
		row := func(name string) []string {
			for _, l := range strings.Split(text, "\n") {
				if f := strings.Fields(l); len(f) > 1 && (f[0] == name || f[1] == name) {
					return f
				}
			}
			t.Fatalf("%d cols: no row for %s in:\n%s", w, name, text)
			return nil
		}
		r := strings.Join(row("store"), " ")
		if !strings.Contains(r, "◇ storage-daemon") || !strings.Contains(r, "3.0%") {
			t.Errorf("%d cols: daemon row %q: want its kind and its own CPU", w, r)
		}
		if strings.Contains(r, "1.0G") || strings.Contains(r, "0B/0B") {
			t.Errorf("%d cols: daemon row %q shows a VM's figure", w, r)
		}
		if w == 160 && (!strings.Contains(r, "20M") || strings.Count(r, "—") < 3) {
			t.Errorf("%d cols: daemon row %q: want RSS and — for vCPUs, memory and disk", w, r)
		}
		if g := strings.Join(row("gone"), " "); !strings.Contains(g, "? storage-daemon 12s") {
			t.Errorf("%d cols: lost daemon row %q: want its last known kind with its age", w, g)
		}
	}
}
