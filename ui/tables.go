package ui

import (
	"github.com/qmpdash/qmpdash/ui/dialog"
	"github.com/qmpdash/qmpdash/ui/eventlog"
	"github.com/qmpdash/qmpdash/ui/fleet"
	"github.com/qmpdash/qmpdash/ui/keys"
	"github.com/qmpdash/qmpdash/ui/palette"
)

// The key tables of the root's own states. Each state's handler switches
// on the action its table matched, the help line is the table's Short, and
// allTables feeds the clash check: one table per state, so routing, help
// and the check cannot drift apart. The dialogs declare theirs in package
// dialog.

// globalEntries answer wherever nothing captures the keys (no dialog on
// top, no filter being typed). They come first in a table, so a clash
// report names them first.
func globalEntries(k *keys.Map) []keys.Entry {
	return []keys.Entry{
		{Action: "quit", Binding: &k.Quit}, {Action: "help", Binding: &k.Help},
		{Action: "palette", Binding: &k.Palette}, {Action: "errors", Binding: &k.Errors},
		{Action: "mouse", Binding: &k.Mouse},
	}
}

func moveEntries(k *keys.Map) []keys.Entry {
	return []keys.Entry{
		{Action: "up", Binding: &k.Up}, {Action: "down", Binding: &k.Down},
		{Action: "page-up", Binding: &k.PageUp}, {Action: "page-down", Binding: &k.PageDown},
		{Action: "top", Binding: &k.Top}, {Action: "bottom", Binding: &k.Bottom},
	}
}

func eventEntries(k *keys.Map) []keys.Entry {
	return []keys.Entry{
		{Action: "panes", Binding: &k.Panes}, {Action: "events", Binding: &k.Events},
		{Action: "events-all", Binding: &k.EventsAll}, {Action: "events-filter", Binding: &k.EventsFilter},
	}
}

// vmEntries act on the selected VM, from the fleet or its panes.
func vmEntries(k *keys.Map) []keys.Entry {
	return []keys.Entry{{Action: "reconnect", Binding: &k.Reconnect}}
}

func cat(parts ...[]keys.Entry) []keys.Entry {
	var out []keys.Entry
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// fleetKeys: the fleet list has focus: the global keys, the table's
// own, and the root's (open a VM, pick a pane, the event log).
func fleetKeys(k *keys.Map) keys.Table {
	return keys.Table{
		Context: "fleet",
		Entries: cat(globalEntries(k), fleet.Keys(k).Entries,
			[]keys.Entry{{Action: "open", Binding: &k.Open}}, eventEntries(k), vmEntries(k)),
		Short: []string{"up", "down", "open", "filter", "sort", "palette", "events", "help", "quit"},
	}
}

// detailKeys: a detail pane has focus; events says it is the event log.
func detailKeys(k *keys.Map, events bool) keys.Table {
	open := keys.Entry{Action: "open", Binding: &k.Open}
	short := []string{"back", "next-pane", "panes", "up", "down", "palette", "help", "quit"}
	if events {
		// enter opens the event under the cursor, whole, in the viewer.
		open.Desc = "view event"
		short = []string{"back", "up", "down", "open", "events-all", "events-filter", "bottom", "help", "quit"}
	}
	return keys.Table{
		Context: "detail",
		Entries: cat(globalEntries(k), []keys.Entry{{Action: "back", Binding: &k.Back},
			{Action: "next-pane", Binding: &k.NextPane}, {Action: "prev-pane", Binding: &k.PrevPane}},
			eventEntries(k), moveEntries(k), []keys.Entry{open}, vmEntries(k)),
		Short: short,
	}
}

// allTables is every state's table, for the clash check and the help
// overlay, in the order a clash is reported.
func allTables(k *keys.Map) []keys.Table {
	return []keys.Table{
		fleetKeys(k), detailKeys(k, false), dialog.HelpKeys(k), dialog.ErrorsKeys(k), dialog.ViewerKeys(k),
		fleet.FilterKeys(k), eventlog.FilterKeys(k), palette.ListKeys(k), palette.PromptKeys(k, true), dialog.ConfirmKeys(k),
	}
}

// tableSet is the root's tables, built once: they point into the key
// map, so rebinding shows in them without a rebuild.
type tableSet struct {
	fleet, detail, events keys.Table
}

func newTableSet(k *keys.Map) tableSet {
	return tableSet{
		fleet: fleetKeys(k), detail: detailKeys(k, false), events: detailKeys(k, true),
	}
}
