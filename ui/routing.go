package ui

import (
	tea "charm.land/bubbletea/v2"
	"github.com/qmpdash/qmpdash/ui/dialog"
	"github.com/qmpdash/qmpdash/ui/keys"
	"github.com/qmpdash/qmpdash/ui/palette"
	"github.com/qmpdash/qmpdash/ui/panes"
)

// Key routing: the dialog on top of the stack gets the key first; else a
// filter being typed; else the global keys, then the focused area. Each
// state matches the key in its own table (tables.go) and switches on the
// action it names.

func (a *app) onKey(msg tea.KeyPressMsg) tea.Cmd {
	if msg.String() == "ctrl+c" {
		return tea.Quit
	}
	if d := a.stack.Top(); d != nil {
		return a.carryOut(d.Update(msg))
	}
	t := a.bodyKeys()
	act := t.Match(msg)
	switch {
	case a.fleet.Editing():
		return a.updateFleetFilter(act, msg)
	case a.events.Editing():
		return a.updateEventFilter(act, msg)
	}
	switch act {
	case "quit":
		return tea.Quit
	case "help":
		a.stack.Push(dialog.NewHelp(&a.st, &a.keys, a.renderHelp), a.w, a.h)
		return nil
	case "palette":
		a.openPalette()
		return nil
	case "errors":
		a.stack.Push(dialog.NewErrors(&a.st, &a.keys, a.renderErrors), a.w, a.h)
		return nil
	case "mouse":
		a.mouse = !a.mouse
		return a.setStatus(statusInfo, "mouse "+onOff(a.mouse)+mouseHint(a.mouse))
	case "":
		return nil
	}
	if a.focus == focusFleet {
		return a.fleetKey(act, msg)
	}
	return a.detailKey(act, msg)
}

// bodyKeys is the table of what has the keys when no dialog is on top.
func (a *app) bodyKeys() keys.Table {
	switch {
	case a.fleet.Editing():
		return *a.fleet.Table()
	case a.events.Editing():
		return *a.events.FilterTable()
	case a.focus == focusDetail && a.pane == panes.EventsPane:
		return a.tables.events
	case a.focus == focusDetail:
		return a.tables.detail
	}
	return a.tables.fleet
}

// keyTable is the table of whatever has the keys now: the help line.
func (a *app) keyTable() keys.Table {
	if d := a.stack.Top(); d != nil {
		return d.Keys()
	}
	return a.bodyKeys()
}

// carryOut does what a dialog asked.
func (a *app) carryOut(act dialog.Action) tea.Cmd {
	switch x := act.(type) {
	case dialog.Quit:
		return tea.Quit
	case dialog.Close:
		a.stack.Pop()
	case dialog.Run:
		a.stack.Pop()
		return x.Cmd
	case dialog.Do:
		return x.Cmd
	case palette.Chosen:
		a.stack.Remove("palette")
		return a.chosen(x)
	}
	return nil
}

func mouseHint(on bool) string {
	if on {
		return ""
	}
	return ": the terminal's own selection (copy/paste) works now"
}

func (a *app) pageRows() int { return max(1, a.layout().fleetRows().h-1) }

func (a *app) fleetKey(act string, msg tea.KeyPressMsg) tea.Cmd {
	if status, ok := a.fleet.Do(act, a.pageRows()); ok {
		a.clampScroll()
		if status != "" {
			return a.setStatus(statusInfo, status)
		}
		return nil
	}
	switch act {
	case "open":
		if a.fleet.Rows() > 0 {
			a.focus = focusDetail
			if a.pane == panes.EventsPane && a.layout().wide {
				a.pane = panes.OverviewPane
			}
		}
	case "panes":
		a.focus = focusDetail
		a.pane = panes.ID(msg.String()[0] - '1')
	case "events":
		a.focus, a.pane = focusDetail, panes.EventsPane
	case "events-all":
		a.events.ToggleAll()
	case "events-filter":
		a.startEventFilter()
	case "reconnect":
		return a.reconnect(a.fleet.SelectedID())
	}
	a.clampScroll()
	return nil
}

