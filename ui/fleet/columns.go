package fleet

import (
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/qmpdash/qmpdash/themes"
	"github.com/qmpdash/qmpdash/ui/render"
)

// The table's columns: which exist, which the user asked for, which fit
// (they drop by priority as the terminal narrows), and their titles.

type colID int

const (
	colName colID = iota
	colState
	colConn
	colVCPU
	colCPU
	colSpark
	colRSS
	colMem
	colDisk
	colIP
	colHost
	colMachine // the SSH host of an ssh:// target
)

type column struct {
	id    colID
	name  string // what Options.Columns and the config file call it
	title string
	width int // minimum cells (name and spark grow)
	prio  int // higher drops first
	right bool
}

var allColumns = []column{
	{colName, "name", "NAME", 10, 0, false},
	{colMachine, "host", "HOST", 12, 2, false},
	{colState, "state", "STATE", 12, 0, false},
	{colConn, "conn", "CONN", 10, 3, false},
	{colVCPU, "vcpus", "VCPU", 4, 4, true},
	{colCPU, "cpu", "CPU%", 6, 1, true},
	{colSpark, "cpu-history", "CPU HISTORY", 12, 5, false},
	{colRSS, "rss", "RSS", 6, 6, true},
	{colMem, "memory", "MEM", 6, 2, true},
	{colDisk, "disk", "DISK R/W /s", 13, 3, false},
	{colIP, "ip", "IP", 15, 7, false},
	{colHost, "hostname", "HOSTNAME", 12, 7, false},
}

// optIn columns show only when Options.Columns names them: they come
// from the guest agent, which most VMs have none of, so by default they
// would be columns of dashes taking room from the monitor's figures.
var optIn = map[colID]bool{colIP: true, colHost: true, colMachine: true}

// withMachine is the default column set plus the host column: shown by
// default once any VM is on an SSH host (where a VM runs matters then).
// A set the user chose is kept as chosen.
func withMachine(visible map[colID]bool, anyRemote bool) map[colID]bool {
	if visible != nil || !anyRemote {
		return visible
	}
	vis := map[colID]bool{}
	for _, c := range allColumns {
		if !optIn[c.id] || c.id == colMachine {
			vis[c.id] = true
		}
	}
	return vis
}

// ColumnNames lists the fleet columns Options.Columns may name, in order.
func ColumnNames() []string {
	names := make([]string, len(allColumns))
	for i, c := range allColumns {
		names[i] = c.name
	}
	return names
}

// visibleColumns turns Options.Columns into a set; nil means all but the
// opt-in ones. The name column is always shown: a row must say which VM
// it is.
func visibleColumns(names []string) (map[colID]bool, error) {
	if len(names) == 0 {
		return nil, nil
	}
	vis := map[colID]bool{colName: true}
	for _, n := range names {
		found := false
		for _, c := range allColumns {
			if c.name == n {
				vis[c.id], found = true, true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown column %q (columns: %s)", n, strings.Join(ColumnNames(), ", "))
		}
	}
	return vis, nil
}

const (
	colGap      = 1
	markerWidth = 2 // "▸ " before the selected row, so selection reads without colour
	maxNameW    = 32
	maxSparkW   = 40
	maxMachineW = 28 // the host column grows to this from spare room
)

// maxStateW bounds the state column: QEMU's longest run states
// ("◆ finish-migrate", "■ guest-panicked") are 16 cells, a last known
// state with its age ("? running 12s") a few more.
const maxStateW = 20

// maxHostFigW bounds the CPU and RSS columns grown for a stale figure
// with its age ("? 250.0% 12m").
const maxHostFigW = 12

// fleetColumns picks the columns that fit in w cells (of those visible;
// nil means all but the opt-in ones) and sizes the flexible ones. fit is
// the widest text shown by column (fitWidths). The state column grows to
// fit its whole (up to maxStateW), other columns dropping first if they
// must, so no state is cut. The CPU and RSS columns grow for stale
// figures with their age only from room to spare: a column is not
// dropped for an age (the cell then shows "? 12.5%", the panes the age).
func fleetColumns(w int, visible map[colID]bool, fit map[colID]int) []column {
	cols := make([]column, 0, len(allColumns))
	for _, c := range allColumns {
		if (visible == nil && !optIn[c.id]) || visible[c.id] {
			if c.id == colState {
				c.width = max(c.width, min(fit[colState], maxStateW))
			}
			cols = append(cols, c)
		}
	}
	total := func() int {
		t := markerWidth
		for _, c := range cols {
			t += c.width + colGap
		}
		return t
	}
	for total() > w && len(cols) > 1 {
		drop := -1
		for i, c := range cols {
			if c.prio > 0 && (drop < 0 || c.prio > cols[drop].prio) {
				drop = i
			}
		}
		if drop < 0 {
			break
		}
		cols = append(cols[:drop], cols[drop+1:]...)
	}
	spare := w - total()
	for i := range cols {
		if id := cols[i].id; (id == colCPU || id == colRSS) && spare > 0 {
			g := max(0, min(spare, min(fit[id], maxHostFigW)-cols[i].width))
			cols[i].width += g
			spare -= g
		}
	}
	for i := range cols {
		if cols[i].id == colName && spare > 0 {
			g := min(spare, maxNameW-cols[i].width)
			cols[i].width += g
			spare -= g
		}
	}
	for i := range cols {
		if cols[i].id == colMachine && spare > 0 {
			g := min(spare, maxMachineW-cols[i].width)
			cols[i].width += g
			spare -= g
		}
	}
	for i := range cols {
		if cols[i].id == colSpark && spare > 0 {
			g := min(spare, maxSparkW-cols[i].width)
			cols[i].width += g
			spare -= g
		}
	}
	return cols
}

func colsSig(cols []column) uint64 {
	h := fnv.New64a()
	for _, c := range cols {
		h.Write([]byte{byte(c.id), byte(c.width), byte(c.width >> 8)})
	}
	return h.Sum64()
}

// fleetHeader draws the column titles; the sorted column carries the
// arrow of the order as listed (asc: values rise down the table).
func fleetHeader(st *themes.Styles, cols []column, w int, sortBy SortKey, asc bool) string {
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", markerWidth))
	for _, c := range cols {
		t := c.title
		if sortColumn(sortBy) == c.id {
			t += sortArrow(asc)
		}
		if c.right {
			b.WriteString(render.FitLeft(t, c.width))
		} else {
			b.WriteString(render.Fit(t, c.width))
		}
		b.WriteString(" ")
	}
	return st.Header.Render(render.Fit(b.String(), w))
}

func sortColumn(k SortKey) colID {
	switch k {
	case SortState:
		return colState
	case SortCPU:
		return colCPU
	case SortRSS:
		return colRSS
	case SortMem:
		return colMem
	case SortIO:
		return colDisk
	}
	return colName
}
