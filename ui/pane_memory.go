package ui

import (
	"github.com/qmpdash/qmpdash/model"
)

// paneMemory: base and hot-plugged memory, and the balloon's actual size
// against the target last set through the fleet (QEMU does not report the
// target itself).
func (a *app) paneMemory(v *model.VMSnapshot, w int) []string {
	st := &a.st
	m := v.Memory
	const kw = 9
	lines := []string{
		kv(st, "Base", kw, fmtBytes(m.BaseBytes)),
		kv(st, "Plugged", kw, fmtBytes(m.PluggedBytes)),
	}
	if !m.HasBalloon {
		return append(lines, kv(st, "Balloon", kw, st.Muted.Render("none (no balloon device)")))
	}
	target := m.BalloonTarget
	ok := target > 0
	t := "target —"
	if ok {
		t = "target " + fmtBytes(target)
	}
	lines = append(lines, kv(st, "Balloon", kw, "actual "+fmtBytes(m.BalloonBytes)+"  "+t))
	ref := m.BaseBytes + m.PluggedBytes
	label := "of base"
	if ok && target > 0 {
		ref, label = target, "of target"
	}
	if ref > 0 {
		frac := float64(m.BalloonBytes) / float64(ref)
		bw := barWidth(w, kw+1+16, 6, 30)
		lines = append(lines, kv(st, "", kw, a.renderBar(frac, bw)+" "+fmtPct(frac*100)+" "+label))
	}
	return lines
}
