package ui

import (
	"strings"
	"testing"

	"github.com/sahilm/fuzzy"
)

// paletteOrder checks the enabled actions come before the disabled ones
// and returns the ids in order.
func paletteOrder(t *testing.T, h *harness) []actionID {
	t.Helper()
	var ids []actionID
	seenDisabled := false
	for _, it := range h.a.pal.items {
		if it.disabled != "" {
			seenDisabled = true
		} else if seenDisabled {
			t.Fatalf("enabled %s listed after a disabled action: %v", it.act.id, h.a.pal.items)
		}
		ids = append(ids, it.act.id)
	}
	return ids
}

func TestPaletteListsEnabledActionsFirst(t *testing.T) {
	h := demo(t, Options{ReadOnly: true}, 160, 48)
	// Recently used: a disabled action, then an enabled one.
	h.a.hist.use(actInterval, "")
	h.a.hist.use(actPause, "")
	h.press(":")
	ids := paletteOrder(t, h)
	if ids[0] != actInterval {
		t.Fatalf("most recent enabled action not first: %v", ids)
	}
	firstDisabled := -1
	for i, it := range h.a.pal.items {
		if it.disabled != "" {
			firstDisabled = i
			break
		}
	}
	if firstDisabled < 0 || ids[firstDisabled] != actPause {
		t.Fatalf("most recent disabled action does not lead its group: %v", ids)
	}
	// The cursor starts on something that runs, and the screen agrees.
	if h.a.pal.items[0].disabled != "" {
		t.Fatal("cursor starts on a disabled action")
	}
	h.mustShow("▸ Change poll interval")

	// Filtering: still enabled first, and by fuzzy score within each group.
	h.typeText("me")
	paletteOrder(t, h)
	texts := make([]string, len(actions))
	for i := range actions {
		texts[i] = actions[i].searchText()
	}
	score := map[actionID]int{}
	for _, m := range fuzzy.Find("me", texts) {
		score[actions[m.Index].id] = m.Score
	}
	items := h.a.pal.items
	groups := map[bool]int{}
	for i, it := range items {
		groups[it.disabled != ""]++
		if i > 0 && (items[i-1].disabled != "") == (it.disabled != "") && score[items[i-1].act.id] < score[it.act.id] {
			t.Fatalf("%s (score %d) after %s (score %d)", it.act.id, score[it.act.id], items[i-1].act.id, score[items[i-1].act.id])
		}
	}
	if groups[true] == 0 || groups[false] < 2 {
		t.Fatalf("query should match both groups for this test to mean anything: %v", paletteOrder(t, h))
	}
}

func TestPaletteNoVMListsLocalActionsFirst(t *testing.T) {
	h := newHarness(t, newFakeSource(), Options{}, 120, 40)
	h.press(":")
	ids := paletteOrder(t, h)
	if ids[0] != actTheme {
		t.Fatalf("order without a VM %v", ids)
	}
	if !strings.Contains(h.screen(), "▸ Switch theme") {
		t.Fatalf("cursor not on the first usable action:\n%s", h.screen())
	}
}
