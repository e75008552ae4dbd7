package panes

import (
	"strings"

	"github.com/qmpdash/qmpdash/internal/termsafe"
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/ui/render"
)

// A storage daemon's panes: its Block pane shows the block graph's nodes,
// the exports and the jobs (query-jobs); the panes of what a daemon does
// not have say so instead of showing empty figures.
var storageDrawers = map[ID]func(*render.Context, *model.VMSnapshot, int) []string{
	VCPUsPane:     notApplicable("vCPUs"),
	MemoryPane:    notApplicable("guest memory"),
	MigrationPane: notApplicable("migration"),
	BlockPane:     Storage,
}

func notApplicable(what string) func(*render.Context, *model.VMSnapshot, int) []string {
	return func(c *render.Context, _ *model.VMSnapshot, _ int) []string {
		return []string{c.Styles.Muted.Render("— a storage daemon has no " + what)}
	}
}

// Storage: a storage daemon's block nodes (driver, size, read-only, file),
// their I/O rates where QEMU counts them, its exports and its jobs.
func Storage(c *render.Context, v *model.VMSnapshot, w int) []string {
	st := c.Styles
	clip := func(s string, n int) string { return termsafe.Line(termsafe.Clip(s, n)) }
	// A daemon that does not answer gets StaleNote first, as every pane.
	var lines []string
	lines = append(lines, st.Header.Render("Nodes"))
	if len(v.Nodes) == 0 {
		lines = append(lines, st.Muted.Render("  no block nodes"))
	}
	counted := false // QEMU 7.2 counts none of a daemon's nodes; a later one may count some
	for i := range v.Nodes {
		counted = counted || v.Nodes[i].Counted
	}
	for i := range v.Nodes {
		n := &v.Nodes[i]
		attrs := []string{clip(n.Driver, 32), render.Bytes(n.SizeBytes), "rw"}
		if n.ReadOnly {
			attrs[2] = "ro"
		}
		head := st.Bold.Render("▪ "+clip(n.NodeName, 128)) + " " + st.Muted.Render("("+strings.Join(attrs, ", ")+")")
		if n.File != "" {
			head += "  " + clip(n.File, 512)
		}
		lines = append(lines, head)
		if counted && !n.Counted {
			lines = append(lines, st.Muted.Render("   I/O — not counted"))
		}
		if n.Counted {
			lines = append(lines, "   R "+render.FitLeft(render.Rate(n.Rate.ReadBps), 9)+" "+render.FitLeft(render.IOPS(n.Rate.ReadIOPS), 5)+" IOPS"+
				"  W "+render.FitLeft(render.Rate(n.Rate.WriteBps), 9)+" "+render.FitLeft(render.IOPS(n.Rate.WriteIOPS), 5)+" IOPS")
		}
	}
	if len(v.Nodes) > 0 && !counted {
		lines = append(lines, st.Muted.Render("  I/O rates — not counted: query-blockstats reports no counters for these nodes"))
	}
	lines = append(lines, st.Header.Render("Exports"))
	if len(v.Exports) == 0 {
		lines = append(lines, st.Muted.Render("  no exports"))
	}
	for _, e := range v.Exports {
		l := "  " + clip(e.ID, 128) + " " + clip(e.Type, 32) + " → " + clip(e.NodeName, 128)
		if e.ShuttingDown {
			l += " " + st.Paused.Render("shutting down")
		}
		lines = append(lines, l)
	}
	lines = append(lines, st.Header.Render("Jobs"))
	if len(v.Jobs) == 0 {
		lines = append(lines, st.Muted.Render("  no jobs"))
	}
	for i := range v.Jobs {
		lines = append(lines, jobLine(c, &v.Jobs[i], w))
	}
	return lines
}