func (a *app) detailKey(act string, msg tea.KeyPressMsg) tea.Cmd {
	if a.pane == panes.EventsPane && a.eventKey(act) {
		return nil
	}
	switch act {
	case "back":
		a.focus = focusFleet
	case "next-pane":
		a.pane = (a.pane + 1) % panes.Count
	case "prev-pane":
		a.pane = (a.pane + panes.Count - 1) % panes.Count
	case "panes":
		a.pane = panes.ID(msg.String()[0] - '1')
	case "events":
		if a.pane == panes.EventsPane {
			a.pane = panes.OverviewPane
		} else {
			a.pane = panes.EventsPane
		}
	case "events-all":
		a.events.ToggleAll()
	case "events-filter":
		a.startEventFilter()
	case "up":
		a.scrollPane(-1)
	case "down":
		a.scrollPane(1)
	case "page-up":
		a.scrollPane(-a.paneHeight())
	case "page-down":
		a.scrollPane(a.paneHeight())
	case "top":
		a.scrollPane(-1 << 30)
	case "bottom":
		a.scrollPane(1 << 30)
	case "open":
		// enter in the detail view goes back too, so one key toggles.
		a.focus = focusFleet
	case "reconnect":
		return a.reconnect(a.fleet.SelectedID())
	}
	return nil
}

// eventKey handles the keys that act on the focused event log's cursor:
// moving it, and enter, which opens the event under it whole in the
// viewer. It says whether the key was one of them.
func (a *app) eventKey(act string) bool {
	h, sel := a.eventsHeight(), a.fleet.SelectedID()
	switch act {
	case "up":
		a.events.MoveCursor(1, h, sel)
	case "down":
		a.events.MoveCursor(-1, h, sel)
	case "page-up":
		a.events.MoveCursor(h, h, sel)
	case "page-down":
		a.events.MoveCursor(-h, h, sel)
	case "top":
		a.events.MoveCursor(1<<30, h, sel)
	case "bottom":
		a.events.MoveCursor(-1<<30, h, sel)
	case "open":
		if e, ok := a.events.Selected(sel); ok {
			a.stack.Push(dialog.NewViewer(&a.keys, e.Title(a.vmName(e.VMID), a.drawCtx().Loc), e.Pretty()), a.w, a.h)
		}
	default:
		return false
	}
	return true
}

// paneHeight is the number of content lines the focused pane shows.
func (a *app) paneHeight() int {
	if a.pane == panes.EventsPane {
		return a.eventsHeight()
	}
	l := a.layout()
	if l.wide {
		if v, ok := a.selected(); ok {
			for _, b := range a.widePanes(v, l.detail) {
				if b.id == a.pane {
					return max(1, b.r.h-2)
				}
			}
		}
		return 1
	}
	return max(1, l.detail.h-2)
}

// scrollPane scrolls the focused pane; for the event log, down is newer
// (toward the followed tail).
func (a *app) scrollPane(delta int) {
	h := a.paneHeight()
	if a.pane == panes.EventsPane {
		a.events.ScrollBy(-delta, h, a.fleet.SelectedID())
		return
	}
	v, ok := a.selected()
	if !ok {
		return
	}
	n := len(a.paneLines(a.pane, v, max(1, a.w-2), h))
	a.scroll[a.pane] = max(0, min(a.scroll[a.pane]+delta, n-h))
}

func (a *app) startEventFilter() {
	a.events.StartFilter()
}

// updateFleetFilter passes a key to the fleet filter being typed.
func (a *app) updateFleetFilter(act string, msg tea.KeyPressMsg) tea.Cmd {
	a.fleet.EditFilter(act, msg)
	a.clampScroll()
	return nil
}

// updateEventFilter edits the event name filter, kept upper-cased.
func (a *app) updateEventFilter(act string, msg tea.KeyPressMsg) tea.Cmd {
	a.events.EditFilter(act, msg)
	return nil
}

// onPaste sends pasted text to whatever has the keys: the top dialog,
// or a filter being typed.
func (a *app) onPaste(msg tea.PasteMsg) tea.Cmd {
	s := msg.Content
	if d := a.stack.Top(); d != nil {
		return a.carryOut(d.Update(msg))
	}
	switch {
	case a.fleet.Editing():
		a.fleet.Paste(s)
	case a.events.Editing():
		a.events.Paste(s)
	}
	return nil
}
