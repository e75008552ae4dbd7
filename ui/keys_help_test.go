package ui

import (
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"
	"github.com/qmpdash/qmpdash/ui/dialog"
	"github.com/qmpdash/qmpdash/ui/fleet"
	"github.com/qmpdash/qmpdash/ui/keys"
	"github.com/qmpdash/qmpdash/ui/panes"
)

func TestHelpKeysLabels(t *testing.T) {
	for _, c := range []struct {
		keys []string
		want string
	}{
		{[]string{"up", "k"}, "↑/k"},
		{[]string{"down", "j"}, "↓/j"},
		{[]string{"q", "ctrl+c"}, "q/ctrl+c"},
		{[]string{":", "ctrl+p"}, ":/ctrl+p"},
		{[]string{"pgup", "ctrl+u"}, "pgup/ctrl+u"},
		{[]string{"pgdown", "ctrl+d"}, "pgdn/ctrl+d"},
		{[]string{"home", "g"}, "home/g"},
		{[]string{"1", "2", "3", "4", "5", "6", "7"}, "1-7"},
		{[]string{"1", "2"}, "1/2"},
		{[]string{"1", "3", "4"}, "1/3/4"},
		{[]string{"x", "x", "left"}, "x/←"},
	} {
		if got := keys.HelpKeys(c.keys); got != c.want {
			t.Errorf("keys.HelpKeys(%q) = %q, want %q", c.keys, got, c.want)
		}
	}
}

// everyBinding is each binding in the key map with its field name.
func everyBinding(k *keys.Map) map[string]key.Binding {
	m := map[string]key.Binding{}
	for _, t := range allTables(k) {
		for _, e := range t.Entries {
			if !t.Input {
				m[e.Action] = *e.Binding
			}
		}
	}
	for n, b := range map[string]key.Binding{"run": k.Run, "complete": k.Complete, "confirm": k.Confirm,
		"cancel": k.Cancel, "input-up": k.InputUp, "input-down": k.InputDown, "input-back": k.InputBack, "recall": k.Recall} {
		m[n] = b
	}
	return m
}

// labelShows says whether a help label names key s (digits may be in a range).
func labelShows(label, s string) bool {
	if p, ok := keys.PrettyKeys[s]; ok {
		s = p
	}
	if label == s {
		return true
	}
	for _, part := range strings.Split(label, "/") {
		if part == s {
			return true
		}
		if lo, hi, ok := strings.Cut(part, "-"); ok && len(s) == 1 && len(lo) == 1 && len(hi) == 1 && lo <= s && s <= hi {
			return true
		}
	}
	return false
}

func TestEveryHelpLabelNamesEveryBoundKey(t *testing.T) {
	check := func(k *keys.Map) {
		t.Helper()
		for name, b := range everyBinding(k) {
			for _, s := range b.Keys() {
				if !labelShows(b.Help().Key, s) {
					t.Errorf("%s: label %q does not show %q (keys %q)", name, b.Help().Key, s, b.Keys())
				}
			}
		}
	}
	k := keys.Default()
	check(&k)
	// Rebinds build labels the same way.
	if err := k.Rebind(map[string][]string{"up": {"w", "up", "ctrl+up"}, "page-down": {"space", "pgdown"}, "quit": {"Q"}}, allTables(&k)); err != nil {
		t.Fatal(err)
	}
	check(&k)
	if got := k.Up.Help().Key; got != "w/↑/ctrl+up" {
		t.Errorf("rebound up label %q", got)
	}
}

