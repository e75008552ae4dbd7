package ui

import (
	"regexp"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/qmpdash/qmpdash/ui/fleet"
	"github.com/qmpdash/qmpdash/ui/keys"
)

func TestQuitKeys(t *testing.T) {
	for _, k := range []string{"q", "ctrl+c"} {
		h := demo(t, Options{}, 100, 30)
		h.press(k)
		if !h.quit {
			t.Errorf("%s did not quit", k)
		}
	}
	// q types into a filter instead of quitting; ctrl+c always quits.
	h := demo(t, Options{}, 100, 30)
	h.press("/", "q")
	if h.quit || h.a.fleet.Filter() != "q" {
		t.Fatalf("q in the filter: quit=%v filter=%q", h.quit, h.a.fleet.Filter())
	}
	h.press("ctrl+c")
	if !h.quit {
		t.Fatal("ctrl+c did not quit from the filter")
	}
	h = demo(t, Options{}, 100, 30)
	h.press(":", "q")
	if h.quit {
		t.Fatal("q in the palette quit")
	}
}

func TestEscClosesWhateverIsOpen(t *testing.T) {
	h := demo(t, Options{}, 100, 30)
	for _, open := range [][]string{{"?"}, {":"}, {"e"}, {"/"}, {"f"}, {":", "down", "down", "down", "down", "down", "enter"}} {
		h.press(open...)
		h.press("esc")
		a := h.a
		if a.stack.Len() > 0 || a.fleet.Editing() || a.events.Editing() {
			t.Fatalf("esc after %v left something open", open)
		}
	}
}

func TestHelpOverlayIsDrawnFromKeyMap(t *testing.T) {
	h := demo(t, Options{Keys: map[string][]string{"quit": {"x"}, "sort": {"o"}}}, 120, 40)
	h.press("?")
	h.mustShow("Help", "[CONNECT]", "[TIMEOUT]", "[NO-DEVICE]", "▶ running")
	help := ansi.Strip(strings.Join(h.a.renderHelp(110), "\n"))
	for _, want := range []string{`x/ctrl\+c\s+quit`, `o\s+sort by`, `enter\s+details`, `/\s+filter`, `tab\s+next pane`, `1-8\s+pane`, `S\s+reverse sort`} {
		if !regexp.MustCompile(want).MatchString(help) {
			t.Errorf("help lacks %s:\n%s", want, help)
		}
	}
	if regexp.MustCompile(`(^|\s)q(/ctrl\+c)?\s+quit`).MatchString(help) {
		t.Error("help shows the old quit key")
	}
	h.press("?")
	if h.a.stack.Open("help") {
		t.Fatal("? did not close help")
	}
	// The rebinding works, and ctrl+c still quits.
	h.press("o")
	if h.a.fleet.SortBy() != fleet.SortState {
		t.Fatal("rebound sort key did nothing")
	}
	h.press("s")
	if h.a.fleet.SortBy() != fleet.SortState {
		t.Fatal("old sort key still bound")
	}
	h.press("x")
	if !h.quit {
		t.Fatal("rebound quit key did not quit")
	}
}

func TestRebindUnknownActionReported(t *testing.T) {
	h := demo(t, Options{Keys: map[string][]string{"explode": {"x"}}}, 160, 40)
	h.press("e")
	h.mustShow(`unknown key action(s) explode`)
}

func TestRebindKeepsCtrlC(t *testing.T) {
	k := keys.Default()
	if err := k.Rebind(map[string][]string{"quit": {"Q"}}, allTables(&k)); err != nil {
		t.Fatal(err)
	}
	if !keyIs(keyMsg("ctrl+c"), k.Quit) || !keyIs(keyMsg("Q"), k.Quit) || keyIs(keyMsg("q"), k.Quit) {
		t.Fatalf("quit keys %v", k.Quit.Keys())
	}
	if k.Quit.Help().Key != "Q/ctrl+c" {
		t.Fatalf("help shows %q", k.Quit.Help().Key)
	}
}

func TestShortHelpFollowsContext(t *testing.T) {
	h := demo(t, Options{}, 160, 40)
	helpLine := func() string {
		lines := strings.Split(h.screen(), "\n")
		return lines[len(lines)-1]
	}
	if !strings.Contains(helpLine(), "enter details") {
		t.Fatalf("fleet help: %q", helpLine())
	}
	h.press("enter")
	if !strings.Contains(helpLine(), "tab next pane") {
		t.Fatalf("detail help: %q", helpLine())
	}
	h.press(":")
	if !strings.Contains(helpLine(), "enter run") {
		t.Fatalf("palette help: %q", helpLine())
	}
}

func TestKeyNamesMatchBubbleTea(t *testing.T) {
	// The bindings use the names Bubble Tea prints; spot-check the ones
	// that differ from v1.
	for name, msg := range map[string]tea.KeyPressMsg{
		"shift+tab": {Code: tea.KeyTab, Mod: tea.ModShift},
		"ctrl+p":    {Code: 'p', Mod: tea.ModCtrl},
		"?":         {Code: '?', Text: "?"},
		"G":         {Code: 'G', Text: "G"},
		"enter":     {Code: tea.KeyEnter},
	} {
		if msg.String() != name {
			t.Errorf("key %q prints as %q", name, msg.String())
		}
	}
}
