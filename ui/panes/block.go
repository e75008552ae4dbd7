package panes

import (
	"fmt"
	"strings"

	"github.com/qmpdash/qmpdash/internal/termsafe"
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/ui/render"
)

// Block: each block device (node, file, format, size, read-only,
// tray) with read/write rates, IOPS and history, then the block jobs with
// progress bars and ETA.
func Block(c *render.Context, v *model.VMSnapshot, w int) []string {
	st := c.Styles
	var lines []string
	if len(v.Blocks) == 0 {
		lines = append(lines, st.Muted.Render("no block devices"))
	}
	// Two "R/W rate iops IOPS" groups of 22 cells, an indent and gaps,
	// then the two sparklines share what is left.
	sw := max(0, min(24, (w-51)/2))
	for i := range v.Blocks {
		b := &v.Blocks[i]
		name := termsafe.Line(termsafe.Clip(b.Label(), 128))
		if name == "" {
			name = "?"
		}
		var attrs []string
		if b.NodeName != "" && b.NodeName != b.Label() {
			attrs = append(attrs, "node "+termsafe.Line(termsafe.Clip(b.NodeName, 128)))
		}
		if b.Format != "" {
			attrs = append(attrs, termsafe.Line(termsafe.Clip(b.Format, 32)))
		}
		if b.Inserted || b.SizeBytes > 0 {
			attrs = append(attrs, render.Bytes(b.SizeBytes))
		}
		if b.ReadOnly {
			attrs = append(attrs, "ro")
		} else if b.Inserted {
			attrs = append(attrs, "rw")
		}
		if b.Removable {
			tray := "tray closed"
			if b.TrayOpen {
				tray = "tray open"
			}
			if b.Locked {
				tray += ", locked"
			}
			if !b.Inserted {
				tray += ", empty"
			}
			attrs = append(attrs, tray)
		}
		if b.IOStatus != "" && b.IOStatus != "ok" {
			attrs = append(attrs, st.Stopped.Render("io "+termsafe.Line(termsafe.Clip(b.IOStatus, 32))))
		}
		head := st.Bold.Render("▪ "+name) + " " + st.Muted.Render("("+strings.Join(attrs, ", ")+")")
		if b.File != "" {
			head += "  " + termsafe.Line(termsafe.Clip(b.File, 512))
		}
		lines = append(lines, head)
		io := func(tag string, bps, iops float64, hist []float64) string {
			if !live(v) {
				// No rate is known for a VM that does not answer.
				return tag + " " + render.FitLeft("—", 9) + " " + render.FitLeft("—", 5) + " IOPS"
			}
			s := tag + " " + render.FitLeft(render.Rate(bps), 9) + " " + render.FitLeft(render.IOPS(iops), 5) + " IOPS"
			if sw > 0 {
				s += " " + st.Spark.Render(render.Sparkline(hist, sw, 0))
			}
			return s
		}
		lines = append(lines, "   "+io("R", b.Rate.ReadBps, b.Rate.ReadIOPS, b.ReadHistory)+"  "+
			io("W", b.Rate.WriteBps, b.Rate.WriteIOPS, b.WriteHistory))
	}
	if len(v.Jobs) > 0 {
		lines = append(lines, st.Header.Render("Block jobs"))
		for i := range v.Jobs {
			lines = append(lines, jobLine(c, &v.Jobs[i], w))
		}
	}
	return lines
}

// jobLine is one block job. A job with nothing to copy (len 0) has no
// fraction to show; a ready job is in sync and waits for complete or
// cancel, so it has no ETA.
func jobLine(c *render.Context, j *model.BlockJob, w int) string {
	st := c.Styles
	status := termsafe.Line(termsafe.Clip(j.Status, 32))
	if j.Paused && j.Status != "paused" {
		status += " (paused)"
	}
	if j.Ready && j.Status != "ready" {
		status += " (ready)"
	}
	typ := termsafe.Line(termsafe.Clip(j.Type, 32))
	if typ == "" {
		typ = "job" // known from an event so far, not yet polled
	}
	head := fmt.Sprintf("  %s %s %s", typ, termsafe.Line(termsafe.Clip(j.Device, 128)), status)
	if j.Len == 0 {
		return head + st.Muted.Render(" — 0B to copy")
	}
	var tail string
	switch {
	case j.Ready:
		tail = fmt.Sprintf(" %s  %s of %s in sync; complete or cancel", render.FitLeft(render.Pct(j.Progress.Fraction*100), 6),
			render.Bytes(j.Offset), render.Bytes(j.Len))
	case j.Progress.ETAKnown:
		tail = fmt.Sprintf(" %s  %s ETA %s", render.FitLeft(render.Pct(j.Progress.Fraction*100), 6), render.Rate(j.Progress.Rate), render.Dur(j.Progress.ETA))
	default:
		tail = fmt.Sprintf(" %s  %s ETA —", render.FitLeft(render.Pct(j.Progress.Fraction*100), 6), render.Rate(j.Progress.Rate))
	}
	head += " "
	bw := render.BarWidth(w, render.Width(head)+render.Width(tail), 6, 30)
	return head + render.Bar(st, j.Progress.Fraction, bw) + tail
}
