package fleet

import (
	"cmp"
	"strings"

	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/ui/render"
)

// Sorting the fleet, and the figures it sorts by.

// SortKey is what the fleet is sorted by.
type SortKey int

const (
	SortName SortKey = iota
	SortState
	SortCPU
	SortRSS // the QEMU process's resident memory on the host
	SortMem // the guest's memory (balloon actual, else base + plugged)
	SortIO
	NumSortKeys
)

func (k SortKey) String() string {
	return [...]string{"name", "state", "cpu", "rss", "memory", "i/o"}[k]
}

// naturalAsc says whether a key's natural order (desc unset) lists values
// rising: names A→Z and states by rank (running first) do; the figures
// list the busiest first, so they fall.
func (k SortKey) naturalAsc() bool { return k == SortName || k == SortState }

// ascending says whether the list, as shown, goes from low to high. The
// arrows show this, never the reverse flag: ↑ rising, ↓ falling.
func (m *Model) ascending() bool { return m.sortBy.naturalAsc() != m.desc }

func sortArrow(asc bool) string {
	if asc {
		return "↑"
	}
	return "↓"
}

// SortLabel is the sort key and its arrow, as the header shows it.
func (m *Model) SortLabel() string { return m.sortBy.String() + sortArrow(m.ascending()) }

// SortMeaning says in words what comes first.
func (m *Model) SortMeaning() string {
	asc := m.ascending()
	switch m.sortBy {
	case SortName:
		if asc {
			return "A→Z"
		}
		return "Z→A"
	case SortState:
		if asc {
			return "running first"
		}
		return "unreachable first"
	case SortCPU, SortIO:
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

// compareVMs orders two VMs by k, then by the names shown (na, nb).
func compareVMs(a, b *model.VMSnapshot, k SortKey, na, nb string) int {
	var c int
	switch k {
	case SortState:
		c = cmp.Compare(stateRank(a), stateRank(b))
	case SortCPU:
		// Busiest first reads best, so the natural order is descending.
		c = cmp.Compare(vmCPU(b), vmCPU(a))
	case SortRSS:
		// Unknown RSS (a remote VM, no /proc) counts as none: last.
		c = cmp.Compare(vmRSS(b), vmRSS(a))
	case SortMem:
		c = cmp.Compare(vmMem(b), vmMem(a))
	case SortIO:
		c = cmp.Compare(vmIO(b), vmIO(a))
	}
	if c != 0 {
		return c
	}
	return cmp.Compare(strings.ToLower(na), strings.ToLower(nb))
}

// stateRank orders VMs by how much they need attention: running, paused,
// stopped, other, storage daemons, then the ones we cannot reach.
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
	case render.StateService:
		return 5
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

// vmRSS is the QEMU process's resident memory, 0 when unknown.
func vmRSS(v *model.VMSnapshot) uint64 {
	if !v.Host.Valid {
		return 0
	}
	return v.Host.RSSBytes
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
