package dialog

import (
	tea "charm.land/bubbletea/v2"
	"github.com/qmpdash/qmpdash/themes"
	"github.com/qmpdash/qmpdash/ui/keys"
	"github.com/qmpdash/qmpdash/ui/render"
)

// Confirm asks y/N before something that cannot be undone. y runs yes;
// any other key runs no (which says it was cancelled).
type Confirm struct {
	st       *themes.Styles
	question string // sanitised by the caller
	yes, no  func() tea.Cmd
	table    keys.Table
}

// NewConfirm asks question (without its question mark).
func NewConfirm(st *themes.Styles, km *keys.Map, question string, yes, no func() tea.Cmd) *Confirm {
	return &Confirm{st: st, question: question, yes: yes, no: no, table: ConfirmKeys(km)}
}

// ConfirmKeys is the y/N question's table. Every key answers it (all but
// yes mean no), so it is left out of the clash check like an input.
func ConfirmKeys(k *keys.Map) keys.Table {
	return keys.Table{
		Context: "confirm",
		Entries: []keys.Entry{{Action: "yes", Binding: &k.Confirm}, {Action: "no", Binding: &k.Cancel}},
		Short:   []string{"yes", "no"},
		Input:   true,
	}
}

func (d *Confirm) ID() string       { return "confirm" }
func (d *Confirm) Keys() keys.Table { return d.table }

func (d *Confirm) Update(msg tea.Msg) Action {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	if d.table.Match(k) == "yes" {
		return Run{Cmd: d.yes()}
	}
	return Run{Cmd: d.no()}
}

func (d *Confirm) View(w, h int) (string, []string) {
	st := d.st
	return "Confirm", []string{st.Bold.Render(render.Trunc(d.question+"?", w)), "",
		st.Stopped.Render("This cannot be undone.") + " Press " + st.Bold.Render("y") + " to go ahead, " +
			st.Bold.Render("n") + " or " + st.Bold.Render("esc") + " to cancel.  [y/N]"}
}
