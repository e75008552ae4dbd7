package ui

import (
	tea "charm.land/bubbletea/v2"
	"github.com/qmpdash/qmpdash/ui/dialog"
	"github.com/qmpdash/qmpdash/ui/keys"
)

// paletteDialog puts the command palette on the dialog stack, so the one
// stack decides what is on top. Its state is the root's (a.pal): the
// palette needs the fleet, the Source and the history, which the root
// holds.
type paletteDialog struct{ a *app }

func (d paletteDialog) ID() string { return "palette" }

func (d paletteDialog) Keys() keys.Table {
	t := &d.a.tables
	switch {
	case d.a.pal.stage == palPrompt && d.a.pal.act.completes():
		return t.promptComplete
	case d.a.pal.stage == palPrompt:
		return t.prompt
	}
	return t.paletteList
}

func (d paletteDialog) Update(msg tea.Msg) dialog.Action {
	a := d.a
	switch m := msg.(type) {
	case tea.KeyPressMsg:
		return dialog.Do{Cmd: a.updatePalette(m)}
	case tea.PasteMsg:
		if a.pal.stage == palPrompt {
			a.pal.prompt.Insert(m.Content)
			a.updateHint()
		} else {
			a.pal.query.Insert(m.Content)
			a.filterPalette()
		}
	}
	return nil
}

func (d paletteDialog) View(w, h int) (string, []string) { return d.a.renderPalette(w, h) }
