package lineinput

import (
	"testing"

	tea "charm.land/bubbletea/v2"
)

// keyByName builds the key press Bubble Tea would deliver for a name such
// as "ctrl+w" or "alt+left".
func keyByName(t *testing.T, s string) tea.KeyPressMsg {
	t.Helper()
	codes := map[string]rune{"left": tea.KeyLeft, "right": tea.KeyRight, "home": tea.KeyHome, "end": tea.KeyEnd,
		"backspace": tea.KeyBackspace, "delete": tea.KeyDelete}
	var mod tea.KeyMod
	name := s
	for _, p := range []struct {
		prefix string
		m      tea.KeyMod
	}{{"ctrl+", tea.ModCtrl}, {"alt+", tea.ModAlt}} {
		if len(name) > len(p.prefix) && name[:len(p.prefix)] == p.prefix {
			mod, name = p.m, name[len(p.prefix):]
		}
	}
	code, ok := codes[name]
	if !ok {
		code = rune(name[0])
	}
	msg := tea.KeyPressMsg{Code: code, Mod: mod}
	if msg.String() != s {
		t.Fatalf("built %q for %q", msg.String(), s)
	}
	return msg
}

// Every key the key map keeps out of inputs is one HandleKey edits with,
// so the two lists cannot drift apart.
func TestEditKeysAreHandled(t *testing.T) {
	for s := range editKeys {
		var m Model
		m.SetValue("one two")
		if !m.HandleKey(keyByName(t, s)) {
			t.Errorf("HandleKey ignores %q, which IsEditKey claims", s)
		}
	}
	var m Model
	if m.HandleKey(keyByName(t, "ctrl+p")) {
		t.Error("ctrl+p edits the line")
	}
}
