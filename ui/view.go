package ui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/qmpdash/qmpdash/internal/termsafe"
	"github.com/qmpdash/qmpdash/ui/panes"
	"github.com/qmpdash/qmpdash/ui/render"
)

// View: header, body (fleet, detail, events), status bar and a help line,
// with the top dialog of the stack (palette, help, error history, viewer,
// y/N) drawn over the body.
// View reads state only; the clock it shows comes from a.now.

func (a *app) View() tea.View {
	var v tea.View
	v.AltScreen = true
	if a.mouse {
		v.MouseMode = tea.MouseModeCellMotion
	}
	v.WindowTitle = "qmpdash"
	v.SetContent(a.render())
	return v
}

func (a *app) render() string {
	l := a.layout()
	if l.tooSmall {
		return a.renderTooSmall()
	}
	body := a.compose(a.renderBody(l), l.body)
	var b strings.Builder
	b.Grow(a.w * a.h * 2)
	b.WriteString(render.Fit(a.renderHeader(), a.w))
	b.WriteByte('\n')
	b.WriteString(body)
	b.WriteByte('\n')
	b.WriteString(render.Fit(a.renderStatus(a.w), a.w))
	b.WriteByte('\n')
	b.WriteString(render.Fit(a.renderHelpLine(), a.w))
	return b.String()
}

func (a *app) renderTooSmall() string {
	msg := []string{"Terminal too small", render.Itoa(a.w) + "x" + render.Itoa(a.h) + ", need " + render.Itoa(minW) + "x" + render.Itoa(minH), a.keys.Quit.Help().Key + " quits"}
	return render.Block(msg, a.w, a.h)
}

func (a *app) renderHeader() string {
	st := &a.st
	f := &a.fleet
	parts := []string{st.Title.Render("qmpdash"), f.HeaderCount()}
	parts = append(parts, st.Muted.Render("sort "+f.SortLabel()))
	if f.Editing() {
		parts = append(parts, f.FilterInput(st, max(10, a.w/3)))
	} else if f.Filter() != "" {
		parts = append(parts, st.Accent.Render("filter /"+f.Filter()))
	}
	if a.closed {
		parts = append(parts, st.Stopped.Render("fleet stopped"))
	}
	left := strings.Join(parts, st.Muted.Render(" │ "))
	if a.opts.DemoNote == "" {
		return left
	}
	note := st.Note.Render(termsafe.Line(a.opts.DemoNote))
	gap := a.w - render.Width(left) - render.Width(note)
	if gap < 1 {
		return left
	}
	return left + strings.Repeat(" ", gap) + note
}

// renderHelpLine draws the help line; when it does not fit, the keys
// before help and quit are dropped from the right, so those two always
// show.
func (a *app) renderHelpLine() string {
	hm := a.helpM // a copy: View does not change the model
	t := a.keyTable()
	var pinned, rest []string
	for _, n := range t.Short {
		if n == "help" || n == "quit" {
			pinned = append(pinned, n)
		} else {
			rest = append(rest, n)
		}
	}
	for {
		t.Short = append(append([]string(nil), rest...), pinned...)
		line := hm.ShortHelpView(t.ShortHelp())
		if render.Width(line) <= a.w || len(rest) == 0 {
			hm.SetWidth(a.w)
			return hm.ShortHelpView(t.ShortHelp())
		}
		rest = rest[:len(rest)-1]
	}
}

func (a *app) renderBody(l layout) string {
	w, h := l.body.w, l.body.h
	if l.wide {
		return a.renderWide(l)
	}
	if a.focus == focusFleet {
		return render.Block(a.fleet.View(a.drawCtx(), w, h, a.opts.Watching), w, h)
	}
	tabs := a.renderTabs(w)
	return tabs + "\n" + a.renderPaneBox(a.pane, l.detail.w, l.detail.h, true)
}

func (a *app) renderTabs(w int) string {
	var b strings.Builder
	gap := strings.Repeat(" ", tabGap(w))
	for i, t := range tabLabels(w) {
		if panes.ID(i) == a.pane {
			b.WriteString(a.st.TabActive.Render(t))
		} else {
			b.WriteString(a.st.Tab.Render(t))
		}
		b.WriteString(gap)
	}
	return render.Fit(b.String(), w)
}

