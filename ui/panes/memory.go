package panes

import (
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/ui/render"
)

// Memory: base and hot-plugged memory, the balloon's actual size as QEMU
// reports it, and the target last asked through the fleet, marked as a
// request: QEMU never reports the target, and without a balloon driver in
// the guest the actual size never moves toward it.
func Memory(c *render.Context, v *model.VMSnapshot, w int) []string {
	st := c.Styles
	m := v.Memory
	const kw = 9
	lines := []string{
		render.KV(st, "Base", kw, render.Bytes(m.BaseBytes)),
		render.KV(st, "Plugged", kw, render.Bytes(m.PluggedBytes)),
	}
	if !m.HasBalloon {
		return append(lines, render.KV(st, "Balloon", kw, st.Muted.Render("none (no balloon device)")))
	}
	actual := "actual " + render.Bytes(m.BalloonBytes)
	if ram := m.BaseBytes + m.PluggedBytes; ram > 0 {
		actual += st.Muted.Render(" of " + render.Bytes(ram) + " RAM")
	}
	lines = append(lines, render.KV(st, "Balloon", kw, actual))
	r := m.Requested
	if r.IsZero() {
		return lines
	}
	req := render.Bytes(r.Target)
	if r.Target != r.Asked {
		req += st.Muted.Render(" (asked " + render.Bytes(r.Asked) + "; QEMU caps it at RAM)")
	}
	if !r.At.IsZero() {
		req += st.Muted.Render("  " + render.Dur(c.Now().Sub(r.At)) + " ago")
	}
	lines = append(lines, render.KV(st, "Requested", kw, req))
	state := st.Paused.Render("not reached") + st.Muted.Render(": the guest's balloon driver moves actual")
	if m.BalloonBytes == r.Target {
		state = "reached"
	}
	return append(lines, render.KV(st, "", kw, state))
}
