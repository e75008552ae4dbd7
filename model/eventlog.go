package model

import (
	"encoding/json"
	"sync"
	"time"
)

// LoggedEvent is one QMP event as the fleet records it.
type LoggedEvent struct {
	Seq    uint64 // assigned by EventLog.Append; 1 for the first event, then +1
	Source string // VM id
	Name   string
	Data   json.RawMessage
	Time   time.Time // QEMU's timestamp
}

// EventLog is a bounded log of events from every VM. It holds the newest
// Cap() events; older ones are evicted and counted in Dropped. It is safe
// for concurrent use by writers (one per VM) and readers (UI, headless
// commands); every read returns a copy the caller owns.
//
// Events are kept in Seq order, so an incremental reader remembers the
// last Seq it saw and asks Since for the rest; if its first new event's Seq
// is not last+1, events were evicted before it read them.
type EventLog struct {
	mu       sync.RWMutex
	buf      []LoggedEvent // grows to capacity as events come, then is a ring
	capacity int
	start    int    // index of the oldest event in buf (0 until buf is full)
	n        int    // events held
	nextSeq  uint64 // Seq of the next Append
	dropped  uint64
}

// NewEventLog returns an empty log holding at most capacity events. A
// capacity below 1 is raised to 1.
func NewEventLog(capacity int) *EventLog {
	if capacity < 1 {
		capacity = 1
	}
	// Nothing is allocated up front: a fleet of 500 VMs has 500 per-VM
	// logs, most of them holding a few events (preallocated, they were
	// 47 MB of a 111 MB heap).
	return &EventLog{capacity: capacity, nextSeq: 1}
}

// Append records e, assigning its Seq (any Seq in e is ignored), and
// returns it as stored. Data is copied, so a caller may reuse its buffer;
// readers get events that share the stored Data and must not modify it.
func (l *EventLog) Append(e LoggedEvent) LoggedEvent {
	if e.Data != nil {
		e.Data = append(json.RawMessage(nil), e.Data...)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	e.Seq = l.nextSeq
	l.nextSeq++
	if l.n < l.capacity {
		l.buf = append(l.buf, e) // not full yet: start is 0, buf holds exactly n
		l.n++
		return e
	}
	l.buf[l.start] = e
	l.start = (l.start + 1) % len(l.buf)
	l.dropped++
	return e
}

// Len is the number of events held.
func (l *EventLog) Len() int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.n
}

// Cap is the most events the log holds.
func (l *EventLog) Cap() int { return l.capacity } // fixed at creation

// Dropped is how many events have been evicted since the log was created.
func (l *EventLog) Dropped() uint64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.dropped
}

// Snapshot returns every held event, oldest first.
func (l *EventLog) Snapshot() []LoggedEvent {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.copyLocked(0, l.n)
}

// Since returns the held events with Seq greater than seq, oldest first.
// Since(0) returns everything held.
func (l *EventLog) Since(seq uint64) []LoggedEvent {
	l.mu.RLock()
	defer l.mu.RUnlock()
	// Held events carry consecutive Seqs ending at nextSeq-1, so how many
	// are newer than seq is arithmetic, not a search.
	last := l.nextSeq - 1
	if seq >= last {
		return []LoggedEvent{}
	}
	newer := int(min(last-seq, uint64(l.n)))
	return l.copyLocked(l.n-newer, newer)
}

// copyLocked copies count events starting at the from-th oldest. The
// caller holds l.mu.
func (l *EventLog) copyLocked(from, count int) []LoggedEvent {
	out := make([]LoggedEvent, count)
	for i := range out {
		out[i] = l.buf[(l.start+from+i)%len(l.buf)]
	}
	return out
}
