package panes

import (
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/ui/render"
)

// Memory: base and hot-plugged memory, and the balloon's actual size
// against the target last set through the fleet (QEMU does not report the
// target itself).
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
	target := m.BalloonTarget
	ok := target > 0
	t := "target —"
	if ok {
		t = "target " + render.Bytes(target)
	}
	lines = append(lines, render.KV(st, "Balloon", kw, "actual "+render.Bytes(m.BalloonBytes)+"  "+t))
	ref := m.BaseBytes + m.PluggedBytes
	label := "of base"
	if ok && target > 0 {
		ref, label = target, "of target"
	}
	if ref > 0 {
		frac := float64(m.BalloonBytes) / float64(ref)
		bw := render.BarWidth(w, kw+1+16, 6, 30)
		lines = append(lines, render.KV(st, "", kw, render.Bar(st, frac, bw)+" "+render.Pct(frac*100)+" "+label))
	}
	return lines
}
