package qmp

import (
	"context"
	"encoding/json"
	"time"
)

// The reader role. Exactly one goroutine at a time reads the socket: the
// holder of the role, marked by c.reading. Who holds it:
//
//   - A caller whose command finds nobody reading takes the role, writes,
//     and reads until its own reply, handling every event and other reply
//     that comes first. A serial caller thus waits on the socket itself,
//     as a hand-written write/read loop does, and no goroutine has to wake
//     another per command. That hand-off was most of what the client used
//     to add to a round trip (docs/BENCHMARKS.md).
//   - A caller that finds the role taken waits on its call's channel; the
//     holder delivers its reply.
//   - A background reader holds it while replies are owed and no caller is
//     reading (a caller-reader got its reply, or gave up, with others still
//     waiting), and while the client is idle, so that events are read when
//     no command runs. It gives the role up when a reply leaves nothing
//     owed; with WithStandingReader it never does, and no caller reads.
//
// When the role falls free, the idle timer makes sure a background reader
// takes it once no command has run for one to two idleHandovers. The timer
// is armed at most once at a time and callers never stop it: arming and
// stopping runtime timers on every command would cost as much as the
// hand-off saved (see setReadDeadline).
//
// The role moves under c.mu; fr and rdl belong to whoever holds it.

// idleHandover is how long the role may stay free after the last command
// before a background reader takes it: an event arriving just after a
// command waits at most about twice this long (a dashboard cannot see the
// difference), while a caller issuing commands back to back keeps reading
// its own replies.
const idleHandover = 10 * time.Millisecond

// takeRoleLocked makes the calling goroutine the holder if nobody is.
func (c *Client) takeRoleLocked() bool {
	if c.reading || c.closeErr != nil {
		return false
	}
	c.reading = true
	c.readers.Add(1)
	return true
}

// releaseRoleLocked frees the role and makes sure a background reader takes
// it soon if no caller does.
func (c *Client) releaseRoleLocked() {
	c.reading = false
	c.readers.Done()
	c.releases++
	if c.closeErr == nil && !c.idleArmed {
		c.armIdleLocked()
	}
}

func (c *Client) armIdleLocked() {
	c.idleArmed = true
	c.armedAt = c.releases
	c.idle.Reset(c.opts.idleHandover)
}

// passRoleLocked ends a caller's turn as reader: to a background reader
// when replies are still owed (their callers wait on channels), else
// freely.
func (c *Client) passRoleLocked() {
	if c.closeErr == nil && c.owedLocked() {
		go c.backgroundRead() // inherits the role
		return
	}
	c.releaseRoleLocked()
}

// idleTakeover runs on the idle timer.
func (c *Client) idleTakeover() {
	c.mu.Lock()
	c.idleArmed = false
	if !c.reading && c.closeErr == nil && c.releases != c.armedAt {
		// Commands ran since the timer was armed: the client is not
		// idle yet. Look again later rather than take the role from
		// the next command of a steady stream.
		c.armIdleLocked()
		c.mu.Unlock()
		return
	}
	took := c.takeRoleLocked()
	c.mu.Unlock()
	if took {
		c.backgroundRead()
	}
}

