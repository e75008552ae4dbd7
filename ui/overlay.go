package ui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/qmpdash/qmpdash/themes"
	"github.com/qmpdash/qmpdash/ui/render"
)

// Overlays (palette, help, error history, viewer) are framed boxes
// spliced over the body.

// overlay returns the open overlay's title and lines, if any.
func (a *app) overlay(l layout) (string, []string, bool) {
	ow, oh := overlaySize(l.body.w, l.body.h+2)
	inner := ow - 4
	switch {
	case a.view.open:
		return a.view.title, strings.Split(a.view.vp.View(), "\n"), true
	case a.pal.open:
		t, lines := a.renderPalette(inner, oh-2)
		return t, lines, true
	case a.helpOpen:
		return "Help", scrollLines(&a.st, a.renderHelp(inner), a.helpScroll, oh-2, a.keys.Down.Help().Key), true
	case a.errs.open:
		return "Error history (newest first)", a.renderErrors(inner, oh-2), true
	}
	return "", nil, false
}

// compose draws a framed overlay centred over the body.
func (a *app) compose(body string, r rect, title string, lines []string) string {
	ow, oh := overlaySize(r.w, r.h+2)
	oh = min(oh, r.h)
	if !a.view.open && len(lines)+2 < oh {
		oh = len(lines) + 2
	}
	padded := make([]string, len(lines))
	for i, s := range lines {
		padded[i] = " " + s
	}
	ov := render.Box(&a.st, title, padded, ow, oh, true)
	return splice(body, ov, max(0, (r.w-ow)/2), max(0, (r.h-oh)/3), ow)
}

// splice draws block ov (ow cells wide) over body at x, y. Only the rows
// it covers are cut, so the cost does not grow with the terminal's size the
// way a full compositor's does.
func splice(body, ov string, x, y, ow int) string {
	lines := strings.Split(body, "\n")
	for i, o := range strings.Split(ov, "\n") {
		row := y + i
		if row >= len(lines) {
			break
		}
		l := lines[row]
		left := ansi.TruncateWc(l, x, "")
		if lw := render.Width(left); lw < x {
			left += strings.Repeat(" ", x-lw)
		}
		right := ansi.TruncateLeftWc(l, x+ow, "")
		// Reset before the overlay so the body's colours do not bleed in;
		// the right part carries the body's escape sequences along.
		lines[row] = left + "\x1b[m" + o + "\x1b[m" + right
	}
	return strings.Join(lines, "\n")
}

// scrollLines shows h lines from off, marking what is hidden below and
// naming downKey, the label of the keys that scroll.
func scrollLines(st *themes.Styles, lines []string, off, h int, downKey string) []string {
	if h <= 0 {
		return nil
	}
	off = max(0, min(off, len(lines)-h))
	lines = lines[off:]
	if len(lines) > h {
		more := len(lines) - h + 1
		lines = append(lines[:h-1:h-1], st.Muted.Render("↓ "+render.Itoa(more)+" more ("+downKey+" scrolls)"))
	}
	return lines
}
