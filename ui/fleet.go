package ui

import (
	"cmp"
	"slices"
	"strings"

	"github.com/qmpdash/qmpdash/internal/termsafe"
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/ui/lineinput"
	"github.com/qmpdash/qmpdash/ui/render"
	"github.com/sahilm/fuzzy"
)

// fleetList is the table of VMs: which rows are shown (filter), in what
// order (sort), which is selected (by VM id, so it survives re-sorting and
// VMs coming and going) and which rows are scrolled into view.

type sortKey int

const (
	sortName sortKey = iota
	sortState
	sortCPU
	sortMem
	sortIO
	numSortKeys
)

func (k sortKey) String() string {
	return [...]string{"name", "state", "cpu", "memory", "i/o"}[k]
}

// naturalAsc says whether a key's natural order (desc unset) lists values
// rising: names A→Z and states by rank (running first) do; the figures
// list the busiest first, so they fall.
func (k sortKey) naturalAsc() bool { return k == sortName || k == sortState }

// ascending says whether the list, as shown, goes from low to high. The
// arrows show this, never the reverse flag: ↑ rising, ↓ falling.
func (f *fleetList) ascending() bool { return f.sortBy.naturalAsc() != f.desc }

func sortArrow(asc bool) string {
	if asc {
		return "↑"
	}
	return "↓"
}

// sortLabel is the sort key and its arrow, as the header shows it.
func (f *fleetList) sortLabel() string { return f.sortBy.String() + sortArrow(f.ascending()) }

// sortMeaning says in words what comes first.
func (f *fleetList) sortMeaning() string {
	asc := f.ascending()
	switch f.sortBy {
	case sortName:
		if asc {
			return "A→Z"
		}
		return "Z→A"
	case sortState:
		if asc {
			return "running first"
		}
		return "unreachable first"
	case sortCPU, sortIO:
		if asc {
			return "idlest first"
		}
		return "busiest first"
	}
	if asc {
		return "smallest first"
	}
	return "largest first"
}

type fleetList struct {
	// names are the VMs' display names (sanitised once per snapshot),
	// index-parallel to the snapshot's VMs: sorting, filtering and
	// drawing all use what is shown.
	names  []string
	order  []int // indices into the snapshot's VMs, filtered and sorted
	selID  string
	cursor int // index into order
	offset int // first row in view
	sortBy sortKey
	desc   bool
	filter string
	// editing is true while the filter is being typed.
	editing bool
	input   lineinput.Model
	rows    rowCache
}

// refresh recomputes order for a new snapshot, filter or sort and keeps the
// selection on the same VM when it is still shown.
func (f *fleetList) refresh(vms []model.VMSnapshot) {
	f.order = f.order[:0]
	if f.filter == "" {
		for i := range vms {
			f.order = append(f.order, i)
		}
	} else {
		names := make([]string, len(vms))
		for i := range vms {
			names[i] = f.name(i) + " " + termsafe.Line(termsafe.Clip(vms[i].ID, 256))
		}
		for _, m := range fuzzy.Find(f.filter, names) {
			f.order = append(f.order, m.Index)
		}
	}
	slices.SortStableFunc(f.order, func(a, b int) int {
		c := compareVMs(&vms[a], &vms[b], f.sortBy, f.name(a), f.name(b))
		if f.desc {
			c = -c
		}
		if c == 0 {
			c = cmp.Compare(vms[a].ID, vms[b].ID)
		}
		return c
	})
	f.cursor = 0
	for i, idx := range f.order {
		if vms[idx].ID == f.selID {
			f.cursor = i
			break
		}
	}
	f.syncSel(vms)
}

// syncSel records the id under the cursor.
func (f *fleetList) syncSel(vms []model.VMSnapshot) {
	if len(f.order) == 0 {
		f.cursor = 0
		return
	}
	f.cursor = max(0, min(f.cursor, len(f.order)-1))
	f.selID = vms[f.order[f.cursor]].ID
}

