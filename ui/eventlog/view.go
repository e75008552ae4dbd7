package eventlog

import (
	"strings"

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
	if l.scroll > 0 {
		t += " · ↑" + render.Itoa(l.scroll) + " (G follows)"
	}
	if l.dropped > 0 {
		t += " · " + render.Itoa(int(min(l.dropped, 1<<31))) + " dropped"
	}
	return t
}

// View draws the visible part of the log in w x h cells, with the filter
// input on top while it is being edited. vmName is a VM's display name by
// id, for the all-VMs view.
func (l *Model) View(c *render.Context, w, h int, selID string, vmName func(id string) string) []string {
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
	for _, e := range win {
		var b strings.Builder
		b.WriteString(st.Muted.Render(render.Stamp(e.t, c.Loc)))
		b.WriteByte(' ')
		if l.all {
			b.WriteString(st.Accent.Render(render.Fit(vmName(e.vm), 12)))
			b.WriteByte(' ')
		}
		b.WriteString(st.Bold.Render(e.name))
		if e.data != "" {
			b.WriteByte(' ')
			b.WriteString(e.data)
		}
		lines = append(lines, render.Trunc(b.String(), w))
	}
	return lines
}