// backgroundRead reads as the role holder until a reply leaves nothing
// owed, or the connection ends. It waits without a deadline: events may
// be minutes apart, and each caller bounds its own wait.
func (c *Client) backgroundRead() {
	if !c.rdl.IsZero() {
		c.rdl = time.Time{}
		_ = c.conn.SetReadDeadline(time.Time{})
	}
	for {
		b, err := c.fr.next()
		if err != nil {
			if isTimeout(err) {
				// A deadline a caller set (or its cancellation) outlived
				// its turn. Not ours: clear it and read on.
				c.rdl = time.Time{}
				_ = c.conn.SetReadDeadline(time.Time{})
				continue
			}
			c.shutdown(c.readError(err, b))
			c.mu.Lock()
			c.releaseRoleLocked()
			c.mu.Unlock()
			return
		}
		kind, _, _ := c.handle(b, 0)
		if kind == handledEvent {
			continue
		}
		c.mu.Lock()
		if kind == handledFatal || c.closeErr != nil || (!c.opts.standingReader && !c.owedLocked()) {
			c.releaseRoleLocked()
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
	}
}

// readOwn reads as the role holder until the reply to id arrives (ownBare:
// the next reply without an id), handling whatever comes first, and passes
// the role on before returning. Its wait ends at deadline or when ctx is
// done.
func (c *Client) readOwn(ctx context.Context, deadline, now time.Time, command string, id uint64, want into) (json.RawMessage, error) {
	var stop func() bool
	if ctx.Done() != nil {
		stop = context.AfterFunc(ctx, c.interruptRead)
	}
	ret, err, answered := c.readUntil(ctx, deadline, now, command, id, want)
	if stop != nil {
		stop()
	}
	c.mu.Lock()
	c.ownID = 0
	switch {
	case answered:
		c.freeSlotLocked()
		if id == ownBare {
			c.bareOwed, c.bareCall = false, call{}
		}
	case c.closeErr != nil:
	case id == ownBare:
		// Still owed (c.bareOwed): the next reply without an id is
		// this command's, and whoever reads then drops it.
	default:
		// QEMU still holds the command: whoever reads next drops its
		// reply, and only then is its slot free.
		c.pending[id] = call{command: command}
	}
	c.passRoleLocked()
	c.mu.Unlock()
	return ret, err
}

// readUntil is readOwn's loop. answered reports that the reply to id came
// (ret and err are then its result, decoded while b is still valid: the
// framer's memory is reused by the next holder).
func (c *Client) readUntil(ctx context.Context, deadline, now time.Time, command string, id uint64, want into) (ret json.RawMessage, err error, answered bool) {
	c.setReadDeadline(ctx, deadline, now)
	for {
		b, err := c.fr.next()
		if err != nil {
			if !isTimeout(err) {
				c.shutdown(c.readError(err, b))
				return nil, c.cutOff(command), false
			}
			if ctx.Err() != nil || !time.Now().Before(deadline) {
				// The entry stays pending: QEMU still holds the command,
				// so its slot is only freed when the reply arrives (and
				// is dropped by whoever reads then).
				return nil, &TimeoutError{Sock: c.sock, Op: "command " + command, Err: ctxErrOr(ctx, context.DeadlineExceeded)}, false
			}
			// An earlier deadline still set, or a stale interruption.
			c.rdl = time.Time{}
			c.setReadDeadline(ctx, deadline, time.Now())
			continue
		}
		kind, m, derr := c.handle(b, id)
		switch kind {
		case handledFatal:
			return nil, c.cutOff(command), false
		case handledOwn:
			switch {
			case derr != nil:
				return nil, protocolErr(c.sock, "malformed reply to "+command, b, derr), true
			case m.errResp != nil:
				return nil, &ResponseError{Sock: c.sock, Command: command, Class: m.errResp.Class, Desc: m.errResp.Desc}, true
			case want.raw:
				return clone(m.ret), nil, true
			}
			ret, err := c.result(command, m.ret, want)
			return ret, err, true
		}
	}
}

// interruptRead makes a blocked read return at once, for a cancelled
// caller-reader.
func (c *Client) interruptRead() { _ = c.conn.SetReadDeadline(time.Unix(1, 0)) }

// setReadDeadline makes the socket's read deadline no later than d. It
// leaves a deadline already set alone when that one is no later than d and
// leaves at least half of the wait: an early expiry only means re-arming.
// Arming a runtime timer can wake an idle thread to watch it, and on a
// small host that wake costs more of a round trip than the rest of the
// client's work.
//
// If ctx was cancelled before the deadline was set, its interruption may
// have just been overwritten: interrupt again.
func (c *Client) setReadDeadline(ctx context.Context, d, now time.Time) {
	if !c.rdl.IsZero() && !c.rdl.After(d) && c.rdl.Sub(now) >= d.Sub(now)/2 {
		return
	}
	c.rdl = d
	_ = c.conn.SetReadDeadline(d)
	if ctx.Err() != nil {
		c.interruptRead()
	}
}

// handled says what handle did with a message.
type handled int

const (
	handledEvent handled = iota // an event went to the subscribers
	handledReply                // a reply went to its caller, or was dropped as nobody's
	handledOwn                  // the reply to the reader's own command: returned, not delivered
	handledFatal                // the stream is broken; the client is shut down
)

// handle processes one message for the role holder. A reply with id own
// (0: the holder has no command of its own; ownBare: any reply without an
// id) is returned with its decoding error, if any, for the holder to use
// before it reads again.
func (c *Client) handle(b []byte, own uint64) (handled, message, error) {
	c.debug("recv", b)
	m, err := decodeMessage(b)
	var mine bool
	if own == ownBare {
		mine = m.reply && !m.hasID
	} else {
		mine = own != 0 && m.ours && m.id == own
	}
	if err != nil {
		if mine {
			return handledOwn, m, err // settled by the holder
		}
		if c.dispatchBadReply(m, err, b) {
			return handledReply, m, nil
		}
		c.shutdown(protocolErr(c.sock, "garbled message from QEMU", b, err))
		return handledFatal, m, nil
	}
	switch m.kind {
	case msgReply:
		if mine {
			return handledOwn, m, nil // settled by the holder
		}
		c.deliver(m, b)
		return handledReply, m, nil
	case msgEvent:
		c.publish(m.event)
		return handledEvent, m, nil
	}
	c.shutdown(protocolErr(c.sock, "unexpected second greeting", b, nil))
	return handledFatal, m, nil
}
