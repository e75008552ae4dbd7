// Package eventlog is the event log part: QMP events, newest at the
// bottom, of the selected VM or of all VMs, optionally only those whose
// name contains a filter. Each line shows an event's telling members
// first (tray-open, status, error...); a cursor selects one, to be shown
// whole (Selected), and the log follows the tail while the cursor is on
// the newest line. Its
// state, its filter keys and its view live here; the root feeds it what
// the fleet sends and lays it out.
//
// It imports model, themes, keys, lineinput, render and termsafe; never
// ui or the other parts.
package eventlog

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	"github.com/qmpdash/qmpdash/internal/termsafe"
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/ui/keys"
	"github.com/qmpdash/qmpdash/ui/lineinput"
)

// The two views read different logs. The all-VMs view is a merged buffer
// fed from Source.EventsSince. The this-VM view is the VM's own bounded
// log (Source.VMEvents), fetched whole with every fleet read and at once
// when the selection changes, so a chatty VM flooding the merged buffer
// cannot evict a quiet VM's history from its own view.

const (
	// MaxEvents bounds the merged buffer (each VM's own log is bounded
	// by the model).
	MaxEvents    = 5000
	maxEventData = 512
)

type entry struct {
	seq  uint64 // merged Seq in entries, the VM's own Seq in vm
	vm   string // VM id
	name string // sanitised
	data string // sanitised, compact JSON, telling members first, clipped
	raw  json.RawMessage
	t    time.Time
}

// Fetch is one VM's own log as read by Source.VMEvents, numbered by
// NextFetch when it was armed; VMID "" means none was read.
type Fetch struct {
	VMID   string
	Gen    uint64
	Events []model.LoggedEvent
}

// Model is the event log's state.
type Model struct {
	entries []entry // merged, all VMs
	// vm is VM vmID's own log, as last fetched; vmGen is the fetch it came
	// from (fetches are numbered as they are armed by vmAsked, and an
	// older one arriving late is ignored).
	vm      []entry
	vmID    string
	vmGen   uint64
	vmAsked uint64
	all     bool
	filter  string // upper-cased
	editing bool
	input   lineinput.Model
	// cursor is the selected line, counted in matching lines above the
	// newest; 0 (the newest) follows the tail. scroll is the newest line
	// shown, counted the same way; scroll <= cursor < scroll+height.
	cursor  int
	scroll  int
	dropped uint64

	filterTable keys.Table
}

// newEventEntry is the one place an event becomes a line: the name and
// data are clipped and sanitised here, whichever log they came from. The
// data is kept whole too, for the viewer: the model bounds it
// (model.MaxEventData), and it is shared with the model's logs, not copied.
func newEventEntry(e *model.LoggedEvent) entry {
	ent := entry{seq: e.Seq, vm: e.Source, name: termsafe.Line(termsafe.Clip(e.Name, 128)), t: e.Time}
	if len(e.Data) > 0 {
		ent.data = clipLine(tellingJSON(e.Name, e.Data))
		if len(e.Data) <= model.MaxEventData+64 {
			ent.raw = e.Data
		} else {
			ent.raw = json.RawMessage(ent.data) // the model's bound, kept here too
		}
	}
	return ent
}

// add appends new events to the merged buffer and returns how many of them
// match the current view's filters (so a scrolled-up view can stay where
// it is; the caller knows whether the view reads the merged buffer).
func (l *Model) add(evs []model.LoggedEvent, selID string) int {
	shown := 0
	for i := range evs {
		ent := newEventEntry(&evs[i])
		l.entries = append(l.entries, ent)
		if l.matches(&ent, selID) {
			shown++
		}
	}
	if over := len(l.entries) - MaxEvents; over > 0 {
		// Copy down rather than reslice so the old array can be freed.
		l.entries = append(l.entries[:0:0], l.entries[over:]...)
	}
	return shown
}

