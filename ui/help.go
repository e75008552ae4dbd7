package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
	"github.com/qmpdash/qmpdash/ui/keys"
	"github.com/qmpdash/qmpdash/ui/palette"
	"github.com/qmpdash/qmpdash/ui/render"
)

// helpGroupNames lay out the help overlay's key groups by action name;
// the bindings come from the tables (see TestFullHelpShowsEveryKeyThatWorks,
// which holds every table's actions to appearing here).
var helpGroupNames = [][]string{
	{"up", "down", "page-up", "page-down", "top", "bottom"},
	{"open", "back", "filter", "sort", "sort-reverse"},
	{"next-pane", "prev-pane", "panes", "events", "events-all", "events-filter"},
	{"palette", "reconnect", "errors", "mouse", "help", "quit"},
	{"run", "complete", "recall", "yes", "no", "sideways"},
}

// helpRelabels say where a key works when it works only in one place.
var helpRelabels = map[string]string{"recall": "earlier input (prompt)", "sideways": "scroll sideways (reply)"}

// helpGroups looks the named actions up in every table.
func (a *app) helpGroups() [][]key.Binding {
	all := keys.Table{}.With(allTables(&a.keys)...)
	groups := make([][]key.Binding, 0, len(helpGroupNames))
	for _, names := range helpGroupNames {
		var g []key.Binding
		for _, n := range names {
			b, ok := all.Lookup(n)
			if !ok {
				continue
			}
			if d, ok := helpRelabels[n]; ok {
				b.SetHelp(b.Help().Key, d)
			}
			g = append(g, b)
		}
		groups = append(groups, g)
	}
	return groups
}

// renderHelp is the help overlay: the full key map, then legends for the
// glyphs and labels the screen uses.
func (a *app) renderHelp(w int) []string {
	st := &a.st
	// As many key groups side by side as fit; the rest below. (The help
	// component would drop the groups that do not fit.)
	groups := a.helpGroups()
	hm := a.helpM // a copy: View does not change the model
	hm.SetWidth(0)
	var lines []string
	for len(groups) > 0 {
		n := len(groups)
		for n > 1 && render.Width(firstLine(hm.FullHelpView(groups[:n]))) > w {
			n--
		}
		lines = append(lines, strings.Split(hm.FullHelpView(groups[:n]), "\n")...)
		groups = groups[n:]
		if len(groups) > 0 {
			lines = append(lines, "")
		}
	}
	lines = append(lines, "",
		st.Bold.Render("Run states ")+"▶ running  ‖ paused  ■ stopped/quit  ◆ migrating/other  ? unknown (last known, with its age)",
		st.Bold.Render("Connection ")+"● up  ◐ stale  ◌ connecting  ↻ retrying  ○ closed (QEMU quit)  ✕ gone",
	)
	tags := []string{st.Bold.Render("Errors    ")}
	for _, e := range render.LegendErrors {
		tags = append(tags, render.ErrorTag(st, e))
	}
	lines = append(lines, flow(tags, w, "           ")...)
	var acts []string
	for _, t := range palette.Titles() {
		acts = append(acts, strings.ToLower(t))
	}
	k := &a.keys
	lines = append(lines,
		st.Bold.Render("Sort      ")+"↑ rising (A→Z, lowest first)  ↓ falling (busiest, largest first)",
		"",
		st.Bold.Render(k.Palette.Help().Key)+" opens the command palette: "+strings.Join(acts, ", "),
		"In the palette and filters letters type: "+st.Bold.Render(k.InputUp.Help().Key)+" "+
			st.Bold.Render(k.InputDown.Help().Key)+" move, "+st.Bold.Render(k.Run.Help().Key)+" runs, "+
			st.Bold.Render(k.InputBack.Help().Key)+" closes")
	if a.opts.ReadOnly {
		lines = append(lines, st.Badge.Render(" READ-ONLY ")+" only queries are sent; actions that change a VM are disabled")
	}
	out := make([]string, 0, len(lines))
	for _, s := range lines {
		out = append(out, strings.Split(lipgloss.Wrap(s, w, " ,"), "\n")...)
	}
	return out
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// flow lays words out in lines of at most w cells, never breaking a word;
// lines after the first start with indent.
func flow(words []string, w int, indent string) []string {
	var lines []string
	cur := ""
	for _, wd := range words {
		switch {
		case cur == "":
			cur = wd
		case render.Width(cur)+1+render.Width(wd) <= w:
			cur += " " + wd
		default:
			lines = append(lines, cur)
			cur = indent + wd
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}
