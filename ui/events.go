package ui

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	"github.com/qmpdash/qmpdash/model"
)

// The event log: QMP events from every VM, newest at the bottom. It shows
// the selected VM's events (or all VMs'), optionally only those whose name
// contains a filter, and follows the tail unless the user has scrolled up.

const (
	maxEvents    = 5000
	maxEventData = 512
)

type eventEntry struct {
	seq  uint64
	vm   string // VM id
	name string // sanitised
	data string // sanitised, compact JSON, clipped
	t    time.Time
}

type eventLog struct {
	entries []eventEntry
	all     bool
	filter  string // upper-cased
	editing bool
	input   lineInput
	// scroll is how many matching lines we are above the newest; 0 follows.
	scroll  int
	dropped uint64
}

// add appends new events and returns how many of them the current view
// shows (so a scrolled-up view can stay where it is).
func (l *eventLog) add(evs []model.LoggedEvent, selID string) int {
	shown := 0
	for i := range evs {
		e := &evs[i]
		ent := eventEntry{seq: e.Seq, vm: e.Source, name: sanitizeLine(clip(e.Name, 128)), t: e.Time}
		if len(e.Data) > 0 {
			ent.data = sanitizeLine(clip(compactJSON(e.Data), maxEventData))
		}
		l.entries = append(l.entries, ent)
		if l.matches(&ent, selID) {
			shown++
		}
	}
	if over := len(l.entries) - maxEvents; over > 0 {
		// Copy down rather than reslice so the old array can be freed.
		l.entries = append(l.entries[:0:0], l.entries[over:]...)
	}
	return shown
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

func (l *eventLog) matches(e *eventEntry, selID string) bool {
	if !l.all && e.vm != selID {
		return false
	}
	return l.filter == "" || strings.Contains(strings.ToUpper(e.name), l.filter)
}

func (l *eventLog) count(selID string) int {
	n := 0
	for i := range l.entries {
		if l.matches(&l.entries[i], selID) {
			n++
		}
	}
	return n
}

// scrollBy moves the view; positive is up (older). It clamps so the view
// never scrolls past the oldest line.
func (l *eventLog) scrollBy(delta, h int, selID string) {
	l.scroll = max(0, min(l.scroll+delta, l.count(selID)-h))
}

// window returns up to h matching entries ending scroll lines above the
// newest, oldest first.
func (l *eventLog) window(h int, selID string) []*eventEntry {
	out := make([]*eventEntry, 0, h)
	skip := l.scroll
	for i := len(l.entries) - 1; i >= 0 && len(out) < h; i-- {
		e := &l.entries[i]
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

// eventsTitle is the log's box title: what it shows and whether it follows.
func (a *app) eventsTitle() string {
	l := &a.events
	t := "Events"
	if l.all {
		t += " · all VMs"
	} else if v, ok := a.selected(); ok {
		t += " · " + displayName(v)
	}
	if l.filter != "" {
		t += " · name ~ " + l.filter
	}
	if l.scroll > 0 {
		t += " · ↑" + itoa(l.scroll) + " (G follows)"
	}
	if l.dropped > 0 {
		t += " · " + itoa(int(min(l.dropped, 1<<31))) + " dropped"
	}
	return t
}

// eventLines renders the visible part of the log in w x h cells, with the
// filter input on top while it is being edited.
func (a *app) eventLines(w, h int) []string {
	l := &a.events
	st := &a.st
	var lines []string
	if l.editing {
		lines = append(lines, l.input.view(&st.Input, w, true))
		h--
	}
	if h <= 0 {
		return lines
	}
	win := l.window(h, a.fleet.selID)
	if len(win) == 0 {
		msg := "no events yet"
		if l.filter != "" {
			msg = "no events match " + l.filter
		}
		return append(lines, st.Muted.Render(msg))
	}
	for _, e := range win {
		var b strings.Builder
		b.WriteString(st.Muted.Render(fmtStamp(e.t, a.loc)))
		b.WriteByte(' ')
		if l.all {
			b.WriteString(st.Accent.Render(fit(a.vmName(e.vm), 12)))
			b.WriteByte(' ')
		}
		b.WriteString(st.Bold.Render(e.name))
		if e.data != "" {
			b.WriteByte(' ')
			b.WriteString(e.data)
		}
		lines = append(lines, trunc(b.String(), w))
	}
	return lines
}
