package keys

import (
	"testing"

	tea "charm.land/bubbletea/v2"
)

func TestTableMatchesInOrderAndSkipsHelpOnly(t *testing.T) {
	k := Default()
	tb := Table{Entries: []Entry{
		{Action: "recall", Binding: &k.Recall, HelpOnly: true},
		{Action: "earlier", Binding: &k.InputUp},
		{Action: "open", Binding: &k.Open},
		{Action: "run", Binding: &k.Run}, // enter too: the earlier entry wins
	}, Short: []string{"recall", "open"}}
	if a := tb.Match(tea.KeyPressMsg{Code: tea.KeyUp}); a != "earlier" {
		t.Errorf("up matched %q", a)
	}
	if a := tb.Match(tea.KeyPressMsg{Code: tea.KeyEnter}); a != "open" {
		t.Errorf("enter matched %q", a)
	}
	if a := tb.Match(tea.KeyPressMsg{Code: 'x', Text: "x"}); a != "" {
		t.Errorf("x matched %q", a)
	}
	if sh := tb.ShortHelp(); len(sh) != 2 || sh[0].Help().Key != "↑/↓" {
		t.Errorf("short help %v", sh)
	}
}

func TestFindClashSkipsInputs(t *testing.T) {
	k := Default()
	both := []Entry{{Action: "open", Binding: &k.Open}, {Action: "run", Binding: &k.Run}}
	if _, bad := FindClash([]Table{{Context: "palette", Input: true, Entries: both}}); bad {
		t.Error("an input table was checked")
	}
	c, bad := FindClash([]Table{{Context: "fleet", Entries: both}})
	if !bad || c.Key != "enter" || c.A != "open" || c.B != "run" || c.Where != "fleet" {
		t.Errorf("clash %+v %v", c, bad)
	}
}
