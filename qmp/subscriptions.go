package qmp

import (
	"context"
	"encoding/json"
	"errors"
	"sync/atomic"
	"time"
)

// Event is one asynchronous QMP event.
type Event struct {
	Name string
	Data json.RawMessage // nil when QEMU sent none
	Time time.Time       // QEMU's timestamp (host wall clock at emission)
}

// Subscription receives events. Each has its own bounded buffer: when it is
// full the oldest event is dropped to make room and Dropped counts it, so a
// slow subscriber loses history, never the reader's time.
type Subscription struct {
	c       *Client
	filter  map[string]bool // nil: every event
	ch      chan Event
	dropped atomic.Uint64
	closed  bool // guarded by c.mu
	byUser  atomic.Bool
}

// ErrSubscriptionClosed is the cause Next reports after Close.
var ErrSubscriptionClosed = errors.New("subscription closed")

// Subscribe returns a subscription to the named events (all when none are
// named) with a buffer of size events (DefaultEventBuffer when <= 0). Its
// channel is closed when the connection ends or Close is called.
func (c *Client) Subscribe(size int, names ...string) *Subscription {
	if size <= 0 {
		size = DefaultEventBuffer
	}
	s := &Subscription{c: c, ch: make(chan Event, size)}
	if len(names) > 0 {
		s.filter = make(map[string]bool, len(names))
		for _, n := range names {
			s.filter[n] = true
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closeErr != nil {
		s.closeLocked()
		return s
	}
	c.subs[s] = struct{}{}
	return s
}

// C delivers the events.
func (s *Subscription) C() <-chan Event { return s.ch }

// Dropped counts events lost because the buffer was full.
func (s *Subscription) Dropped() uint64 { return s.dropped.Load() }

// Close stops delivery and closes C. Idempotent.
func (s *Subscription) Close() {
	s.byUser.Store(true)
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	delete(s.c.subs, s)
	s.closeLocked()
}

func (s *Subscription) closeLocked() {
	if !s.closed {
		s.closed = true
		close(s.ch)
	}
}

// Next waits for the next event. It returns a TimeoutError when ctx ends
// first and a ConnectError when the subscription or connection is closed.
func (s *Subscription) Next(ctx context.Context) (Event, error) {
	select {
	case ev, ok := <-s.ch:
		if !ok {
			if s.byUser.Load() {
				return Event{}, &ConnectError{Sock: s.c.sock, Msg: "waiting for an event", Err: ErrSubscriptionClosed}
			}
			return Event{}, s.c.cutOff("event wait")
		}
		return ev, nil
	case <-ctx.Done():
		return Event{}, &TimeoutError{Sock: s.c.sock, Op: "waiting for an event", Err: ctx.Err()}
	}
}

// publish hands ev to every interested subscriber without ever blocking.
// It runs on whoever holds the reader role (reader.go), holding c.mu so
// Close cannot close a channel under it.
func (c *Client) publish(ev Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for s := range c.subs {
		if s.filter != nil && !s.filter[ev.Name] {
			continue
		}
		s.offer(ev)
	}
}

// offer enqueues ev, evicting the oldest queued event when full. Only the
// reader sends, so after one eviction there is room; the last default is a
// guard, not a path we expect.
func (s *Subscription) offer(ev Event) {
	select {
	case s.ch <- ev:
		return
	default:
	}
	select {
	case <-s.ch:
		s.dropped.Add(1)
	default:
	}
	select {
	case s.ch <- ev:
	default:
		s.dropped.Add(1)
	}
}