func TestFullHelpShowsEveryKeyThatWorks(t *testing.T) {
	h := demo(t, Options{Keys: map[string][]string{"page-up": {"b", "pgup"}}}, 160, 48)
	help := ansi.Strip(strings.Join(h.a.renderHelp(150), "\n"))
	for name, b := range everyBinding(&h.a.keys) {
		if strings.HasPrefix(name, "input-") {
			continue // the legend line below names them
		}
		if !strings.Contains(help, b.Help().Key+" ") {
			t.Errorf("help lacks %s's %q:\n%s", name, b.Help().Key, help)
		}
	}
	for _, want := range []string{"q/ctrl+c", ":/ctrl+p", "home/g", "end/G", "pgdn/ctrl+d", "b/pgup", "letters type: ↑ ↓ move"} {
		if !strings.Contains(help, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	// What the help says works does: ctrl+d pages down, b pages up, home
	// and end jump.
	small := demo(t, Options{}, 80, 24)
	small.press("?", "ctrl+d")
	if small.dialogOffset() == 0 {
		t.Fatal("ctrl+d did not page the help")
	}
	small.press("home")
	if small.dialogOffset() != 0 {
		t.Fatal("home did not go to the top of the help")
	}
	small.press("end")
	if small.dialogOffset() == 0 {
		t.Fatal("end did not go to the end of the help")
	}
	h.press("ctrl+d")
	h.mustSelect("web-01", "ctrl+d in the fleet")
	h.press("b")
	h.mustSelect("build-runner", "rebound b did not page up")
	h.press("end")
	h.mustSelect("web-01", "end")
}

func TestInputContextsShowAndTakeOnlyArrows(t *testing.T) {
	h := demo(t, Options{}, 160, 40)
	// The palette: letters type, arrows move.
	h.press(":")
	line := h.helpLine()
	for _, bad := range []string{"↑/k", "↓/j", "tab complete"} {
		if strings.Contains(line, bad) {
			t.Fatalf("palette help offers %q: %q", bad, line)
		}
	}
	if !strings.Contains(line, "↑ up") || !strings.Contains(line, "↓ down") || !strings.Contains(line, "esc close") {
		t.Fatalf("palette help lacks the arrows: %q", line)
	}
	h.press("j")
	if h.pal().Query() != "j" || h.pal().Cursor() != 0 {
		t.Fatalf("j in the palette: query %q cursor %d", h.pal().Query(), h.pal().Cursor())
	}
	h.press("backspace", "down")
	if h.pal().Cursor() != 1 {
		t.Fatalf("down did not move: cursor %d", h.pal().Cursor())
	}
	h.press("tab")
	if h.pal().Cursor() != 1 {
		t.Fatal("tab moved in the list (only the arrows do)")
	}
	// A prompt with completion offers tab; one without does not.
	h.press("esc", ":")
	h.typeText("qmp", "enter")
	if line := h.helpLine(); !strings.Contains(line, "tab complete") || strings.Contains(line, "↑/k") {
		t.Fatalf("qmp prompt help %q", line)
	}
	h.press("esc", ":")
	h.typeText("balloon", "enter")
	if line := h.helpLine(); strings.Contains(line, "tab complete") || !strings.Contains(line, "esc close") {
		t.Fatalf("balloon prompt help %q", line)
	}
	h.press("esc")

	// The fleet filter: k types, the arrows move the selection.
	h.press("/")
	line = h.helpLine()
	if strings.Contains(line, "↑/k") || strings.Contains(line, "↓/j") || !strings.Contains(line, "↓ down") {
		t.Fatalf("filter help %q", line)
	}
	h.press("k")
	if h.a.fleet.Filter() != "k" || !h.a.fleet.Editing() {
		t.Fatalf("k in the filter: %q editing=%v", h.a.fleet.Filter(), h.a.fleet.Editing())
	}
	h.press("backspace")
	before := h.selectedName()
	h.press("down")
	if h.selectedName() == before || !h.a.fleet.Editing() {
		t.Fatalf("down in the filter: %q -> %q, editing=%v", before, h.selectedName(), h.a.fleet.Editing())
	}
}

func TestInputKeysFollowRebinding(t *testing.T) {
	// up is rebound to a letter and a non-typing key: the palette shows and
	// takes only the non-typing one; the letter types. back rebound to a
	// letter leaves esc closing inputs.
	h := demo(t, Options{Keys: map[string][]string{"up": {"i", "ctrl+up"}, "back": {"x"}}}, 160, 40)
	h.press(":")
	line := h.helpLine()
	if !strings.Contains(line, "ctrl+up up") || strings.Contains(line, "i/") || strings.Contains(line, "x close") {
		t.Fatalf("palette help %q", line)
	}
	h.press("i", "x")
	if h.pal().Query() != "ix" {
		t.Fatalf("letters did not type: %q", h.pal().Query())
	}
	h.press("backspace", "backspace", "down", "down", "ctrl+up")
	if h.pal().Cursor() != 1 {
		t.Fatalf("ctrl+up: cursor %d", h.pal().Cursor())
	}
	h.press("esc")
	if h.a.stack.Open("palette") {
		t.Fatal("esc did not close the palette")
	}
	// An up bound only to letters falls back to the arrow in inputs.
	k := keys.Default()
	if err := k.Rebind(map[string][]string{"up": {"i"}}, allTables(&k)); err != nil {
		t.Fatal(err)
	}
	if got := k.InputUp.Keys(); len(got) != 1 || got[0] != "up" {
		t.Fatalf("input up keys %q", got)
	}
}

func TestViewerTakesTheKeysItsHelpShows(t *testing.T) {
	h := demo(t, Options{}, 100, 30)
	h.a.stack.Push(dialog.NewViewer(&h.a.keys, "reply", strings.Repeat("line\n", 200)), h.a.w, h.a.h)
	line := h.helpLine()
	if !strings.Contains(line, "pgdn/ctrl+d page down") {
		t.Fatalf("viewer help %q", line)
	}
	// "d" was the viewport's own half-page key, shown nowhere: it is gone.
	h.press("d")
	if h.viewer().Offset() != 0 {
		t.Fatal("d scrolled the viewer")
	}
	h.press("ctrl+d")
	if h.viewer().Offset() == 0 {
		t.Fatal("ctrl+d did not page the viewer")
	}
	h.press("home")
	if h.viewer().Offset() != 0 {
		t.Fatal("home did not go to the top")
	}
	h.press("G")
	if !h.viewer().AtBottom() {
		t.Fatal("G did not go to the bottom")
	}
}

func TestRebindClashReportedAndDefaultsKept(t *testing.T) {
	h := demo(t, Options{Keys: map[string][]string{"quit": {"j"}}}, 160, 40)
	h.press("j")
	if h.quit {
		t.Fatal("j quit: the clashing rebinding was applied")
	}
	h.mustSelect("db-primary", "j no longer moves down")
	h.press("e")
	h.mustShow("[INPUT]", `key "j" is bound to both quit and down (fleet); quit keeps q/ctrl+c`)
	h.press("esc", "q")
	if !h.quit {
		t.Fatal("q no longer quits")
	}
}

func TestRebindClashes(t *testing.T) {
	for _, c := range []struct {
		name  string
		keys  map[string][]string
		clash []string // substrings of the error; none means no error
		check func(k *keys.Map) bool
	}{
		{"both rebound", map[string][]string{"up": {"x"}, "down": {"x"}}, []string{`key "x"`, "up keeps ↑/k", "down keeps ↓/j"},
			func(k *keys.Map) bool { return keyIs(keyMsg("k"), k.Up) && keyIs(keyMsg("j"), k.Down) }},
		{"fixed pane keys", map[string][]string{"events": {"1"}}, []string{`key "1" is bound to both panes and events`},
			func(k *keys.Map) bool { return keyIs(keyMsg("l"), k.Events) }},
		{"ctrl+c is quit's", map[string][]string{"mouse": {"ctrl+c"}}, []string{`"ctrl+c" is bound to both quit and mouse`},
			func(k *keys.Map) bool { return keyIs(keyMsg("m"), k.Mouse) }},
		{"global key", map[string][]string{"top": {"e"}}, []string{`key "e" is bound to both errors and top (fleet)`}, nil},
		{"viewer sideways", map[string][]string{"bottom": {"right"}}, []string{"bottom and sideways (reply viewer)"}, nil},
		{"reset cascades", map[string][]string{"quit": {"j", "x"}, "down": {"k"}}, []string{"down keeps ↓/j", "quit keeps q/ctrl+c"},
			func(k *keys.Map) bool {
				return keyIs(keyMsg("q"), k.Quit) && !keyIs(keyMsg("x"), k.Quit) && keyIs(keyMsg("j"), k.Down)
			}},
		// Keys shared by actions that never answer in the same place.
		{"sort and next pane", map[string][]string{"sort": {"tab"}}, nil,
			func(k *keys.Map) bool { return keyIs(keyMsg("tab"), k.Sort) && keyIs(keyMsg("tab"), k.NextPane) }},
		{"swap up and down", map[string][]string{"up": {"j"}, "down": {"k"}}, nil,
			func(k *keys.Map) bool { return keyIs(keyMsg("j"), k.Up) && keyIs(keyMsg("k"), k.Down) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			k := keys.Default()
			err := k.Rebind(c.keys, allTables(&k))
			if len(c.clash) == 0 && err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			for _, want := range c.clash {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("error %v lacks %q", err, want)
				}
			}
			if _, bad := keys.FindClash(allTables(&k)); bad {
				t.Fatal("a clash survived rebind")
			}
			if c.check != nil && !c.check(&k) {
				t.Fatal("bindings after rebind are wrong")
			}
		})
	}
}

func TestDefaultKeysDoNotClashButShareAcrossContexts(t *testing.T) {
	k := keys.Default()
	if c, bad := keys.FindClash(allTables(&k)); bad {
		t.Fatalf("default keys clash: %+v", c)
	}
	// The intended duplicates live in different contexts.
	for s, pair := range map[string][2]key.Binding{"enter": {k.Open, k.Run}, "tab": {k.NextPane, k.Complete}, "esc": {k.Back, k.Cancel}} {
		if !keyIs(keyMsg(s), pair[0]) || !keyIs(keyMsg(s), pair[1]) {
			t.Errorf("%s is no longer shared by %q and %q", s, pair[0].Keys(), pair[1].Keys())
		}
	}
	if err := k.Rebind(nil, allTables(&k)); err != nil {
		t.Fatalf("no rebinding reported %v", err)
	}
}

func TestSortTabInFleetKeepsTabInDetail(t *testing.T) {
	h := demo(t, Options{Keys: map[string][]string{"sort": {"tab"}}}, 160, 40)
	if len(h.a.errs.entries) != 1 { // only the demo VM's connect error
		t.Fatalf("errors %+v", h.a.errs.entries)
	}
	h.press("tab")
	if h.a.fleet.SortBy() != fleet.SortState {
		t.Fatal("tab did not sort in the fleet")
	}
	h.press("enter", "tab")
	if h.a.pane != panes.ID(1) {
		t.Fatalf("tab in the detail went to pane %d", h.a.pane)
	}
}
