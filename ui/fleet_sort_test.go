package ui

import (
	"cmp"
	"strings"
	"testing"

	"github.com/qmpdash/qmpdash/internal/termsafe"
	"github.com/qmpdash/qmpdash/model"
)

// sortValue is what a sort key orders by, as a number or a string.
func sortValue(v *model.VMSnapshot, k sortKey) (float64, string) {
	switch k {
	case sortState:
		return float64(stateRank(v)), ""
	case sortCPU:
		return vmCPU(v), ""
	case sortMem:
		return float64(vmMem(v)), ""
	case sortIO:
		return vmIO(v), ""
	}
	return 0, strings.ToLower(termsafe.Line(v.Name))
}

// The arrow shows the order as listed, the same way for every key:
// ↑ values rise down the list, ↓ they fall. Header, column title and the
// status message agree.
func TestSortArrowShowsListedOrder(t *testing.T) {
	h := demo(t, Options{}, 160, 40)
	for range 2 { // natural order, then reversed
		for range numSortKeys {
			f := &h.a.fleet
			label := f.sortLabel()
			arrow := label[len(f.sortBy.String()):]
			var rising, falling bool
			for i := 1; i < len(f.order); i++ {
				an, as := sortValue(&h.a.snap.VMs[f.order[i-1]], f.sortBy)
				bn, bs := sortValue(&h.a.snap.VMs[f.order[i]], f.sortBy)
				c := cmp.Compare(an, bn)
				if c == 0 {
					c = cmp.Compare(as, bs)
				}
				rising = rising || c < 0
				falling = falling || c > 0
			}
			switch {
			case rising == falling:
				t.Fatalf("%s: the fixture's values are not ordered one way (rising %v falling %v)", label, rising, falling)
			case arrow == "↑" && falling, arrow == "↓" && rising:
				t.Fatalf("%s shown but the list goes the other way: %v", label, h.rowNames())
			}
			h.mustShow("sort "+label, colTitle(f.sortBy)+arrow)
			h.press("s")
			if st := h.statusText(); !strings.Contains(st, "sorted by "+h.a.fleet.sortLabel()+" (") {
				t.Fatalf("status %q does not match the header's %q", st, h.a.fleet.sortLabel())
			}
		}
		h.press("S")
		if st := h.statusText(); !strings.Contains(st, "sorted by "+h.a.fleet.sortLabel()) {
			t.Fatalf("status after reverse %q", st)
		}
	}
	// Spot-check the words: names A→Z rise, CPU busiest first falls.
	f := &h.a.fleet
	f.sortBy, f.desc = sortName, false
	if f.sortLabel() != "name↑" || f.sortMeaning() != "A→Z" {
		t.Fatalf("name: %s (%s)", f.sortLabel(), f.sortMeaning())
	}
	f.sortBy = sortCPU
	if f.sortLabel() != "cpu↓" || f.sortMeaning() != "busiest first" {
		t.Fatalf("cpu: %s (%s)", f.sortLabel(), f.sortMeaning())
	}
}

func colTitle(k sortKey) string {
	for _, c := range allColumns {
		if c.id == sortColumn(k) {
			return c.title
		}
	}
	return ""
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
	var shown []string
	for _, i := range h.a.fleet.order {
		shown = append(shown, h.a.fleet.names[i])
	}
	if strings.Join(shown, " ") != "alpha evil zed" {
		t.Fatalf("fleet order %q, want alpha evil zed", shown)
	}
	screen := h.screen()
	if strings.Index(screen, "alpha") > strings.Index(screen, "evil") || strings.Index(screen, "evil") > strings.Index(screen, "zed") {
		t.Fatalf("rows not in shown-name order:\n%s", screen)
	}
	h.press("/")
	h.typeText("evil")
	if len(h.a.fleet.order) != 1 || h.a.fleet.names[h.a.fleet.order[0]] != "evil" {
		t.Fatalf("filter evil kept %v", h.a.fleet.order)
	}
}