// setVM takes in a fetch of one VM's own log if it is for the selected VM
// and newer than the one held. ok says it was taken; added is how many
// matching events it has beyond the list it replaces (0 if that list was
// another VM's or none).
func (l *Model) setVM(m Fetch, selID string) (added int, ok bool) {
	if m.VMID == "" || m.VMID != selID || m.Gen <= l.vmGen {
		return 0, false
	}
	l.vmGen = m.Gen
	evs := m.Events
	if over := len(evs) - MaxEvents; over > 0 {
		evs = evs[over:] // the model bounds it; bound it here too
	}
	var old []entry
	var lastOld uint64
	if l.vmID == m.VMID && len(l.vm) > 0 {
		old, lastOld = l.vm, l.vm[len(l.vm)-1].seq
	}
	ents := make([]entry, 0, len(evs))
	for i := range evs {
		e := &evs[i]
		// A VM's log holds consecutive Seqs, so an event already built
		// is found by offset; the time check guards against a VM that
		// was removed and re-added (its Seqs restart).
		if len(old) > 0 && e.Seq >= old[0].seq {
			if j := e.Seq - old[0].seq; j < uint64(len(old)) && old[j].seq == e.Seq && old[j].t.Equal(e.Time) {
				ents = append(ents, old[j])
				continue
			}
		}
		ent := newEventEntry(e)
		ents = append(ents, ent)
		if old != nil && e.Seq > lastOld && l.matches(&ent, selID) {
			added++
		}
	}
	l.vm, l.vmID = ents, m.VMID
	return added, true
}

// dropVM forgets the held VM log (the selection moved to another VM).
func (l *Model) dropVM() {
	l.vm, l.vmID = nil, ""
}

// usesVM says the view reads the VM's own log: the this-VM view once that
// VM's log has arrived. Until then it falls back to the merged buffer
// filtered by VM, which holds nothing of any other VM.
func (l *Model) usesVM(selID string) bool {
	return !l.all && l.vmID != "" && l.vmID == selID
}

// shown is the list the view draws from (still to be filtered by matches).
func (l *Model) shown(selID string) []entry {
	if l.usesVM(selID) {
		return l.vm
	}
	return l.entries
}

func compactJSON(raw json.RawMessage) string {
	var b bytes.Buffer
	if len(raw) > 64<<10 {
		raw = raw[:64<<10]
	}
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}

func (l *Model) matches(e *entry, selID string) bool {
	if !l.all && e.vm != selID {
		return false
	}
	return l.filter == "" || strings.Contains(strings.ToUpper(e.name), l.filter)
}

func (l *Model) count(selID string) int {
	n := 0
	ents := l.shown(selID)
	for i := range ents {
		if l.matches(&ents[i], selID) {
			n++
		}
	}
	return n
}

// clamp keeps the cursor on a line and in the h lines shown.
func (l *Model) clamp(h int, selID string) {
	n := l.count(selID)
	h = max(1, h)
	l.cursor = max(0, min(l.cursor, n-1))
	l.scroll = max(0, min(l.scroll, n-h))
	l.scroll = max(l.scroll, l.cursor-h+1)
	l.scroll = min(l.scroll, l.cursor)
}

// scrollBy moves the view; positive is up (older). It clamps so the view
// never scrolls past the oldest line, and drags the cursor along so it
// stays in view.
func (l *Model) scrollBy(delta, h int, selID string) {
	h = max(1, h)
	l.scroll = max(0, min(l.scroll+delta, l.count(selID)-h))
	l.cursor = max(l.scroll, min(l.cursor, l.scroll+h-1))
	l.clamp(h, selID)
}

// moveBy moves the cursor; positive is up (older). The view follows it.
func (l *Model) moveBy(delta, h int, selID string) {
	l.cursor += delta
	l.clamp(h, selID)
}

// window returns up to h matching entries ending scroll lines above the
// newest, oldest first; the cursor's is at len-1-(cursor-scroll).
func (l *Model) window(h int, selID string) []*entry {
	out := make([]*entry, 0, h)
	skip := l.scroll
	ents := l.shown(selID)
	for i := len(ents) - 1; i >= 0 && len(out) < h; i-- {
		e := &ents[i]
		if !l.matches(e, selID) {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		out = append(out, e)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// at is the entry n matching lines above the newest.
func (l *Model) at(n int, selID string) (*entry, bool) {
	ents := l.shown(selID)
	for i := len(ents) - 1; i >= 0; i-- {
		e := &ents[i]
		if !l.matches(e, selID) {
			continue
		}
		if n == 0 {
			return e, true
		}
		n--
	}
	return nil, false
}
