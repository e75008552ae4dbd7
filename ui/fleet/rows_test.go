package fleet

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/themes"
	"github.com/qmpdash/qmpdash/ui/keys"
	"github.com/qmpdash/qmpdash/ui/render"
)

// The rows of VMs in unusual states, at a wide and a narrow width.

// eachWidth draws vms as of now at 160 and at 80 columns, and calls check
// with each width and a lookup of a VM's row (ANSI stripped, its fields
// single-spaced) by the name in its first or second column.
func eachWidth(t *testing.T, vms []model.VMSnapshot, now time.Time, check func(w int, row func(name string) string)) {
	t.Helper()
	m := newModel(t, vms)
	st := themes.NewStyles(themes.Default(), true)
	c := &render.Context{Styles: &st, Now: func() time.Time { return now }, Loc: time.UTC}
	for _, w := range []int{160, 80} {
		text := ansi.Strip(strings.Join(m.View(c, w, 5, ""), "\n"))
		check(w, func(name string) string {
			for _, l := range strings.Split(text, "\n") {
				if f := strings.Fields(l); len(f) > 1 && (f[0] == name || f[1] == name) {
					return strings.Join(f, " ")
				}
			}
			t.Fatalf("%d cols: no row for %s in:\n%s", w, name, text)
			return ""
		})
	}
}

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
	eachWidth(t, []model.VMSnapshot{alive, dead, quit}, now, func(w int, row func(string) string) {
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
	})
}

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
	eachWidth(t, []model.VMSnapshot{sd, lost, vm}, now, func(w int, row func(string) string) {
		r := row("store")
		if !strings.Contains(r, "◇ storage-daemon") || !strings.Contains(r, "3.0%") {
			t.Errorf("%d cols: daemon row %q: want its kind and its own CPU", w, r)
		}
		if strings.Contains(r, "1.0G") || strings.Contains(r, "0B/0B") {
			t.Errorf("%d cols: daemon row %q shows a VM's figure", w, r)
		}
		if w == 160 && (!strings.Contains(r, "20M") || strings.Count(r, "—") < 3) {
			t.Errorf("%d cols: daemon row %q: want RSS and — for vCPUs, memory and disk", w, r)
		}
		if g := row("gone"); !strings.Contains(g, "? storage-daemon 12s") {
			t.Errorf("%d cols: lost daemon row %q: want its last known kind with its age", w, g)
		}
	})
}

// The guest's address is true only while the agent and the monitor
// answer; otherwise it is shown as last known ("?", muted), not as now.
func TestGuestColumnsMarkLastKnown(t *testing.T) {
	km := keys.Default()
	m, err := New(&km, []string{"ip"})
	if err != nil {
		t.Fatal(err)
	}
	vm := model.VMSnapshot{ID: "a", Name: "a", Conn: model.ConnConnected,
		Guest: model.Guest{State: model.GuestOK, Interfaces: []model.GuestInterface{{Addresses: []string{"10.0.0.5/24"}}}, IP: "10.0.0.5"}}
	st := themes.NewStyles(themes.Mono(), true)
	c := &render.Context{Styles: &st, Now: func() time.Time { return time.Time{} }}
	row := func(v model.VMSnapshot) string {
		m.SetVMs([]model.VMSnapshot{v}, []string{"a"})
		return ansi.Strip(m.View(c, 80, 2, "")[1])
	}
	if r := row(vm); !strings.Contains(r, " 10.0.0.5") || strings.Contains(r, "? 10.0.0.5") {
		t.Fatalf("answering agent: %q", r)
	}
	vm.Guest.State = model.GuestNotAnswering
	if r := row(vm); !strings.Contains(r, "? 10.0.0.5") {
		t.Fatalf("silent agent: %q", r)
	}
	vm.Guest.State, vm.Conn = model.GuestOK, model.ConnRetrying
	if r := row(vm); !strings.Contains(r, "? 10.0.0.5") {
		t.Fatalf("VM not answering: %q", r)
	}
}

// A remote VM whose host's /proc batch stopped arriving: its monitor
// answers (the row is up), but its CPU and RSS are last known, marked "?"
// and muted, with their age where the columns have room to grow for it
// (no column is dropped for an age); current figures show plain.
func TestFleetRowMarksStaleHostFigures(t *testing.T) {
	now := time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC)
	fresh := model.VMSnapshot{ID: "ssh://h/f.qmp", Name: "fresh", RemoteHost: "h", Conn: model.ConnConnected, RunState: "running",
		VCPUs: []model.VCPU{{Index: 0}}, Memory: model.Memory{BaseBytes: 1 << 30},
		Host: model.Host{Valid: true, CPUPercent: 7, RSSBytes: 200 << 20, Threads: 5, At: now.Add(-time.Second)}}
	stale := fresh
	stale.ID, stale.Name = "ssh://h/s.qmp", "stuck"
	stale.Host = model.Host{Valid: true, CPUPercent: 12.5, RSSBytes: 300 << 20, Threads: 5, At: now.Add(-8 * time.Second), Stale: true}
	eachWidth(t, []model.VMSnapshot{fresh, stale}, now, func(w int, row func(string) string) {
		s := row("stuck")
		if !strings.Contains(s, "● up") {
			t.Errorf("%d cols: stuck row %q: the monitor answers (and its column stays)", w, s)
		}
		switch w {
		case 160:
			if !strings.Contains(s, "? 12.5% 8s") || !strings.Contains(s, "? 300M 8s") {
				t.Errorf("%d cols: stuck row %q: want CPU and RSS marked last known with their age", w, s)
			}
		default:
			if !strings.Contains(s, "? 12.5%") {
				t.Errorf("%d cols: stuck row %q: want its CPU marked last known", w, s)
			}
		}
		f := row("fresh")
		if !strings.Contains(f, "7.0%") || strings.Contains(f, "?") {
			t.Errorf("%d cols: fresh row %q: want its CPU plain", w, f)
		}
	})
}
