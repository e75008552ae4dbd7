package dialog

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/qmpdash/qmpdash/themes"
	"github.com/qmpdash/qmpdash/ui/keys"
)

func TestStackTopOpenRemove(t *testing.T) {
	km := keys.Default()
	st := themes.NewStyles(themes.Mono(), true)
	var s Stack
	if s.Top() != nil || s.Len() != 0 {
		t.Fatal("zero stack not empty")
	}
	help := NewHelp(&st, &km, func(int) []string { return []string{"a"} })
	s.Push(help, 80, 24)
	s.Push(NewViewer(&km, "reply", "x"), 80, 24)
	if s.Top().ID() != "viewer" || !s.Open("help") || s.Len() != 2 {
		t.Fatalf("top %q, help open %v, len %d", s.Top().ID(), s.Open("help"), s.Len())
	}
	s.Remove("help")
	if s.Open("help") || s.Top().ID() != "viewer" {
		t.Fatal("Remove took the wrong dialog")
	}
	s.Pop()
	s.Pop() // popping an empty stack is harmless
	if s.Top() != nil {
		t.Fatal("stack not empty after popping all")
	}
}

// The y/N question runs yes on y and no on anything else, and every
// answer closes it.
func TestConfirmAnswers(t *testing.T) {
	km := keys.Default()
	st := themes.NewStyles(themes.Mono(), true)
	var got string
	c := NewConfirm(&st, &km, Question{Text: "Reset VM on web"}, func() tea.Cmd { got = "yes"; return nil },
		func() tea.Cmd { got = "no"; return nil })
	for key, want := range map[string]string{"y": "yes", "n": "no", "x": "no"} {
		got = ""
		act := c.Update(tea.KeyPressMsg{Code: rune(key[0]), Text: key})
		if _, ok := act.(Run); !ok || got != want {
			t.Errorf("%s: action %T ran %q, want %q", key, act, got, want)
		}
	}
}

// Scrolling clamps at both ends before the first draw (the size comes
// from Push), and the marker says how much is hidden below.
func TestScrolledClampsAndMarks(t *testing.T) {
	km := keys.Default()
	st := themes.NewStyles(themes.Mono(), true)
	lines := make([]string, 100)
	for i := range lines {
		lines[i] = "line"
	}
	d := NewHelp(&st, &km, func(int) []string { return lines })
	var s Stack
	s.Push(d, 80, 24)
	end := tea.KeyPressMsg{Code: tea.KeyEnd}
	d.Update(end)
	_, h := OverlaySize(80, 23)
	if want := 100 - (h - 2); d.Offset() != want {
		t.Fatalf("end: offset %d, want %d", d.Offset(), want)
	}
	d.Update(tea.KeyPressMsg{Code: tea.KeyHome})
	_, view := d.View(40, 10)
	if d.Offset() != 0 || len(view) != 10 || view[9] != st.Muted.Render("↓ 91 more (↓/j scrolls)") {
		t.Fatalf("home: offset %d, last line %q", d.Offset(), view[len(view)-1])
	}
}

// The question names the keys its table answers to.
func TestConfirmNamesItsKeys(t *testing.T) {
	km := keys.Default()
	st := themes.NewStyles(themes.Mono(), true)
	km.Confirm.SetKeys("o")
	km.Confirm.SetHelp("o", "yes")
	c := NewConfirm(&st, &km, Question{Text: "Reset VM on web"}, func() tea.Cmd { return nil }, func() tea.Cmd { return nil })
	_, lines := c.View(80, 10)
	last := ansi.Strip(lines[len(lines)-1])
	if !strings.Contains(last, "Press o to go ahead, n/N/esc or any other key") {
		t.Fatalf("answer line %q", last)
	}
}
