package panes

import (
	"strconv"

	"github.com/qmpdash/qmpdash/internal/termsafe"
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/ui/render"
)

// Migration: status, progress, transfer, speed, downtime.
func Migration(c *render.Context, v *model.VMSnapshot, w int) []string {
	st := c.Styles
	mg := v.Migration
	if mg.Status == "" {
		return []string{st.Muted.Render("no migration started")}
	}
	const kw = 12
	lines := []string{render.KV(st, "Status", kw, st.Bold.Render(termsafe.Line(termsafe.Clip(mg.Status, 64))))}
	bw := render.BarWidth(w, kw+1+8, 6, 40)
	lines = append(lines,
		render.KV(st, "Progress", kw, render.Bar(st, mg.Progress, bw)+" "+render.Pct(mg.Progress*100)),
		render.KV(st, "Transferred", kw, render.Bytes(mg.TransferredBytes)+" of "+render.Bytes(mg.TotalBytes)+
			st.Muted.Render("  ("+render.Bytes(mg.RemainingBytes)+" left)")),
		render.KV(st, "Speed", kw, strconv.FormatFloat(mg.MbpsRate, 'f', 1, 64)+" Mbps"),
	)
	dt := "—"
	if mg.Downtime > 0 {
		dt = render.Dur(mg.Downtime)
	} else if mg.ExpectedDowntime > 0 {
		dt = "expected " + render.Dur(mg.ExpectedDowntime)
	}
	lines = append(lines, render.KV(st, "Downtime", kw, dt))
	if mg.TotalTime > 0 {
		lines = append(lines, render.KV(st, "Total time", kw, render.Dur(mg.TotalTime)))
	}
	if mg.ErrorDesc != "" {
		lines = append(lines, render.KV(st, "Error", kw, st.Stopped.Render(termsafe.Line(termsafe.Clip(mg.ErrorDesc, 512)))))
	}
	return lines
}
