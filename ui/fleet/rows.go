package fleet

import (
	"hash/fnv"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/qmpdash/qmpdash/internal/termsafe"
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/themes"
	"github.com/qmpdash/qmpdash/ui/render"
)

// Drawing the fleet's rows: each row is rendered once and cached until
// the figures it shows change, which keeps View cheap for hundreds of VMs.

// rowData is everything a row shows: if it is unchanged, so is the row.
type rowData struct {
	name, id, state string // state: the run state cell's text
	conn            model.ConnState
	stale           bool
	attempt         int
	vcpus           int
	cpu             float64
	hasCPU          bool
	hist            uint64 // hash of the CPU history shown
	rss             uint64
	hasRSS          bool
	hostAge         string // how old stale host figures are ("" while they are current)
	mem             uint64
	rd, wr          float64
	ip, host        string // from the guest agent, as the guest said them
	guestLive       bool   // the agent answers now (and so does the monitor)
}

func makeRowData(v *model.VMSnapshot, name string, now time.Time) rowData {
	rd, wr := vmIORates(v)
	d := rowData{
		name: name, id: v.ID, state: render.VMStateText(v, now), conn: v.Conn, stale: v.Stale,
		attempt: v.Attempt, vcpus: len(v.VCPUs), cpu: vmCPU(v), hasCPU: vmHasCPU(v),
		rss: v.Host.RSSBytes, hasRSS: v.Host.Valid, hostAge: hostAge(v, now), mem: vmMem(v), rd: rd, wr: wr,
		ip: v.Guest.IP, host: v.Guest.HostName, guestLive: guestLive(v),
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
func (rc *rowCache) row(st *themes.Styles, gen int, v *model.VMSnapshot, name string, cols []column, sig uint64, w int, sel bool, now time.Time) string {
	if *rc == nil {
		*rc = rowCache{}
	}
	k := rowKey{data: makeRowData(v, name, now), cols: sig, width: w, sel: sel, gen: gen}
	if e, ok := (*rc)[v.ID]; ok && e.key == k {
		return e.line
	}
	line := renderRow(st, v, k.data.state, k.data.hostAge, name, cols, w, sel)
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
// state and hostAge are the texts that depend on the clock (VMStateText,
// hostAge).
func renderRow(st *themes.Styles, v *model.VMSnapshot, state, hostAge, name string, cols []column, w int, sel bool) string {
	var b strings.Builder
	if sel {
		b.WriteString("▸ ")
	} else {
		b.WriteString("  ")
	}
	for _, c := range cols {
		text, style := cellText(st, v, state, hostAge, name, c)
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

// cellText is a cell's text and, when it has one, its colour. Without a
// connection every figure is "—": they were of a process that may be gone.
// Host figures that are stale (hostAge not "") are last known: marked "?"
// with their age and muted, as a last known state is.
func cellText(st *themes.Styles, v *model.VMSnapshot, state, hostAge, name string, c column) (string, func(...string) string) {
	switch c.id {
	case colName:
		return name, nil
	case colState:
		return state, render.VMStateStyle(st, v).Render
	case colConn:
		return render.ConnText(v, true), render.ConnStyle(st, v).Render
	case colMachine:
		if v.RemoteHost == "" {
			return "local", st.Muted.Render
		}
		return termsafe.Line(termsafe.Clip(v.RemoteHost, 256)), nil
	case colIP, colHost:
		// The guest's own facts, cleaned here, where they enter display.
		// While the agent (or the monitor) does not answer they are only
		// last known: marked "?" and muted, as a last known state is.
		t := v.Guest.IP
		if c.id == colHost {
			t = termsafe.Line(termsafe.Clip(v.Guest.HostName, 128))
		}
		switch {
		case t == "":
			return "—", st.Muted.Render
		case !guestLive(v):
			return "? " + t, st.Muted.Render
		}
		return t, nil
	}
	if v.Conn != model.ConnConnected {
		if c.id == colSpark {
			return "", nil
		}
		return "—", st.Muted.Render
	}
	switch c.id {
	case colVCPU:
		if len(v.VCPUs) == 0 {
			return "—", st.Muted.Render
		}
		return strconv.Itoa(len(v.VCPUs)), nil
	case colCPU:
		if !vmHasCPU(v) {
			return "—", st.Muted.Render
		}
		return hostFigure(st, render.Pct(vmCPU(v)), hostAge, c.width)
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
		return hostFigure(st, render.Bytes(v.Host.RSSBytes), hostAge, c.width)
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

// hostAge is how long ago v's host figures were read when they are stale
// (its SSH host's /proc batch stopped arriving), "" while they are true now.
func hostAge(v *model.VMSnapshot, now time.Time) string {
	if !v.Host.Stale || v.Host.At.IsZero() {
		return ""
	}
	return render.Age(now.Sub(v.Host.At))
}

// hostFigure is a host figure's cell, w wide: as it is while current,
// else marked last known with its age ("? 12.5% 8s"), muted; without the
// age when the column had no room to grow for it.
func hostFigure(st *themes.Styles, text, age string, w int) (string, func(...string) string) {
	if age == "" {
		return text, nil
	}
	if t := lastKnown(text, age); render.Width(t) <= w {
		return t, st.Muted.Render
	}
	return "? " + text, st.Muted.Render
}

func lastKnown(text, age string) string { return "? " + text + " " + age }

// maxWatchingBytes bounds the watching note before it is drawn (the row
// clips it to the width anyway).
const maxWatchingBytes = 512

// View draws the table (header and visible rows) in w x h cells with the
// drawing context c. watching says where VMs are looked for, for the
// note shown while the fleet is empty.
func (m *Model) View(c *render.Context, w, h int, watching string) []string {
	if h <= 0 || w <= 0 {
		return nil
	}
	st := c.Styles
	var now time.Time
	if c.Now != nil {
		now = c.Now()
	}
	cols := fleetColumns(w, withMachine(m.columns, m.anyRemote), m.fitWidths(now))
	sig := colsSig(cols)
	lines := make([]string, 0, h)
	lines = append(lines, fleetHeader(st, cols, w, m.sortBy, m.ascending()))
	rowsH := h - 1
	if len(m.order) == 0 {
		msg := "no VMs yet — waiting for the fleet"
		if wt := termsafe.Line(termsafe.Clip(watching, maxWatchingBytes)); strings.TrimSpace(wt) != "" {
			msg = "no VMs yet — watching " + strings.TrimSpace(wt)
		}
		if len(m.vms) > 0 {
			back, _ := m.table.Lookup("back")
			msg = "no VM matches the filter " + strconv.Quote(m.filter) + " (" + back.Help().Key + " clears it)"
		}
		if rowsH > 0 {
			lines = append(lines, st.Muted.Render(render.Trunc("  "+msg, w)))
		}
		return lines
	}
	end := min(len(m.order), m.offset+rowsH)
	for i := m.offset; i < end; i++ {
		idx := m.order[i]
		lines = append(lines, m.rows.row(st, c.Gen, &m.vms[idx], m.name(idx), cols, sig, w, i == m.cursor, now))
	}
	return lines
}

// fitWidths are the widest texts shown in the columns that grow to fit
// them rather than cut them off: the state, run state or last known state
// with its age ("? running 12s"), and the host figures, stale ones with
// theirs ("? 12.5% 8s").
func (m *Model) fitWidths(now time.Time) map[colID]int {
	fit := map[colID]int{}
	for _, idx := range m.order {
		v := &m.vms[idx]
		fit[colState] = max(fit[colState], render.Width(render.VMStateText(v, now)))
		if age := hostAge(v, now); age != "" && v.Conn == model.ConnConnected {
			if vmHasCPU(v) {
				fit[colCPU] = max(fit[colCPU], render.Width(lastKnown(render.Pct(vmCPU(v)), age)))
			}
			if v.Host.Valid {
				fit[colRSS] = max(fit[colRSS], render.Width(lastKnown(render.Bytes(v.Host.RSSBytes), age)))
			}
		}
	}
	return fit
}

// FilterInput draws the filter being typed, for the header.
func (m *Model) FilterInput(st *themes.Styles, w int) string { return m.input.View(&st.Input, w, true) }

// guestLive says whether the guest agent's facts are true now: the agent
// answered its latest call and the VM's monitor answers.
func guestLive(v *model.VMSnapshot) bool {
	return v.Guest.State == model.GuestOK && v.Conn == model.ConnConnected && !v.Stale
}
