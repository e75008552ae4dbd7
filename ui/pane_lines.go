package ui

import (
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/ui/panes"
	"github.com/qmpdash/qmpdash/ui/render"
)

// paneLines draws one pane of v (the event log for EventsPane); the
// caller frames, clips and scrolls the lines.
func (a *app) paneLines(p panes.ID, v *model.VMSnapshot, w, h int) []string {
	if p == panes.EventsPane {
		return a.eventLines(w, h)
	}
	lines := panes.Lines(p, a.drawCtx(), v, w)
	if note := panes.StaleNote(a.drawCtx(), v); note != "" {
		// Whatever follows is not true now: say so first.
		lines = append([]string{note}, lines...)
	}
	return lines
}

// drawCtx is the drawing context the parts share (rebuilt by restyle).
func (a *app) drawCtx() *render.Context { return &a.draw }
