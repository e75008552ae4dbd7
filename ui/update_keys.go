package ui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/qmpdash/qmpdash/ui/panes"
)

// Key routing: whatever is open on top gets the key first (viewer,
// palette, help, error history, a filter being typed), then global keys,
// then the focused area.

func (a *app) onKey(msg tea.KeyPressMsg) tea.Cmd {
	k := &a.keys
	if msg.String() == "ctrl+c" {
		return tea.Quit
	}
	switch {
	case a.view.open:
		return a.updateViewer(msg)
	case a.pal.open:
		return a.updatePalette(msg)
	case a.helpOpen:
		if keyIs(msg, k.Quit) {
			return tea.Quit
		}
		switch {
		case keyIs(msg, k.Back, k.Help):
			a.helpOpen = false
		case keyIs(msg, k.Up):
			a.helpScroll = max(0, a.helpScroll-1)
		case keyIs(msg, k.Down):
			a.scrollHelp(1)
		case keyIs(msg, k.PageUp):
			a.helpScroll = max(0, a.helpScroll-10)
		case keyIs(msg, k.PageDown):
			a.scrollHelp(10)
		case keyIs(msg, k.Top):
			a.helpScroll = 0
		case keyIs(msg, k.Bottom):
			a.scrollHelp(1 << 30)
		}
		return nil
	case a.errs.open:
		return a.updateErrors(msg)
	case a.fleet.editing:
		return a.updateFleetFilter(msg)
	case a.events.editing:
		return a.updateEventFilter(msg)
	}

	switch {
	case keyIs(msg, k.Quit):
		return tea.Quit
	case keyIs(msg, k.Help):
		a.helpOpen, a.helpScroll = true, 0
		return nil
	case keyIs(msg, k.Palette):
		a.openPalette()
		return nil
	case keyIs(msg, k.Errors):
		a.errs.open, a.errs.scroll = true, 0
		return nil
	case keyIs(msg, k.Mouse):
		a.mouse = !a.mouse
		return a.setStatus(statusInfo, "mouse "+onOff(a.mouse)+mouseHint(a.mouse))
	}
	if a.focus == focusFleet {
		return a.fleetKey(msg)
	}
	return a.detailKey(msg)
}

func mouseHint(on bool) string {
	if on {
		return ""
	}
	return ": the terminal's own selection (copy/paste) works now"
}

func (a *app) pageRows() int { return max(1, a.layout().fleetRows().h-1) }

func (a *app) fleetKey(msg tea.KeyPressMsg) tea.Cmd {
	k := &a.keys
	f := &a.fleet
	vms := a.snap.VMs
	switch {
	case keyIs(msg, k.Back):
		if f.filter != "" {
			f.filter = ""
			f.refresh(vms)
		}
	case keyIs(msg, k.Up):
		f.move(vms, -1)
	case keyIs(msg, k.Down):
		f.move(vms, 1)
	case keyIs(msg, k.PageUp):
		f.move(vms, -a.pageRows())
	case keyIs(msg, k.PageDown):
		f.move(vms, a.pageRows())
	case keyIs(msg, k.Top):
		f.moveTo(vms, 0)
	case keyIs(msg, k.Bottom):
		f.moveTo(vms, len(f.order)-1)
	case keyIs(msg, k.Open):
		if len(f.order) > 0 {
			a.focus = focusDetail
			if a.pane == panes.EventsPane && a.layout().wide {
				a.pane = panes.OverviewPane
			}
		}
	case keyIs(msg, k.Filter):
		f.editing = true
		f.input = lineInput{prompt: "/", placeholder: "fuzzy filter by name"}
		f.input.SetValue(f.filter)
	case keyIs(msg, k.Sort):
		f.sortBy = (f.sortBy + 1) % numSortKeys
		f.refresh(vms)
		return a.setStatus(statusInfo, "sorted by "+f.sortLabel()+" ("+f.sortMeaning()+")")
	case keyIs(msg, k.SortReverse):
		f.desc = !f.desc
		f.refresh(vms)
		return a.setStatus(statusInfo, "sorted by "+f.sortLabel()+" ("+f.sortMeaning()+")")
	case keyIs(msg, k.Panes):
		a.focus = focusDetail
		a.pane = panes.ID(msg.String()[0] - '1')
	case keyIs(msg, k.Events):
		a.focus, a.pane = focusDetail, panes.EventsPane
	case keyIs(msg, k.EventsAll):
		a.toggleEventsAll()
	case keyIs(msg, k.EventsFilter):
		a.startEventFilter()
	}
	a.clampScroll()
	return nil
}

