package ui

import (
	"context"
	"strings"
	"testing"

	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/ui/fleet"
)

// rowNames lists the VM names in the fleet table, top to bottom.
func (h *harness) rowNames() []string {
	return h.a.fleet.ShownNames()
}

func (h *harness) selectedName() string {
	v, ok := h.a.selected()
	if !ok {
		return ""
	}
	return v.Name
}

func TestFleetNavigation(t *testing.T) {
	h := demo(t, Options{}, 100, 30)
	if got := strings.Join(h.rowNames(), ","); got != "build-runner,db-primary,legacy,web-01" {
		t.Fatalf("initial order %s", got)
	}
	h.mustSelect("build-runner", "initial selection")
	h.press("down", "j")
	h.mustSelect("legacy", "after two downs")
	h.press("k")
	h.mustSelect("db-primary", "after up")
	h.press("G")
	h.mustSelect("web-01", "after G")
	h.press("down") // stays on the last row
	h.mustSelect("web-01", "moved past the end")
	h.press("g")
	h.mustSelect("build-runner", "after g")
	// The selected row is marked with a glyph, not only a colour.
	h.mustShow("▸ build-runner")
}

func TestFleetSortCyclesAndKeepsSelection(t *testing.T) {
	h := demo(t, Options{}, 100, 30)
	h.press("G") // web-01
	h.press("s") // state
	if got := strings.Join(h.rowNames(), ","); got != "web-01,db-primary,build-runner,legacy" {
		t.Fatalf("state order %s", got)
	}
	// Running first: the state rank rises down the list.
	h.mustShow("sort state↑", "STATE↑")
	h.press("s") // cpu, busiest first
	if got := h.rowNames(); got[0] != "web-01" || got[1] != "db-primary" {
		t.Fatalf("cpu order %v", got)
	}
	h.press("s") // the QEMU process's RSS, largest first
	if got := h.rowNames(); got[0] != "db-primary" || got[1] != "web-01" || got[3] != "legacy" {
		t.Fatalf("rss order %v", got)
	}
	h.mustShow("sort rss↓", "RSS↓")
	h.press("s") // the guest's memory, largest first
	if got := h.rowNames(); got[0] != "db-primary" || got[1] != "build-runner" {
		t.Fatalf("memory order %v", got)
	}
	h.press("s") // i/o
	if got := h.rowNames(); got[0] != "web-01" {
		t.Fatalf("io order %v", got)
	}
	h.press("S") // reversed
	if got := h.rowNames(); got[len(got)-1] != "web-01" {
		t.Fatalf("reversed io order %v", got)
	}
	h.mustSelect("web-01", "selection did not follow the VM through sorts")
	h.press("s") // back to name
	if got := strings.Join(h.rowNames(), ","); got != "web-01,legacy,db-primary,build-runner" {
		t.Fatalf("reversed name order %s", got)
	}
}

func TestFleetFuzzyFilter(t *testing.T) {
	h := demo(t, Options{}, 100, 30)
	h.press("/")
	h.typeText("wb")
	if got := h.rowNames(); len(got) != 1 || got[0] != "web-01" {
		t.Fatalf("filter wb: %v", got)
	}
	h.mustShow("1/4 VMs")
	h.press("enter") // keep the filter, leave the input
	if h.a.fleet.Editing() || h.a.fleet.Filter() != "wb" {
		t.Fatalf("enter should keep filter, got editing=%v filter=%q", h.a.fleet.Editing(), h.a.fleet.Filter())
	}
	h.mustShow("filter /wb")
	// Keys act on the list again: q would quit, j moves.
	h.press("j")
	if h.quit {
		t.Fatal("j quit")
	}
	// Snapshots keep the filter.
	h.src.update(func(s *model.FleetSnapshot) {})
	h.sync()
	if len(h.rowNames()) != 1 {
		t.Fatalf("filter lost on new snapshot: %v", h.rowNames())
	}
	h.press("esc")
	if len(h.rowNames()) != 4 {
		t.Fatalf("esc did not clear the filter: %v", h.rowNames())
	}
	// A filter that matches nothing says so.
	h.press("/")
	h.typeText("zzz")
	h.mustShow("no VM matches the filter")
	if _, ok := h.a.selected(); ok {
		t.Fatal("a VM is selected although none is shown")
	}
	// esc while typing clears and leaves.
	h.press("esc")
	if h.a.fleet.Editing() || len(h.rowNames()) != 4 {
		t.Fatal("esc while typing did not clear the filter")
	}
}

