package qmp

import (
	"context"
	"slices"
	"time"
)

// Slots. QEMU queues at most MaxInFlight in-band commands per monitor; a
// command holds a slot from before it is sent until QEMU answers it, even
// when its caller has stopped waiting. The count lives under c.mu beside
// the bookkeeping every command does anyway, so a free slot costs no lock
// or channel operation of its own; only callers that find none wait.

// takeSlotLocked takes a free slot if there is one.
func (c *Client) takeSlotLocked() bool {
	if c.inflight < MaxInFlight {
		c.inflight++
		return true
	}
	return false
}

// freeSlotLocked gives a slot back: to the longest-waiting caller if there
// is one, else to the pool.
func (c *Client) freeSlotLocked() {
	if len(c.slotWaiters) > 0 {
		w := c.slotWaiters[0]
		c.slotWaiters = slices.Delete(c.slotWaiters, 0, 1)
		w <- struct{}{} // buffered: never blocks
		return
	}
	c.inflight--
}

// waitSlotLocked waits, until deadline or ctx is done, for a slot to be
// handed over. c.mu is held on entry and on return; it is released while
// waiting. A caller whose ctx ended is never handed a slot: select picks
// at random among ready cases, so the slot may have come at the same
// moment; it is passed on and the command is not sent.
func (c *Client) waitSlotLocked(ctx context.Context, command string, deadline time.Time, bounded bool) error {
	w := make(chan struct{}, 1)
	c.slotWaiters = append(c.slotWaiters, w)
	c.mu.Unlock()
	var expire <-chan time.Time
	if !bounded {
		t := time.NewTimer(time.Until(deadline))
		defer t.Stop()
		expire = t.C
	}
	op := "command " + command + " (waiting for a free slot)"
	var err error
	select {
	case <-w:
		c.mu.Lock()
		if ctx.Err() == nil {
			return nil
		}
		c.freeSlotLocked()
		return &TimeoutError{Sock: c.sock, Op: op, Err: ctx.Err()}
	case <-ctx.Done():
		err = &TimeoutError{Sock: c.sock, Op: op, Err: ctx.Err()}
	case <-expire:
		err = &TimeoutError{Sock: c.sock, Op: op, Err: context.DeadlineExceeded}
	case <-c.done:
		err = c.cutOff(command)
	}
	c.mu.Lock()
	if i := slices.Index(c.slotWaiters, w); i >= 0 {
		c.slotWaiters = slices.Delete(c.slotWaiters, i, i+1)
	} else {
		c.freeSlotLocked() // handed one just as the wait ended: pass it on
	}
	return err
}
