package ui

import (
	"strconv"

	"github.com/qmpdash/qmpdash/internal/termsafe"
	"github.com/qmpdash/qmpdash/model"
)

// paneMigration: status, progress, transfer, speed, downtime.
func (a *app) paneMigration(v *model.VMSnapshot, w int) []string {
	st := &a.st
	mg := v.Migration
	if mg.Status == "" {
		return []string{st.Muted.Render("no migration started")}
	}
	const kw = 12
	lines := []string{kv(st, "Status", kw, st.Bold.Render(termsafe.Line(termsafe.Clip(mg.Status, 64))))}
	bw := barWidth(w, kw+1+8, 6, 40)
	lines = append(lines,
		kv(st, "Progress", kw, a.renderBar(mg.Progress, bw)+" "+fmtPct(mg.Progress*100)),
		kv(st, "Transferred", kw, fmtBytes(mg.TransferredBytes)+" of "+fmtBytes(mg.TotalBytes)+
			st.Muted.Render("  ("+fmtBytes(mg.RemainingBytes)+" left)")),
		kv(st, "Speed", kw, strconv.FormatFloat(mg.MbpsRate, 'f', 1, 64)+" Mbps"),
	)
	dt := "—"
	if mg.Downtime > 0 {
		dt = fmtDur(mg.Downtime)
	} else if mg.ExpectedDowntime > 0 {
		dt = "expected " + fmtDur(mg.ExpectedDowntime)
	}
	lines = append(lines, kv(st, "Downtime", kw, dt))
	if mg.TotalTime > 0 {
		lines = append(lines, kv(st, "Total time", kw, fmtDur(mg.TotalTime)))
	}
	if mg.ErrorDesc != "" {
		lines = append(lines, kv(st, "Error", kw, st.Stopped.Render(termsafe.Line(termsafe.Clip(mg.ErrorDesc, 512)))))
	}
	return lines
}
