package panes

import (
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/ui/render"
)

// live says whether v's figures are true now: connected, and the latest
// poll answered.
func live(v *model.VMSnapshot) bool { return v.Conn == model.ConnConnected && !v.Stale }

// StaleNote is the line a pane opens with when what it shows is not true
// now: the VM is not connected (what follows is last known, as of when),
// or its latest poll failed (figures from the last good one). "" when the
// figures are live.
func StaleNote(c *render.Context, v *model.VMSnapshot) string {
	st := c.Styles
	asOf := ""
	if !v.StateAt.IsZero() {
		asOf = ", as of " + render.Clock(v.StateAt, c.Loc) + " (" + render.Age(c.Now().Sub(v.StateAt)) + " ago)"
	}
	switch {
	case live(v):
		return ""
	case v.Conn == model.ConnConnected:
		return st.ConnBusy.Render("◐ the latest poll failed") + st.Muted.Render(": figures from the last good one"+asOf)
	case v.Conn == model.ConnClosed:
		return st.Muted.Render("■ QEMU has ended: last known" + asOf)
	case v.RunState == "" && v.StateAt.IsZero():
		return st.Muted.Render("✕ not connected: nothing known yet")
	}
	return st.ConnDown.Render("✕ not connected") + st.Muted.Render(": last known"+asOf)
}

// HostNote says, when v's host figures (process and vCPU CPU, RSS,
// threads) are stale, that they are last known and as of when: its SSH
// host's /proc batch stopped arriving while the monitor still answers.
// "" while they are current (or there are none).
func HostNote(c *render.Context, v *model.VMSnapshot) string {
	h := v.Host
	if !h.Stale || h.At.IsZero() {
		return ""
	}
	st := c.Styles
	// The age first: it is what a narrow pane must not cut.
	return st.ConnBusy.Render("◐ stale "+render.Age(c.Now().Sub(h.At))) + st.Muted.Render(": host /proc read at "+
		render.Moment(h.At, c.Now(), c.Loc))
}
