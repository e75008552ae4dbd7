package dialog

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/qmpdash/qmpdash/themes"
	"github.com/qmpdash/qmpdash/ui/keys"
)

// Scrolled is a read-only overlay of lines drawn by content for the
// interior's width and scrolled by line: the help overlay and the error
// history.
type Scrolled struct {
	id, title string
	st        *themes.Styles
	km        *keys.Map
	content   func(w int) []string
	table     keys.Table
	sc        scroller
	w, h      int // the interior last drawn, so scrolling clamps before a redraw
}

// NewHelp is the help overlay: every key and the legends.
func NewHelp(st *themes.Styles, km *keys.Map, content func(w int) []string) *Scrolled {
	return &Scrolled{id: "help", title: "Help", st: st, km: km, content: content, table: HelpKeys(km), sc: newScroller()}
}

// NewErrors is the error history, newest first.
func NewErrors(st *themes.Styles, km *keys.Map, content func(w int) []string) *Scrolled {
	return &Scrolled{id: "errors", title: "Error history (newest first)", st: st, km: km, content: content,
		table: ErrorsKeys(km), sc: newScroller()}
}

// HelpKeys is the help overlay's table: its own key closes it too.
func HelpKeys(k *keys.Map) keys.Table { return scrolledKeys(k, "help", "help", &k.Help) }

// ErrorsKeys is the error history's table.
func ErrorsKeys(k *keys.Map) keys.Table { return scrolledKeys(k, "error history", "errors", &k.Errors) }

func scrolledKeys(k *keys.Map, context, self string, selfKey *key.Binding) keys.Table {
	return keys.Table{
		Context: context,
		Entries: append([]keys.Entry{{Action: "quit", Binding: &k.Quit}, {Action: self, Binding: selfKey},
			{Action: "back", Binding: &k.Back}}, scrollEntries(k)...),
		// How to close comes first: a narrow help line cuts from the right.
		Short: []string{"back", "up", "down", "page-up", "page-down", "top", "bottom"},
	}
}

// SetSize sets the interior for a w x h terminal before the first draw,
// so scrolling keys clamp right away.
func (d *Scrolled) SetSize(w, h int) {
	ow, oh := OverlaySize(w, h-1)
	d.w, d.h = ow-4, oh-2
}

func (d *Scrolled) ID() string       { return d.id }
func (d *Scrolled) Keys() keys.Table { return d.table }

func (d *Scrolled) Update(msg tea.Msg) Action {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	a := d.table.Match(k)
	switch {
	case a == "":
		return nil
	case a == "quit":
		return Quit{}
	case a == "back" || a == d.table.Entries[1].Action:
		return Close{}
	}
	if d.w > 0 {
		d.sc.show(d.content(d.w), d.w, d.h)
	}
	d.sc.act(a)
	return nil
}

func (d *Scrolled) View(w, h int) (string, []string) {
	d.w, d.h = w, h
	return d.title, d.sc.view(d.st, d.content(w), w, h, d.km.Down.Help().Key)
}

// Offset is the first line shown.
func (d *Scrolled) Offset() int { return d.sc.vp.YOffset() }
