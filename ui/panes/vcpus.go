package panes

import (
	"strconv"

	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/ui/render"
)

// VCPUs: per-vCPU host CPU with a bar, thread id and history.
func VCPUs(c *render.Context, v *model.VMSnapshot, w int) []string {
	st := c.Styles
	if len(v.VCPUs) == 0 {
		return []string{st.Muted.Render("no vCPUs reported")}
	}
	// CPU(5) THREAD(9) bar % (8) gap(2) history: the bar gets half of
	// what is left, the history the rest.
	rest := w - 24
	bw := max(6, min(30, rest/2))
	sw := max(0, rest-bw)
	hdr := render.Fit("CPU", 5) + render.Fit("THREAD", 9) + render.Fit("USE", bw+8)
	if sw > 0 {
		hdr += " HISTORY"
	}
	var lines []string
	if note := HostNote(c, v); note != "" {
		// The USE column is as of then, not now.
		lines = append(lines, render.WrapLines(note, w, 2)...)
	}
	lines = append(lines, st.Header.Render(hdr))
	for _, c := range v.VCPUs {
		tid := "—"
		if c.ThreadID > 0 {
			tid = strconv.Itoa(c.ThreadID)
		}
		use := st.Muted.Render(render.Fit("", bw) + render.FitLeft("—", 8))
		if c.HasCPU {
			use = render.Bar(st, c.CPUPercent/100, bw) + render.FitLeft(render.Pct(c.CPUPercent), 8)
		}
		line := render.FitLeft(strconv.Itoa(c.Index), 3) + "  " + render.Fit(tid, 9) + use
		if sw > 0 && len(c.History) > 0 {
			line += "  " + st.Spark.Render(render.Sparkline(c.History, sw, 100))
		}
		lines = append(lines, line)
	}
	return lines
}
