package qmp

import (
	"context"
	"encoding/json"
	"time"
)

// Call is one command of a batch: what to send, where to decode the
// reply's "return" (a pointer, or nil to discard it), and, once
// ExecuteBatch returns, how it went.
type Call struct {
	Command string
	Args    json.RawMessage // a JSON object, or nil for none
	Result  any
	Err     error
}

// ExecuteBatch sends calls back to back in one write and waits for every
// reply, all within ctx (or the command timeout). Each call gets its own
// result or error, as if executed alone: QEMU runs them one after another,
// in order, so one failing does not stop the next. The calls carry ids,
// since more than one reply is owed at once (bare.go).
//
// One write and one wait instead of one each per command: a poll of a few
// queries costs a monitor's reader one wakeup, not one a query. A batch
// larger than the free slots QEMU queues (MaxInFlight) runs one call
// after another instead, as does one with a call the client would refuse
// or send alone.
func (c *Client) ExecuteBatch(ctx context.Context, calls []Call) {
	if !c.batchable(calls) || !c.startBatch(ctx, calls) {
		for i := range calls {
			_, calls[i].Err = c.exec(ctx, calls[i].Command, calls[i].Args, into{result: calls[i].Result})
		}
	}
}

// batchable says the calls can share one write: none has arguments that
// exec would check or refuse.
func (c *Client) batchable(calls []Call) bool {
	if len(calls) < 2 || len(calls) > MaxInFlight {
		return false
	}
	for _, cl := range calls {
		if len(cl.Args) > 0 || unanswerable(cl.Command, nil) != "" || !singleAnswer(cl.Command, nil) {
			return false
		}
	}
	return true
}

// startBatch sends the batch and waits for it. It reports false, having
// sent nothing, when the slots for all of it are not free now.
func (c *Client) startBatch(ctx context.Context, calls []Call) bool {
	if err := ctx.Err(); err != nil {
		for i := range calls {
			calls[i].Err = &TimeoutError{Sock: c.sock, Op: "command " + calls[i].Command, Err: err}
		}
		return true
	}
	n := len(calls)
	c.mu.Lock()
	if c.closeErr != nil {
		c.mu.Unlock()
		for i := range calls {
			calls[i].Err = c.cutOff(calls[i].Command)
		}
		return true
	}
	if MaxInFlight-c.inflight < n || len(c.slotWaiters) > 0 {
		c.mu.Unlock()
		return false
	}
	c.inflight += n
	reader := c.takeRoleLocked()
	ids := make([]uint64, n)
	waits := make([]call, n)
	for i := range calls {
		c.nextID++
		ids[i] = c.nextID
		waits[i] = call{command: calls[i].Command}
		if reader && i == n-1 {
			c.ownID = ids[i] // read by this caller, below
			continue
		}
		// Buffered: a reply that comes before its wait begins is kept.
		waits[i].reply = make(chan callResult, 1)
		c.pending[ids[i]] = waits[i]
	}
	c.mu.Unlock()

	now, err := c.sendBatch(calls, ids)
	if err != nil {
		// sendBatch shut the connection down, which answered every waiter.
		if reader {
			c.dropOwnRead()
		}
		for i := range calls {
			calls[i].Err = err
		}
		return true
	}
	deadline, bounded := c.deadline(ctx, now)
	last := n - 1
	if reader {
		// QEMU answers in order: the last reply comes after the others,
		// which the reading hands to their (buffered) channels.
		_, calls[last].Err = c.readOwn(ctx, deadline, now, calls[last].Command, ids[last], into{result: calls[last].Result})
	} else {
		last = n
	}
	for i := range last {
		_, calls[i].Err = c.await(ctx, deadline, bounded, waits[i], into{result: calls[i].Result})
	}
	return true
}

// sendBatch writes every call's request at once (send's rules apply).
func (c *Client) sendBatch(calls []Call, ids []uint64) (now time.Time, err error) {
	return c.write(calls[0].Command, func(b []byte) []byte {
		for i, cl := range calls {
			b = appendRequest(b, cl.Command, ids[i], nil)
		}
		return b
	})
}
