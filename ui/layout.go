package ui

import (
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/ui/panes"
	"github.com/qmpdash/qmpdash/ui/render"
)

// Screen geometry. The same arithmetic serves View and the mouse handler,
// so a click lands on what was drawn there.

const (
	minW, minH   = 60, 12  // below this only a "too small" note is drawn
	wideW, wideH = 120, 30 // from here panes sit side by side instead of being tabs
)

type rect struct{ x, y, w, h int }

func (r rect) contains(x, y int) bool {
	return x >= r.x && x < r.x+r.w && y >= r.y && y < r.y+r.h
}

type layout struct {
	tooSmall bool
	wide     bool
	header   rect
	body     rect
	fleet    rect // compact: the table; wide: the box around it
	tabs     rect // compact detail: the pane tabs
	detail   rect // compact: the pane box; wide: the area holding the pane grid
	events   rect // wide: the event log box
	status   rect
	help     rect
}

func (a *app) layout() layout {
	w, h := a.w, a.h
	l := layout{}
	if w < minW || h < minH {
		l.tooSmall = true
		return l
	}
	l.header = rect{0, 0, w, 1}
	l.status = rect{0, h - 2, w, 1}
	l.help = rect{0, h - 1, w, 1}
	l.body = rect{0, 1, w, h - 3}
	b := l.body
	if w >= wideW && h >= wideH {
		l.wide = true
		rows := a.fleet.Rows()
		fh := max(6, min(rows+3, b.h*2/5))
		l.fleet = rect{0, b.y, w, fh}
		rest := rect{0, b.y + fh, w, b.h - fh}
		dw := w * 3 / 5
		l.detail = rect{0, rest.y, dw, rest.h}
		l.events = rect{dw, rest.y, w - dw, rest.h}
		return l
	}
	if a.focus == focusFleet {
		l.fleet = b
	} else {
		l.tabs = rect{0, b.y, w, 1}
		l.detail = rect{0, b.y + 1, w, b.h - 1}
	}
	return l
}

// fleetRows is where the table's rows sit (below its header).
func (l layout) fleetRows() rect {
	f := l.fleet
	if l.wide {
		f = rect{f.x + 1, f.y + 1, f.w - 2, f.h - 2}
	}
	return rect{f.x, f.y + 1, f.w, max(0, f.h-1)}
}

// paneBox is one pane placed in the wide detail grid.
type paneBox struct {
	id    panes.ID
	r     rect
	lines []string
}

// wideColumns are the panes of the wide grid, by column; Block, whose
// lines are long, runs across the bottom.
var wideColumns = [2][]panes.ID{
	{panes.OverviewPane, panes.MemoryPane, panes.MigrationPane},
	{panes.VCPUsPane, panes.ChardevsPane, panes.GuestPane},
}

// minRightW is the least the wide grid's right column (vCPUs, Chardevs, Guest)
// keeps when the left one widens for Overview: room for the vCPU table
// with a bar and a short history.
const minRightW = 40

// leftWidth is the wide grid's left column out of w: half, or as much
// more as Overview needs to show its values uncut while the right column
// keeps minRightW (what still does not fit wraps in Overview).
func (a *app) leftWidth(v *model.VMSnapshot, w int) int {
	need := panes.OverviewWidth(a.drawCtx(), v) + 2
	return max(w/2, min(need, w-minRightW))
}

// widePanes places the selected VM's panes: two columns (the left as wide
// as Overview needs, within leftWidth's limits) over a full-width Block
// pane. Each pane gets its natural height while there is room; when
// there is not, the focused pane is served first, and panes that get no
// room at all are left out (they remain one key away).
func (a *app) widePanes(v *model.VMSnapshot, r rect) []paneBox {
	var out []paneBox
	blk := paneBox{id: panes.BlockPane, lines: a.paneLines(panes.BlockPane, v, r.w-2, 0)}
	share := 45
	if a.pane == panes.BlockPane {
		share = 65
	}
	bh := max(3, min(len(blk.lines)+2, r.h*share/100))
	// The columns above need no more than their panes' natural heights;
	// what they would leave empty goes to Block, whose list grows with
	// devices and jobs, rather than padding the last pane of a column.
	lw := a.leftWidth(v, r.w)
	need := 0
	for ci, ids := range wideColumns {
		cw := lw
		if ci == 1 {
			cw = r.w - lw
		}
		h := 0
		for _, id := range ids {
			h += len(a.paneLines(id, v, cw-2, 0)) + 2
		}
		need = max(need, h)
	}
	bh = max(bh, min(r.h-need, r.h*3/4))
	blk.r = rect{r.x, r.y + r.h - bh, r.w, bh}
	top := rect{r.x, r.y, r.w, r.h - bh}
	cols := [2]rect{{top.x, top.y, lw, top.h}, {top.x + lw, top.y, top.w - lw, top.h}}
	for ci, ids := range wideColumns {
		out = append(out, a.stackPanes(v, ids, cols[ci])...)
	}
	return append(out, blk)
}

// stackPanes shares a column's height among its panes.
func (a *app) stackPanes(v *model.VMSnapshot, ids []panes.ID, c rect) []paneBox {
	boxes := make([]paneBox, len(ids))
	nat := make([]int, len(ids))
	alloc := make([]int, len(ids))
	used := 0
	for i, id := range ids {
		boxes[i] = paneBox{id: id, lines: a.paneLines(id, v, c.w-2, 0)}
		nat[i] = len(boxes[i].lines) + 2
		alloc[i] = min(nat[i], 3)
		used += alloc[i]
	}
	for i := len(ids) - 1; i >= 0 && used > c.h; i-- {
		if a.pane != ids[i] {
			used -= alloc[i]
			alloc[i] = 0
		}
	}
	order := make([]int, 0, len(ids))
	for i, id := range ids {
		if id == a.pane {
			order = append([]int{i}, order...)
		} else {
			order = append(order, i)
		}
	}
	for _, i := range order {
		if alloc[i] == 0 {
			continue
		}
		add := max(0, min(nat[i]-alloc[i], c.h-used))
		alloc[i] += add
		used += add
	}
	// The last pane shown takes what is left, so the column is full.
	for i := len(ids) - 1; i >= 0; i-- {
		if alloc[i] > 0 {
			alloc[i] += max(0, c.h-used)
			break
		}
	}
	var out []paneBox
	y := c.y
	for i := range ids {
		hgt := min(alloc[i], c.y+c.h-y)
		if hgt < 2 {
			continue
		}
		boxes[i].r = rect{c.x, y, c.w, hgt}
		y += hgt
		out = append(out, boxes[i])
	}
	return out
}

// tabLabels are the compact layout's pane tabs; tabGap is the space
// between them (none when the terminal is narrow).
func tabLabels(w int) []string {
	labels := make([]string, panes.Count)
	for i := range labels {
		t := panes.Titles[i]
		if w < 86 { // the full labels take 84 cells
			t = panes.ShortTitles[i]
		}
		labels[i] = " " + render.Itoa(i+1) + " " + t + " "
	}
	return labels
}

func tabGap(w int) int {
	if w < 90 {
		return 0
	}
	return 1
}

// eventsHeight is how many lines the event log shows: a column of its own
// when wide, a tab in the detail box when compact.
func (a *app) eventsHeight() int {
	l := a.layout()
	if l.wide {
		return max(1, l.events.h-2)
	}
	return max(1, l.detail.h-2)
}