// renderPaneBox draws one pane, scrolled, in a box (compact layout).
func (a *app) renderPaneBox(p panes.ID, w, h int, focused bool) string {
	title := panes.Titles[p]
	var lines []string
	if p == panes.EventsPane {
		title = a.eventsTitle()
		lines = a.eventLines(w-2, h-2)
	} else if v, ok := a.selected(); ok {
		title += " · " + a.vmName(v.ID)
		lines = a.scrolled(p, a.paneLines(p, v, w-2, h-2), h-2)
	} else {
		lines = []string{a.st.Muted.Render("no VM selected")}
	}
	return render.Box(&a.st, title, lines, w, h, focused)
}

// scrolled applies the pane's scroll offset and marks hidden lines.
func (a *app) scrolled(p panes.ID, lines []string, h int) []string {
	off := max(0, min(a.scroll[p], len(lines)-h))
	lines = lines[off:]
	if len(lines) > h && h > 0 {
		more := len(lines) - h + 1
		lines = append(lines[:h-1:h-1], a.st.Muted.Render("↓ "+render.Itoa(more)+" more"))
	}
	return lines
}

func (a *app) renderWide(l layout) string {
	st := &a.st
	fl := l.fleet
	fleetBox := render.Box(st, "Fleet", a.fleet.View(a.drawCtx(), fl.w-2, fl.h-2, a.opts.Watching), fl.w, fl.h, a.focus == focusFleet)
	evFocused := a.focus == focusDetail && a.pane == panes.EventsPane
	ev := render.Box(st, a.eventsTitle(), a.eventLines(l.events.w-2, l.events.h-2), l.events.w, l.events.h, evFocused)
	return fleetBox + "\n" + render.JoinH([]int{l.detail.w, l.events.w}, a.renderGrid(l.detail), ev)
}

// renderGrid draws the wide layout's panes in their two columns.
func (a *app) renderGrid(r rect) string {
	v, ok := a.selected()
	if !ok {
		return render.Box(&a.st, "Detail", []string{a.st.Muted.Render("no VM selected")}, r.w, r.h, false)
	}
	boxes := a.widePanes(v, r)
	// Stack each column's boxes; the bottom (Block) box spans both.
	var cols [2][]string
	var bottom string
	lw, topH := a.leftWidth(v, r.w), r.h
	for _, b := range boxes {
		focused := a.focus == focusDetail && a.pane == b.id
		title := render.Itoa(int(b.id)+1) + " " + panes.Titles[b.id]
		if b.id == panes.OverviewPane {
			title += " · " + a.vmName(v.ID)
		}
		s := render.Box(&a.st, title, a.scrolled(b.id, b.lines, b.r.h-2), b.r.w, b.r.h, focused)
		switch {
		case b.id == panes.BlockPane:
			bottom, topH = s, b.r.y-r.y
		case b.r.x >= r.x+lw:
			cols[1] = append(cols[1], s)
		default:
			cols[0] = append(cols[0], s)
		}
	}
	left := render.Block(strings.Split(strings.Join(cols[0], "\n"), "\n"), lw, topH)
	right := render.Block(strings.Split(strings.Join(cols[1], "\n"), "\n"), r.w-lw, topH)
	if topH <= 0 {
		return bottom
	}
	return render.JoinH([]int{lw, r.w - lw}, left, right) + "\n" + bottom
}

// eventsTitle is the event log's box title.
func (a *app) eventsTitle() string {
	name := ""
	if v, ok := a.selected(); ok {
		name = a.vmName(v.ID)
	}
	return a.events.Title(name)
}

// eventLines draws the event log in w x h cells.
func (a *app) eventLines(w, h int) []string {
	focused := a.focus == focusDetail && a.pane == panes.EventsPane
	return a.events.View(a.drawCtx(), w, h, focused, a.fleet.SelectedID(), a.vmName)
}
