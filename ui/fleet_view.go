package ui

import (
	"fmt"
	"hash/fnv"
	"math"
	"strconv"
	"strings"

	"github.com/qmpdash/qmpdash/internal/termsafe"
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/themes"
	"github.com/qmpdash/qmpdash/ui/render"
)

// Drawing the fleet table. Columns drop by priority as the terminal
// narrows; each row is rendered once and cached until the figures it shows
// change, which keeps View cheap for hundreds of VMs.

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
	{colState, "state", "STATE", 12, 0, false},
	{colConn, "conn", "CONN", 10, 3, false},
	{colVCPU, "vcpus", "VCPU", 4, 4, true},
	{colCPU, "cpu", "CPU%", 6, 1, true},
	{colSpark, "cpu-history", "CPU HISTORY", 12, 5, false},
	{colRSS, "rss", "RSS", 6, 6, true},
	{colMem, "memory", "MEM", 6, 2, true},
	{colDisk, "disk", "DISK R/W /s", 13, 3, false},
}

// ColumnNames lists the fleet columns Options.Columns may name, in order.
func ColumnNames() []string {
	names := make([]string, len(allColumns))
	for i, c := range allColumns {
		names[i] = c.name
	}
	return names
}

// visibleColumns turns Options.Columns into a set; nil means all. The name
// column is always shown: a row must say which VM it is.
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
)

