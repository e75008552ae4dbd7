package ui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/qmpdash/qmpdash/ui/dialog"
	"github.com/qmpdash/qmpdash/ui/render"
)

// The dialog on top of the stack is drawn as a framed box spliced over
// the body; the ones under it wait.

// compose draws the top dialog, if any, centred over the body.
func (a *app) compose(body string, r rect) string {
	d := a.stack.Top()
	if d == nil {
		return body
	}
	ow, oh := dialog.OverlaySize(r.w, r.h+2)
	title, lines := d.View(ow-4, oh-2)
	oh = min(oh, r.h)
	if f, ok := d.(dialog.Fixed); !(ok && f.FixedHeight()) && len(lines)+2 < oh {
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