func (f *fleetList) move(vms []model.VMSnapshot, delta int) {
	f.cursor += delta
	f.syncSel(vms)
}

func (f *fleetList) moveTo(vms []model.VMSnapshot, i int) {
	f.cursor = i
	f.syncSel(vms)
}

// scrollInto keeps the cursor within a window of h rows.
func (f *fleetList) scrollInto(h int) {
	if h <= 0 {
		return
	}
	if f.cursor < f.offset {
		f.offset = f.cursor
	}
	if f.cursor >= f.offset+h {
		f.offset = f.cursor - h + 1
	}
	f.offset = max(0, min(f.offset, len(f.order)-h))
}

// name is VM i's display name.
func (f *fleetList) name(i int) string {
	if i < len(f.names) {
		return f.names[i]
	}
	return ""
}

// compareVMs orders two VMs by k, then by the names shown (na, nb).
func compareVMs(a, b *model.VMSnapshot, k sortKey, na, nb string) int {
	switch k {
	case sortState:
		if c := cmp.Compare(stateRank(a), stateRank(b)); c != 0 {
			return c
		}
	case sortCPU:
		// Busiest first reads best, so the natural order is descending.
		if c := cmp.Compare(vmCPU(b), vmCPU(a)); c != 0 {
			return c
		}
	case sortMem:
		if c := cmp.Compare(vmMem(b), vmMem(a)); c != 0 {
			return c
		}
	case sortIO:
		if c := cmp.Compare(vmIO(b), vmIO(a)); c != 0 {
			return c
		}
	}
	return cmp.Compare(strings.ToLower(na), strings.ToLower(nb))
}

// stateRank orders VMs by how much they need attention: running, paused,
// stopped, other, then the ones we cannot reach.
func stateRank(v *model.VMSnapshot) int {
	if v.Conn != model.ConnConnected {
		return 10 + int(v.Conn)
	}
	switch render.ClassifyRunState(v.RunState) {
	case render.StateRunning:
		return 0
	case render.StatePaused:
		return 1
	case render.StateStopped:
		return 2
	case render.StateTransitional:
		return 3
	}
	return 4
}

// vmCPU is the process's CPU if known, else the sum of its vCPU threads.
func vmCPU(v *model.VMSnapshot) float64 {
	if v.Host.Valid {
		return v.Host.CPUPercent
	}
	var s float64
	for _, c := range v.VCPUs {
		if c.HasCPU {
			s += c.CPUPercent
		}
	}
	return s
}

// vmHasCPU says whether vmCPU means anything.
func vmHasCPU(v *model.VMSnapshot) bool {
	if v.Host.Valid {
		return true
	}
	for _, c := range v.VCPUs {
		if c.HasCPU {
			return true
		}
	}
	return false
}

// vmCPUHistory is the process's CPU history if known, else the first
// vCPU's (the sum is not kept).
func vmCPUHistory(v *model.VMSnapshot) []float64 {
	if v.Host.Valid && len(v.Host.CPUHistory) > 0 {
		return v.Host.CPUHistory
	}
	if len(v.VCPUs) == 1 {
		return v.VCPUs[0].History
	}
	return nil
}

// vmMem is the guest's memory: the balloon's actual size when there is a
// balloon, else base plus hot-plugged.
func vmMem(v *model.VMSnapshot) uint64 {
	if v.Memory.HasBalloon && v.Memory.BalloonBytes > 0 {
		return v.Memory.BalloonBytes
	}
	return v.Memory.BaseBytes + v.Memory.PluggedBytes
}

// vmIORates sums the block devices' read and write rates.
func vmIORates(v *model.VMSnapshot) (rd, wr float64) {
	for i := range v.Blocks {
		rd += v.Blocks[i].Rate.ReadBps
		wr += v.Blocks[i].Rate.WriteBps
	}
	return rd, wr
}

func vmIO(v *model.VMSnapshot) float64 {
	rd, wr := vmIORates(v)
	return rd + wr
}
