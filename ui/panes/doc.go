// Package panes draws the selected VM's detail panes (Overview, vCPUs,
// Memory, Block, Migration, Chardevs, Guest). A storage daemon has its own Block
// pane (storage.go: nodes, exports, jobs) and says so in the panes of what
// it does not have. Each pane is a pure function from a
// VM snapshot, the drawing context and a width to plain lines: no state,
// no keys, no I/O. The root frames, clips and scrolls what they return.
//
// It imports model (the snapshot), render and termsafe; never ui or the
// other parts.
package panes

import (
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/ui/render"
)

// ID names a pane; the order is the tab order and the digit keys' order.
type ID int

const (
	OverviewPane ID = iota
	VCPUsPane
	MemoryPane
	BlockPane
	MigrationPane
	ChardevsPane
	GuestPane
	// EventsPane is a tab only in the compact layout and a column of its
	// own when wide; the event log draws it, not this package.
	EventsPane
	Count
)

// Titles are the panes' names, for box titles and tabs.
var Titles = [Count]string{"Overview", "vCPUs", "Memory", "Block", "Migration", "Chardevs", "Guest", "Events"}

// ShortTitles name the tabs where the full titles do not fit (they take
// 84 cells; these 68, so the tabs fit 80 columns).
var ShortTitles = [Count]string{"Over", "vCPU", "Mem", "Block", "Migr", "Chars", "Guest", "Events"}

// drawers are the panes' drawing functions by ID; EventsPane has none.
var drawers = [Count]func(*render.Context, *model.VMSnapshot, int) []string{
	OverviewPane:  Overview,
	VCPUsPane:     VCPUs,
	MemoryPane:    Memory,
	BlockPane:     Block,
	MigrationPane: Migration,
	ChardevsPane:  Chardevs,
	GuestPane:     Guest,
}

// Lines draws pane id for v in w cells; nil for EventsPane.
func Lines(id ID, c *render.Context, v *model.VMSnapshot, w int) []string {
	if id < 0 || id >= Count || drawers[id] == nil {
		return nil
	}
	if v.Kind == model.ServerStorageDaemon {
		if d, ok := storageDrawers[id]; ok {
			return d(c, v, w)
		}
	}
	return drawers[id](c, v, w)
}