// fleetColumns picks the columns that fit in w cells (of those visible;
// nil means all) and sizes the flexible ones.
func fleetColumns(w int, visible map[colID]bool) []column {
	cols := make([]column, 0, len(allColumns))
	for _, c := range allColumns {
		if visible == nil || visible[c.id] {
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
		if cols[i].id == colName && spare > 0 {
			g := min(spare, maxNameW-cols[i].width)
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
func fleetHeader(st *themes.Styles, cols []column, w int, sortBy sortKey, asc bool) string {
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

func sortColumn(k sortKey) colID {
	switch k {
	case sortState:
		return colState
	case sortCPU:
		return colCPU
	case sortMem:
		return colMem
	case sortIO:
		return colDisk
	}
	return colName
}

// rowData is everything a row shows: if it is unchanged, so is the row.
type rowData struct {
	name, id, runState string
	conn               model.ConnState
	stale              bool
	attempt            int
	vcpus              int
	cpu                float64
	hasCPU             bool
	hist               uint64 // hash of the CPU history shown
	rss                uint64
	hasRSS             bool
	mem                uint64
	rd, wr             float64
}

func makeRowData(v *model.VMSnapshot, name string) rowData {
	rd, wr := vmIORates(v)
	d := rowData{
		name: name, id: v.ID, runState: v.RunState, conn: v.Conn, stale: v.Stale,
		attempt: v.Attempt, vcpus: len(v.VCPUs), cpu: vmCPU(v), hasCPU: vmHasCPU(v),
		rss: v.Host.RSSBytes, hasRSS: v.Host.Valid, mem: vmMem(v), rd: rd, wr: wr,
	}
	h := fnv.New64a()
	var buf [8]byte
	for _, x := range vmCPUHistory(v) {
		u := math.Float64bits(x)
		for i := range buf {
			buf[i] = byte(u >> (8 * i))
		}
		h.Write(buf[:])
	}
	d.hist = h.Sum64()
	return d
}

type rowKey struct {
	data  rowData
	cols  uint64
	width int
	sel   bool
	gen   int // styles generation
}

type rowCache map[string]struct {
	key  rowKey
	line string
}

// row returns the rendered row for v, from the cache when nothing it shows
// has changed.
func (rc *rowCache) row(st *themes.Styles, gen int, v *model.VMSnapshot, name string, cols []column, sig uint64, w int, sel bool) string {
	if *rc == nil {
		*rc = rowCache{}
	}
	k := rowKey{data: makeRowData(v, name), cols: sig, width: w, sel: sel, gen: gen}
	if e, ok := (*rc)[v.ID]; ok && e.key == k {
		return e.line
	}
	line := renderRow(st, v, name, cols, w, sel)
	(*rc)[v.ID] = struct {
		key  rowKey
		line string
	}{k, line}
	return line
}

// prune drops cached rows of VMs no longer in the fleet.
func (rc rowCache) prune(vms []model.VMSnapshot) {
	if len(rc) <= len(vms) {
		return
	}
	keep := make(map[string]bool, len(vms))
	for i := range vms {
		keep[vms[i].ID] = true
	}
	for id := range rc {
		if !keep[id] {
			delete(rc, id)
		}
	}
}

// renderRow draws one VM. The selected row is drawn plain and then styled
// as a whole, so its highlight is not broken by the cells' own colours.
func renderRow(st *themes.Styles, v *model.VMSnapshot, name string, cols []column, w int, sel bool) string {
	var b strings.Builder
	if sel {
		b.WriteString("▸ ")
	} else {
		b.WriteString("  ")
	}
	for _, c := range cols {
		text, style := cellText(st, v, name, c)
		if c.right {
			text = render.FitLeft(text, c.width)
		} else {
			text = render.Fit(text, c.width)
		}
		if !sel && style != nil {
			text = style(text)
		}
		b.WriteString(text)
		b.WriteString(" ")
	}
	if sel {
		return st.Selected.Render(render.Fit(b.String(), w))
	}
	return render.Fit(b.String(), w)
}

// cellText is a cell's text and, when it has one, its colour.
func cellText(st *themes.Styles, v *model.VMSnapshot, name string, c column) (string, func(...string) string) {
	switch c.id {
	case colName:
		return name, nil
	case colState:
		if v.RunState == "" && v.Conn != model.ConnConnected {
			return "· —", st.Muted.Render
		}
		return render.StateText(v.RunState), render.StateStyle(st, v.RunState).Render
	case colConn:
		return render.ConnText(v, true), render.ConnStyle(st, v).Render
	case colVCPU:
		if len(v.VCPUs) == 0 {
			return "—", st.Muted.Render
		}
		return strconv.Itoa(len(v.VCPUs)), nil
	case colCPU:
		if !vmHasCPU(v) {
			return "—", st.Muted.Render
		}
		return render.Pct(vmCPU(v)), nil
	case colSpark:
		h := vmCPUHistory(v)
		if len(h) == 0 {
			return "", nil
		}
		return render.Sparkline(h, c.width, 100), st.Spark.Render
	case colRSS:
		if !v.Host.Valid {
			return "—", st.Muted.Render
		}
		return render.Bytes(v.Host.RSSBytes), nil
	case colMem:
		m := vmMem(v)
		if m == 0 {
			return "—", st.Muted.Render
		}
		return render.Bytes(m), nil
	case colDisk:
		if len(v.Blocks) == 0 {
			return "—", st.Muted.Render
		}
		rd, wr := vmIORates(v)
		return render.Bytes(uint64(max(rd, 0))) + "/" + render.Bytes(uint64(max(wr, 0))), nil
	}
	return "", nil
}

// maxWatchingBytes bounds Options.Watching before it is drawn (the row
// clips it to the width anyway).
const maxWatchingBytes = 512

// renderFleet draws the table (header and visible rows) in w x h cells.
func (a *app) renderFleet(w, h int) []string {
	if h <= 0 || w <= 0 {
		return nil
	}
	f := &a.fleet
	cols := fleetColumns(w, a.columns)
	sig := colsSig(cols)
	lines := make([]string, 0, h)
	lines = append(lines, fleetHeader(&a.st, cols, w, f.sortBy, f.ascending()))
	rowsH := h - 1
	if len(f.order) == 0 {
		msg := "no VMs yet — waiting for the fleet"
		if wt := termsafe.Line(termsafe.Clip(a.opts.Watching, maxWatchingBytes)); strings.TrimSpace(wt) != "" {
			msg = "no VMs yet — watching " + strings.TrimSpace(wt)
		}
		if len(a.snap.VMs) > 0 {
			msg = "no VM matches the filter " + strconv.Quote(f.filter) + " (" + a.keys.Back.Help().Key + " clears it)"
		}
		if rowsH > 0 {
			lines = append(lines, a.st.Muted.Render(render.Trunc("  "+msg, w)))
		}
		return lines
	}
	end := min(len(f.order), f.offset+rowsH)
	for i := f.offset; i < end; i++ {
		idx := f.order[i]
		lines = append(lines, f.rows.row(&a.st, a.stGen, &a.snap.VMs[idx], f.name(idx), cols, sig, w, i == f.cursor))
	}
	return lines
}
