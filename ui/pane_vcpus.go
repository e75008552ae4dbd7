package ui

import (
	"strconv"

	"github.com/qmpdash/qmpdash/model"
)

// paneVCPUs: per-vCPU host CPU with a bar, thread id and history.
func (a *app) paneVCPUs(v *model.VMSnapshot, w int) []string {
	st := &a.st
	if len(v.VCPUs) == 0 {
		return []string{st.Muted.Render("no vCPUs reported")}
	}
	// CPU(5) THREAD(9) bar % (8) gap(2) history: the bar gets half of
	// what is left, the history the rest.
	rest := w - 24
	bw := max(6, min(30, rest/2))
	sw := max(0, rest-bw)
	hdr := fit("CPU", 5) + fit("THREAD", 9) + fit("USE", bw+8)
	if sw > 0 {
		hdr += " HISTORY"
	}
	lines := []string{st.Header.Render(hdr)}
	for _, c := range v.VCPUs {
		tid := "—"
		if c.ThreadID > 0 {
			tid = strconv.Itoa(c.ThreadID)
		}
		use := st.Muted.Render(fit("", bw) + fitLeft("—", 8))
		if c.HasCPU {
			use = a.renderBar(c.CPUPercent/100, bw) + fitLeft(fmtPct(c.CPUPercent), 8)
		}
		line := fitLeft(strconv.Itoa(c.Index), 3) + "  " + fit(tid, 9) + use
		if sw > 0 && len(c.History) > 0 {
			line += "  " + st.Spark.Render(sparkline(c.History, sw, 100))
		}
		lines = append(lines, line)
	}
	return lines
}
