package dialog

import (
	tea "charm.land/bubbletea/v2"
	"github.com/qmpdash/qmpdash/themes"
	"github.com/qmpdash/qmpdash/ui/keys"
	"github.com/qmpdash/qmpdash/ui/render"
)

// Confirm asks y/N before an action that changes a VM in a way worth a
// second thought. It names the action and its target (the question), says
// what will happen (the note), and says "This cannot be undone" only for
// actions where that is true. y runs yes; any other key runs no (which
// says it was cancelled).
type Confirm struct {
	st      *themes.Styles
	q       Question
	yes, no func() tea.Cmd
	table   keys.Table
}

// Question is what a y/N dialog asks; its texts are sanitised by the caller.
type Question struct {
	Text         string // the action and its target, without the question mark
	Note         string // what will happen; "" for none
	Irreversible bool   // true only when the action cannot be undone
}

// NewConfirm asks q.
func NewConfirm(st *themes.Styles, km *keys.Map, q Question, yes, no func() tea.Cmd) *Confirm {
	return &Confirm{st: st, q: q, yes: yes, no: no, table: ConfirmKeys(km)}
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
	lines := []string{}
	for _, l := range render.WrapLines(d.q.Text+"?", w, 3) {
		lines = append(lines, st.Bold.Render(l))
	}
	lines = append(lines, "")
	if d.q.Note != "" {
		lines = append(lines, render.WrapLines(d.q.Note, w, 6)...)
		lines = append(lines, "")
	}
	// The keys named are the ones bound (the user may rebind them).
	yes, _ := d.table.Lookup("yes")
	no, _ := d.table.Lookup("no")
	answer := "Press " + st.Bold.Render(yes.Help().Key) + " to go ahead, " +
		st.Bold.Render(no.Help().Key) + " or any other key to cancel.  [y/N]"
	if d.q.Irreversible {
		answer = st.Stopped.Render("This cannot be undone.") + " " + answer
	}
	return "Confirm", append(lines, answer)
}
