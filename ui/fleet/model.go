// Package fleet is the fleet table: which VMs are shown (fuzzy filter on
// names, or on targets after @), in what order (sort), which one is
// selected (by id, so the selection survives re-sorting and VMs coming and
// going), which rows are scrolled into view, and the rows themselves,
// drawn once and cached until what they show changes. Its keys are in its own tables (Keys, FilterKeys).
//
// It is plain state the root lays out, not a tea.Model. It imports model,
// themes, keys, lineinput, render and termsafe; never ui or the other
// parts.
package fleet

import (
	"cmp"
	"slices"
	"strings"

	"github.com/qmpdash/qmpdash/internal/termsafe"
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/ui/keys"
	"github.com/qmpdash/qmpdash/ui/lineinput"
	"github.com/qmpdash/qmpdash/ui/render"
	"github.com/sahilm/fuzzy"
)

// Model is the fleet table's state.
type Model struct {
	// vms is the snapshot's VMs (immutable, shared with the root) and
	// names their display names (made safe once per snapshot), index-
	// parallel: sorting, filtering and drawing all use what is shown.
	vms   []model.VMSnapshot
	names []string

	order  []int // indices into vms, filtered and sorted
	selID  string
	cursor int // index into order
	offset int // first row in view
	sortBy SortKey
	desc   bool
	filter string
	// editing is true while the filter is being typed.
	editing bool
	input   lineinput.Model
	rows    rowCache
	columns map[colID]bool // nil: all
	// anyRemote: some VM is on an SSH host, so the host column shows by
	// default.
	anyRemote bool

	table, filterTable keys.Table
}

// New makes an empty table answering to km's keys and showing the named
// columns (see ColumnNames; none means all).
func New(km *keys.Map, columns []string) (Model, error) {
	cols, err := visibleColumns(columns)
	if err != nil {
		return Model{}, err
	}
	return Model{columns: cols, table: Keys(km), filterTable: FilterKeys(km)}, nil
}

// SetVMs takes in a new snapshot's VMs and their display names. The
// selection stays on the same VM while it is shown; the first snapshot
// selects the first VM.
func (m *Model) SetVMs(vms []model.VMSnapshot, names []string) {
	m.vms, m.names = vms, names
	m.anyRemote = false
	for i := range vms {
		if vms[i].RemoteHost != "" {
			m.anyRemote = true
			break
		}
	}
	if m.selID == "" && len(vms) > 0 {
		m.selID = vms[0].ID
	}
	m.refresh()
	m.rows.prune(vms)
}

// refresh recomputes order for a new snapshot, filter or sort and keeps the
// selection on the same VM when it is still shown.
func (m *Model) refresh() {
	vms := m.vms
	m.order = m.order[:0]
	if m.filter == "" {
		for i := range vms {
			m.order = append(m.order, i)
		}
	} else {
		// Names, or with a leading @ targets (socket paths): a path
		// shared by every VM (/run/qemu) must not match them all.
		q, byTarget := strings.CutPrefix(m.filter, "@")
		texts := make([]string, len(vms))
		for i := range vms {
			if byTarget {
				texts[i] = termsafe.Line(termsafe.Clip(vms[i].ID, 256))
			} else {
				texts[i] = m.name(i)
			}
		}
		if q == "" {
			for i := range vms {
				m.order = append(m.order, i)
			}
		}
		for _, fm := range fuzzy.Find(q, texts) {
			m.order = append(m.order, fm.Index)
		}
	}
	slices.SortStableFunc(m.order, func(a, b int) int {
		c := compareVMs(&vms[a], &vms[b], m.sortBy, m.name(a), m.name(b))
		if m.desc {
			c = -c
		}
		if c == 0 {
			c = cmp.Compare(vms[a].ID, vms[b].ID)
		}
		return c
	})
	m.cursor = 0
	for i, idx := range m.order {
		if vms[idx].ID == m.selID {
			m.cursor = i
			break
		}
	}
	m.syncSel()
}

// name is VM i's display name.
func (m *Model) name(i int) string {
	if i < len(m.names) {
		return m.names[i]
	}
	return ""
}

// syncSel records the id under the cursor.
func (m *Model) syncSel() {
	if len(m.order) == 0 {
		m.cursor = 0
		return
	}
	m.cursor = max(0, min(m.cursor, len(m.order)-1))
	m.selID = m.vms[m.order[m.cursor]].ID
}

// Move moves the cursor by delta rows.
func (m *Model) Move(delta int) {
	m.cursor += delta
	m.syncSel()
}

// MoveTo puts the cursor on row i.
func (m *Model) MoveTo(i int) {
	m.cursor = i
	m.syncSel()
}

// ScrollInto keeps the cursor within a window of h rows.
func (m *Model) ScrollInto(h int) {
	if h <= 0 {
		return
	}
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+h {
		m.offset = m.cursor - h + 1
	}
	m.offset = max(0, min(m.offset, len(m.order)-h))
}

// Selected is the VM under the cursor.
func (m *Model) Selected() (*model.VMSnapshot, bool) {
	if len(m.order) == 0 {
		return nil, false
	}
	return &m.vms[m.order[m.cursor]], true
}

// SelectedID is the selected VM's id ("" before the first snapshot).
func (m *Model) SelectedID() string { return m.selID }

// Rows is how many VMs are shown (after the filter).
func (m *Model) Rows() int { return len(m.order) }

// RowAt is the index into the snapshot's VMs of the row offset+i shown
// at line i of the table's rows, for clicks.
func (m *Model) RowAt(i int) (int, bool) {
	r := m.offset + i
	return r, i >= 0 && r < len(m.order)
}

// ShownNames are the display names of the rows, top to bottom.
func (m *Model) ShownNames() []string {
	out := make([]string, len(m.order))
	for i, idx := range m.order {
		out[i] = m.name(idx)
	}
	return out
}

// Editing says whether the filter is being typed.
func (m *Model) Editing() bool { return m.editing }

// Filter is the filter in force ("" for none).
func (m *Model) Filter() string { return m.filter }

// SortBy is the sort key in force.
func (m *Model) SortBy() SortKey { return m.sortBy }

// HeaderCount is "n VMs" ("1 VM"), or "shown/all VMs" while a filter is
// set.
func (m *Model) HeaderCount() string {
	n := render.Itoa(len(m.vms))
	unit := " VMs"
	if len(m.vms) == 1 {
		unit = " VM"
	}
	if m.filter != "" || m.editing {
		return render.Itoa(len(m.order)) + "/" + n + unit
	}
	return n + unit
}
