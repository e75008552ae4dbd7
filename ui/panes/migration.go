package panes

import (
	"strconv"

	"github.com/qmpdash/qmpdash/internal/termsafe"
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/ui/render"
)

// Migration: which side this VM is on, the status, and on the sending
// side what QEMU's RAM figures mean: what is left to copy, what went on
// the wire, which pages were zero (sent as markers, not contents), the
// rate and the ETA at that rate. The receiving side has no RAM figures
// in QEMU, so none are drawn there.
func Migration(c *render.Context, v *model.VMSnapshot, w int) []string {
	st := c.Styles
	mg := &v.Migration
	const kw = 12
	val := func(s string) string { return termsafe.Line(termsafe.Clip(s, 512)) }
	if mg.Incoming {
		return incomingLines(c, v, kw)
	}
	if mg.Status == "" {
		return []string{st.Muted.Render("no migration started")}
	}
	dir := "outgoing"
	if mg.URI != "" {
		dir += " → " + val(mg.URI)
	}
	if mg.Peer != "" {
		dir += st.Muted.Render("  (to " + val(mg.Peer) + ")")
	}
	lines := []string{
		render.KV(st, "Direction", kw, dir),
		render.KV(st, "Status", kw, st.Bold.Render(val(mg.Status))),
	}
	if !mg.HasRAM {
		lines = append(lines, render.KV(st, "RAM", kw, st.Muted.Render("no figures from QEMU yet")))
	} else {
		bw := render.BarWidth(w, kw+1+7+7, 6, 30)
		lines = append(lines,
			render.KV(st, "Copied", kw, render.Bar(st, mg.Progress, bw)+" "+render.Pct(mg.Progress*100)+st.Muted.Render(" of RAM")),
			render.KV(st, "RAM", kw, render.Bytes(mg.TotalBytes)+" total, "+render.Bytes(mg.RemainingBytes)+" left"),
			render.KV(st, "On the wire", kw, render.Bytes(mg.TransferredBytes)+
				st.Muted.Render(" ("+strconv.FormatUint(mg.NormalPages, 10)+" pages whole)")),
			render.KV(st, "Zero pages", kw, strconv.FormatUint(mg.ZeroPages, 10)+" = "+render.Bytes(mg.ZeroPages*mg.PageSize)+
				st.Muted.Render(", sent as markers")),
			render.KV(st, "Speed", kw, render.Rate(mg.RateBps)),
		)
		if migrating(mg.Status) {
			eta := st.Muted.Render("unknown (no rate yet)")
			if mg.ETAKnown {
				eta = "~" + render.Dur(mg.ETA) + st.Muted.Render(" (left ÷ speed)")
			}
			lines = append(lines, render.KV(st, "ETA", kw, eta))
		}
	}
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
	return append(lines, errorLine(c, mg.ErrorDesc, kw)...)
}

// incomingLines draws the receiving side: its status, where it listens
// or whom it came from, and no figures (QEMU reports none there).
func incomingLines(c *render.Context, v *model.VMSnapshot, kw int) []string {
	st := c.Styles
	mg := &v.Migration
	val := func(s string) string { return termsafe.Line(termsafe.Clip(s, 512)) }
	dir := "incoming"
	if mg.Peer != "" {
		dir += " ← " + val(mg.Peer)
	}
	status := val(mg.Status)
	switch {
	case mg.Status == "" && mg.Listening != "":
		status = "waiting on " + val(mg.Listening)
	case mg.Status == "":
		status = "waiting" + st.Muted.Render("  (not listening yet: migrate-incoming not sent)")
	case mg.Status == "setup" && mg.Listening != "":
		status = "waiting on " + val(mg.Listening) + st.Muted.Render("  (setup)")
	}
	lines := []string{
		render.KV(st, "Direction", kw, dir),
		render.KV(st, "Status", kw, st.Bold.Render(status)),
	}
	if mg.Status != "" && mg.Listening != "" && mg.Status != "setup" {
		lines = append(lines, render.KV(st, "Came via", kw, val(mg.Listening)))
	}
	lines = append(lines, render.KV(st, "RAM", kw, st.Muted.Render("no figures: QEMU reports them on the sending side")))
	if mg.TotalTime > 0 {
		lines = append(lines, render.KV(st, "Total time", kw, render.Dur(mg.TotalTime)))
	}
	return append(lines, errorLine(c, mg.ErrorDesc, kw)...)
}

// migrating says whether RAM still moves in this status (an ETA means
// something only then).
func migrating(status string) bool {
	switch status {
	case "setup", "active", "postcopy-active", "pre-switchover", "device", "wait-unplug":
		return true
	}
	return false
}

func errorLine(c *render.Context, desc string, kw int) []string {
	if desc == "" {
		return nil
	}
	return []string{render.KV(c.Styles, "Error", kw, c.Styles.Stopped.Render(termsafe.Line(termsafe.Clip(desc, 512))))}
}
