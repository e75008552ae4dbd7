package ui

import (
	"strings"
	"testing"

	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/ui/fleet"
)

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
