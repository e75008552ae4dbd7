package eventlog

import (
	"strings"

	"github.com/qmpdash/qmpdash/themes"
	"github.com/qmpdash/qmpdash/ui/render"
)

// Title is the log's box title: what it shows and whether it follows.
// selName is the selected VM's display name ("" for none).
func (l *Model) Title(selName string) string {
	t := "Events"
	if l.all {
		t += " · all VMs"
	} else if selName != "" {
		t += " · " + selName
	}
	if l.filter != "" {
		t += " · name ~ " + l.filter
	}
	if l.cursor > 0 {
		t += " · ↑" + render.Itoa(l.cursor) + " (G follows)"
	}
	if l.dropped > 0 {
		t += " · " + render.Itoa(int(min(l.dropped, 1<<31))) + " dropped"
	}
	return t
}

// View draws the visible part of the log in w x h cells, with the filter
// input on top while it is being edited; focused marks the cursor's line.
// vmName is a VM's display name by id, for the all-VMs view.
func (l *Model) View(c *render.Context, w, h int, focused bool, selID string, vmName func(id string) string) []string {
	st := c.Styles
	var lines []string
	if l.editing {
		lines = append(lines, l.input.View(&st.Input, w, true))
		h--
	}
	if h <= 0 {
		return lines
	}
	win := l.window(h, selID)
	if len(win) == 0 {
		msg := "no events yet"
		if l.filter != "" {
			msg = "no events match " + l.filter
		}
		return append(lines, st.Muted.Render(msg))
	}
	cur := len(win) - 1 - (l.cursor - l.scroll)
	for i, e := range win {
		if focused && i == cur {
			// The selected line in one style: inner styles would end it.
			lines = append(lines, st.Selected.Render(render.Fit(l.line(c, e, vmName, plain), w)))
			continue
		}
		lines = append(lines, render.Trunc(l.line(c, e, vmName, styled), w))
	}
	return lines
}

// styled and plain draw a part of a line with its style and without.
func styled(i themes.Ink, s string) string { return i.Render(s) }
func plain(_ themes.Ink, s string) string  { return s }

// line is one event's line; style draws each part.
func (l *Model) line(c *render.Context, e *entry, vmName func(string) string, style func(themes.Ink, string) string) string {
	st := c.Styles
	var b strings.Builder
	b.WriteString(style(st.Muted, render.Stamp(e.t, c.Loc)))
	b.WriteByte(' ')
	if l.all {
		b.WriteString(style(st.Accent, render.Fit(vmName(e.vm), 12)))
		b.WriteByte(' ')
	}
	b.WriteString(style(st.Bold, e.name))
	if e.data != "" {
		b.WriteByte(' ')
		b.WriteString(e.data)
	}
	return b.String()
}
