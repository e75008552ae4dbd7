package ui

import (
	tea "charm.land/bubbletea/v2"
	"github.com/qmpdash/qmpdash/ui/panes"
	"github.com/qmpdash/qmpdash/ui/render"
)

// Mouse: a click selects a VM, a pane or a tab; the wheel scrolls what is
// under the pointer. Geometry comes from layout(), the same as View's.

func (a *app) onMouse(msg tea.MouseMsg) tea.Cmd {
	if !a.mouse {
		return nil
	}
	m := msg.Mouse()
	if d := a.stack.Top(); d != nil {
		return a.carryOut(d.Update(msg))
	}
	l := a.layout()
	if l.tooSmall {
		return nil
	}
	switch msg.(type) {
	case tea.MouseClickMsg:
		if m.Button != tea.MouseLeft {
			return nil
		}
		a.click(l, m.X, m.Y)
	case tea.MouseWheelMsg:
		delta := 0
		switch m.Button {
		case tea.MouseWheelUp:
			delta = -3
		case tea.MouseWheelDown:
			delta = 3
		default:
			return nil
		}
		a.wheel(l, m.X, m.Y, delta)
	}
	return nil
}

func (a *app) click(l layout, x, y int) {
	rows := l.fleetRows()
	if (l.wide || a.focus == focusFleet) && rows.contains(x, y) {
		if i, ok := a.fleet.RowAt(y - rows.y); ok {
			a.fleet.MoveTo(i)
			if l.wide {
				a.focus = focusFleet
			}
		}
		return
	}
	if l.tabs.contains(x, y) {
		px := 0
		for i, t := range tabLabels(l.tabs.w) {
			tw := render.Width(t) + tabGap(l.tabs.w)
			if x >= px && x < px+tw {
				a.pane = panes.ID(i)
				return
			}
			px += tw
		}
		return
	}
	if l.wide {
		if l.events.contains(x, y) {
			a.focus, a.pane = focusDetail, panes.EventsPane
			return
		}
		if v, ok := a.selected(); ok && l.detail.contains(x, y) {
			for _, b := range a.widePanes(v, l.detail) {
				if b.r.contains(x, y) {
					a.focus, a.pane = focusDetail, b.id
					return
				}
			}
		}
	}
}

func (a *app) wheel(l layout, x, y, delta int) {
	switch {
	case (l.wide || a.focus == focusFleet) && l.fleet.contains(x, y):
		a.fleet.Move(delta)
		a.clampScroll()
	case l.wide && l.events.contains(x, y):
		a.events.ScrollBy(-delta, max(1, l.events.h-2), a.fleet.SelectedID())
	case l.wide && l.detail.contains(x, y):
		if v, ok := a.selected(); ok {
			for _, b := range a.widePanes(v, l.detail) {
				if b.r.contains(x, y) {
					a.pane = b.id
					a.scrollPane(delta)
					return
				}
			}
		}
	case !l.wide && l.detail.contains(x, y):
		a.scrollPane(delta)
	}
}