func TestFleetScrollsToSelection(t *testing.T) {
	src := newFakeSource(manyVMs(50)...)
	h := newHarness(t, src, Options{}, 80, 24)
	h.press("G")
	h.mustShow("▸ vm-049")
	h.mustNotShow("vm-000")
	h.press("g")
	h.mustShow("▸ vm-000")
	h.press("pgdown")
	if n := h.selectedName(); n < "vm-015" {
		t.Fatalf("pgdown moved only to %s", n)
	}
}

func TestFleetRowCacheFollowsData(t *testing.T) {
	h := demo(t, Options{}, 100, 30)
	h.mustShow("49.5%")
	h.src.update(func(s *model.FleetSnapshot) {
		for i := range s.VMs {
			if s.VMs[i].Name == "web-01" {
				s.VMs[i].Host.CPUPercent = 77.25
			}
		}
	})
	h.sync()
	h.mustShow("77.2%")
	h.mustNotShow("49.5%")
}

func TestFleetSanitisesNames(t *testing.T) {
	vms := demoVMs()
	vms[0].Name = "evil\x1b]0;pwned\x07\x1b[2J-vm"
	h := newHarness(t, newFakeSource(vms...), Options{}, 100, 30)
	raw := h.a.render()
	if strings.Contains(raw, "\x1b]") || strings.Contains(raw, "pwned") || strings.Contains(raw, "\x1b[2J") {
		t.Fatalf("escape sequence from a VM name reached the screen: %q", raw)
	}
	h.mustShow("evil-vm")
}

func TestFleetColumnsFromOptions(t *testing.T) {
	h := newHarness(t, newFakeSource(demoVMs()...), Options{Columns: []string{"state", "cpu"}}, 160, 30)
	h.mustShow("NAME", "STATE", "CPU%")
	h.mustNotShow("RSS", "CPU HISTORY", "DISK R/W")
	_, err := newApp(newFakeSource(), Options{Columns: []string{"state", "colour"}}, appConfig{ctx: context.Background()})
	if err == nil || !strings.Contains(err.Error(), `unknown column "colour"`) {
		t.Fatalf("unknown column: %v", err)
	}
}

// The header's sort label and the status message agree as the sort
// changes (fleet's own tests check the list against the arrow).
func TestSortLabelInHeaderAndStatus(t *testing.T) {
	h := demo(t, Options{}, 160, 40)
	for range 2 { // natural order, then reversed
		for range fleet.NumSortKeys {
			label := h.a.fleet.SortLabel()
			h.mustShow("sort " + label)
			h.press("s")
			if st := h.statusText(); !strings.Contains(st, "sorted by "+h.a.fleet.SortLabel()+" (") {
				t.Fatalf("status %q does not match the header's %q", st, h.a.fleet.SortLabel())
			}
		}
		h.press("S")
		if st := h.statusText(); !strings.Contains(st, "sorted by "+h.a.fleet.SortLabel()) {
			t.Fatalf("status after reverse %q", st)
		}
	}
}

// A name carrying escape sequences sorts, filters and draws by what it
// shows ("evil"), not by its raw bytes (ESC sorts before every letter).
func TestHostileNameSortsByWhatItShows(t *testing.T) {
	vms := []model.VMSnapshot{
		{ID: "/run/qemu/z.qmp", Name: "zed", Conn: model.ConnConnected, RunState: "running"},
		{ID: "/run/qemu/e.qmp", Name: "\x1b[31m\x1b]0;pwned\x07evil", Conn: model.ConnConnected, RunState: "running"},
		{ID: "/run/qemu/a.qmp", Name: "alpha", Conn: model.ConnConnected, RunState: "running"},
	}
	h := newHarness(t, newFakeSource(vms...), Options{}, 120, 30)
	shown := h.a.fleet.ShownNames()
	if strings.Join(shown, " ") != "alpha evil zed" {
		t.Fatalf("fleet order %q, want alpha evil zed", shown)
	}
	screen := h.screen()
	if strings.Index(screen, "alpha") > strings.Index(screen, "evil") || strings.Index(screen, "evil") > strings.Index(screen, "zed") {
		t.Fatalf("rows not in shown-name order:\n%s", screen)
	}
	h.press("/")
	h.typeText("evil")
	if got := h.a.fleet.ShownNames(); len(got) != 1 || got[0] != "evil" {
		t.Fatalf("filter evil kept %q", got)
	}
}