func (a *app) detailKey(msg tea.KeyPressMsg) tea.Cmd {
	k := &a.keys
	switch {
	case keyIs(msg, k.Back):
		a.focus = focusFleet
	case keyIs(msg, k.NextPane):
		a.pane = (a.pane + 1) % panes.Count
	case keyIs(msg, k.PrevPane):
		a.pane = (a.pane + panes.Count - 1) % panes.Count
	case keyIs(msg, k.Panes):
		a.pane = panes.ID(msg.String()[0] - '1')
	case keyIs(msg, k.Events):
		if a.pane == panes.EventsPane {
			a.pane = panes.OverviewPane
		} else {
			a.pane = panes.EventsPane
		}
	case keyIs(msg, k.EventsAll):
		a.toggleEventsAll()
	case keyIs(msg, k.EventsFilter):
		a.startEventFilter()
	case keyIs(msg, k.Up):
		a.scrollPane(-1)
	case keyIs(msg, k.Down):
		a.scrollPane(1)
	case keyIs(msg, k.PageUp):
		a.scrollPane(-a.paneHeight())
	case keyIs(msg, k.PageDown):
		a.scrollPane(a.paneHeight())
	case keyIs(msg, k.Top):
		a.scrollPane(-1 << 30)
	case keyIs(msg, k.Bottom):
		a.scrollPane(1 << 30)
	case keyIs(msg, k.Open):
		// enter in the detail view goes back too, so one key toggles.
		a.focus = focusFleet
	}
	return nil
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
		a.events.scrollBy(-delta, h, a.fleet.selID)
		return
	}
	v, ok := a.selected()
	if !ok {
		return
	}
	n := len(a.paneLines(a.pane, v, max(1, a.w-2), h))
	a.scroll[a.pane] = max(0, min(a.scroll[a.pane]+delta, n-h))
}

func (a *app) toggleEventsAll() {
	a.events.all = !a.events.all
	a.events.scroll = 0
}

func (a *app) startEventFilter() {
	a.events.editing = true
	a.events.input = lineInput{prompt: "event name: ", placeholder: "e.g. BLOCK_JOB (enter keeps, esc clears)"}
	a.events.input.SetValue(a.events.filter)
}

// updateFleetFilter edits the fleet filter. Letters type; only keys that
// do not type (the arrows) move the selection meanwhile.
func (a *app) updateFleetFilter(msg tea.KeyPressMsg) tea.Cmd {
	f := &a.fleet
	k := &a.keys
	switch {
	case keyIs(msg, k.InputBack):
		f.editing, f.filter = false, ""
	case keyIs(msg, k.Run):
		f.editing = false
	case keyIs(msg, k.InputUp):
		f.move(a.snap.VMs, -1)
		a.clampScroll()
		return nil
	case keyIs(msg, k.InputDown):
		f.move(a.snap.VMs, 1)
		a.clampScroll()
		return nil
	default:
		if !f.input.handleKey(msg) {
			return nil
		}
		f.filter = strings.TrimSpace(f.input.Value())
	}
	f.offset = 0
	f.refresh(a.snap.VMs)
	a.clampScroll()
	return nil
}

func (a *app) updateEventFilter(msg tea.KeyPressMsg) tea.Cmd {
	l := &a.events
	k := &a.keys
	switch {
	case keyIs(msg, k.InputBack):
		l.editing, l.filter = false, ""
	case keyIs(msg, k.Run):
		l.editing = false
	default:
		if !l.input.handleKey(msg) {
			return nil
		}
		l.filter = strings.ToUpper(strings.TrimSpace(l.input.Value()))
	}
	l.scroll = 0
	return nil
}

func (a *app) updateErrors(msg tea.KeyPressMsg) tea.Cmd {
	k := &a.keys
	e := &a.errs
	switch {
	case keyIs(msg, k.Quit):
		return tea.Quit
	case keyIs(msg, k.Back, k.Errors):
		e.open = false
	case keyIs(msg, k.Up):
		e.scroll = max(0, e.scroll-1)
	case keyIs(msg, k.Down):
		e.scroll = max(0, min(e.scroll+1, len(e.entries)-1))
	case keyIs(msg, k.PageUp):
		e.scroll = max(0, e.scroll-10)
	case keyIs(msg, k.PageDown):
		e.scroll = max(0, min(e.scroll+10, len(e.entries)-1))
	case keyIs(msg, k.Top):
		e.scroll = 0
	case keyIs(msg, k.Bottom):
		e.scroll = max(0, len(e.entries)-1)
	}
	return nil
}

// onPaste sends pasted text to whichever input is open.
func (a *app) onPaste(s string) tea.Cmd {
	switch {
	case a.pal.open && a.pal.stage == palPrompt:
		a.pal.prompt.insert(s)
		a.updateHint()
	case a.pal.open && a.pal.stage == palList:
		a.pal.query.insert(s)
		a.filterPalette()
	case a.fleet.editing:
		a.fleet.input.insert(s)
		a.fleet.filter = strings.TrimSpace(a.fleet.input.Value())
		a.fleet.refresh(a.snap.VMs)
	case a.events.editing:
		a.events.input.insert(s)
		a.events.filter = strings.ToUpper(strings.TrimSpace(a.events.input.Value()))
	}
	return nil
}
