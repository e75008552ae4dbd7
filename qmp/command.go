package qmp

// The command path: a request goes out with a generated id, and its reply
// finds the caller by that id, whoever reads it (reader.go); or, when no
// other reply is owed, without an id, and its reply is the next one
// (bare.go). The connection's life (dial, handshake, close) is in
// client.go.

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"time"
)

// call is one command waiting for its reply.
type call struct {
	command string
	// reply is buffered: the reader never waits for the caller. It is nil
	// for a caller that reads its own reply (see reader.go), whose reply
	// nobody else needs to hand over.
	reply chan callResult
}

// answer hands r to the caller, if one waits on a channel.
func (cl call) answer(r callResult) {
	if cl.reply != nil {
		cl.reply <- r
	}
}

type callResult struct {
	ret json.RawMessage
	err error
}

// Execute runs command with args (anything json.Marshal takes, or nil) and
// decodes the reply's "return" into result (a pointer, or nil to discard).
func (c *Client) Execute(ctx context.Context, command string, args, result any) error {
	var raw json.RawMessage
	if args != nil {
		b, err := json.Marshal(args)
		if err != nil {
			return protocolErr(c.sock, "cannot encode arguments of "+command, nil, err)
		}
		raw = b
	}
	_, err := c.exec(ctx, command, raw, into{result: result})
	return err
}

// ExecuteRaw runs command with JSON object arguments (nil for none) and
// returns the raw "return" value. It waits for a free slot (QEMU queues at
// most MaxInFlight commands), then for the reply, both bounded by ctx.
func (c *Client) ExecuteRaw(ctx context.Context, command string, args json.RawMessage) (json.RawMessage, error) {
	return c.exec(ctx, command, args, into{raw: true})
}

// into says what a caller wants of a reply's "return": decoded into result,
// the raw bytes, or nothing.
type into struct {
	result any
	raw    bool
}

// exec sends one command and waits for its reply, within ctx's deadline or
// the command timeout. When nobody is reading the socket the caller reads
// its reply itself (see reader.go); otherwise the reader hands it over.
func (c *Client) exec(ctx context.Context, command string, args json.RawMessage, want into) (json.RawMessage, error) {
	if len(args) > 0 && !isJSONObject(args) {
		return nil, protocolErr(c.sock, "arguments of "+command+" must be a JSON object", args, nil)
	}
	if why := unanswerable(command, args); why != "" {
		return nil, protocolErr(c.sock, command+" was not sent: "+why+", and QEMU would refuse it without saying which request it was", args, nil)
	}
	if err := ctx.Err(); err != nil {
		return nil, &TimeoutError{Sock: c.sock, Op: "command " + command, Err: err} // nothing sent
	}
	single := singleAnswer(command, args)
	// One deadline bounds the whole command; computed up front only when
	// the caller must wait for a slot (see deadline for why not always).
	var deadline time.Time
	var bounded bool
	c.mu.Lock()
	if !c.takeSlotLocked() {
		deadline, bounded = c.deadline(ctx, time.Now())
		if err := c.waitSlotLocked(ctx, command, deadline, bounded); err != nil {
			c.mu.Unlock()
			return nil, err
		}
	}
	if c.closeErr != nil {
		c.freeSlotLocked()
		c.mu.Unlock()
		return nil, c.cutOff(command)
	}
	bare := c.bareAllowedLocked(single)
	var id uint64 // 0: sent without one
	if !bare {
		c.nextID++
		id = c.nextID
	}
	cl := call{command: command}
	reader := c.takeRoleLocked()
	if !reader {
		// The reader may see the reply as soon as the request is out.
		cl.reply = make(chan callResult, 1)
	}
	switch {
	case bare:
		c.bareOwed, c.bareCall = true, cl
		if reader {
			c.ownID = ownBare
		}
	case reader:
		c.ownID = id
	default:
		c.pending[id] = cl
	}
	c.mu.Unlock()

	now, err := c.send(command, id, args)
	if err != nil {
		// send shut the connection down, which answered every waiter.
		if reader {
			c.dropOwnRead()
		}
		return nil, err
	}
	if deadline.IsZero() {
		deadline, bounded = c.deadline(ctx, now)
	}
	if reader {
		own := id
		if bare {
			own = ownBare
		}
		return c.readOwn(ctx, deadline, now, command, own, want)
	}
	return c.await(ctx, deadline, bounded, cl, want)
}

// dropOwnRead undoes a caller-reader's claim when its request could not
// be written: no reply will come, so its slot and the role go back.
func (c *Client) dropOwnRead() {
	c.mu.Lock()
	c.ownID = 0
	c.freeSlotLocked()
	c.passRoleLocked()
	c.mu.Unlock()
}

// deadline bounds a command: ctx's deadline, else the command timeout from
// now. No context timer: arming one per command costs a round trip more
// than the rest of the client's work (see setReadDeadline).
func (c *Client) deadline(ctx context.Context, now time.Time) (time.Time, bool) {
	if d, ok := ctx.Deadline(); ok {
		return d, true
	}
	return now.Add(c.opts.commandTimeout), false
}

// await waits for the reader to hand over the reply to cl.
func (c *Client) await(ctx context.Context, deadline time.Time, bounded bool, cl call, want into) (json.RawMessage, error) {
	var r callResult
	select {
	case r = <-cl.reply: // already here (a batch's earlier call): ctx may have ended since
		if r.err != nil {
			return nil, r.err
		}
		return c.result(cl.command, r.ret, want)
	default:
	}
	var expire <-chan time.Time
	if !bounded {
		t := time.NewTimer(time.Until(deadline))
		defer t.Stop()
		expire = t.C
	}
	select {
	case r = <-cl.reply:
	case <-ctx.Done():
		// The entry stays pending: QEMU still holds the command, so its
		// slot is only freed when the reply arrives (and is dropped).
		return nil, &TimeoutError{Sock: c.sock, Op: "command " + cl.command, Err: ctx.Err()}
	case <-expire:
		return nil, &TimeoutError{Sock: c.sock, Op: "command " + cl.command, Err: context.DeadlineExceeded}
	}
	if r.err != nil {
		return nil, r.err
	}
	return c.result(cl.command, r.ret, want)
}

// result gives the caller what it wants of ret. Decoding errors are
// protocol errors: QEMU answered with a shape we do not know.
func (c *Client) result(command string, ret json.RawMessage, want into) (json.RawMessage, error) {
	switch {
	case want.result != nil:
		if err := decodeResult(ret, want.result); err != nil {
			return nil, protocolErr(c.sock, "reply to "+command+" has an unexpected shape", ret, err)
		}
		return nil, nil
	case want.raw:
		return ret, nil
	}
	return nil, nil
}

// send writes one request and says when.
func (c *Client) send(command string, id uint64, args json.RawMessage) (now time.Time, err error) {
	return c.write(command, func(b []byte) []byte { return appendRequest(b, command, id, args) })
}

// write sends the requests fill appends, in one write, and says when;
// command names them in errors. The write deadline is not the caller's: a
// write cut short leaves half a request on the wire and ends the
// connection, so only a peer that reads nothing for a whole command
// timeout may cause it.
func (c *Client) write(command string, fill func([]byte) []byte) (now time.Time, err error) {
	c.writeMu.Lock()
	b := fill(c.wbuf[:0])
	if cap(b) <= maxKeptRequestBuffer {
		c.wbuf = b
	}
	c.debug("send", b)
	// Move the deadline only when less than half the timeout is left:
	// a blocked write still ends within one command timeout, and most
	// commands arm no timer (see setReadDeadline for why that matters).
	now = time.Now()
	if c.wdl.Sub(now) < c.opts.commandTimeout/2 {
		c.wdl = now.Add(c.opts.commandTimeout)
		_ = c.conn.SetWriteDeadline(c.wdl)
	}
	_, err = c.conn.Write(b)
	c.writeMu.Unlock()
	if err != nil {
		// A partial write leaves the stream out of step: the
		// connection is finished either way.
		c.shutdown(&ConnectError{Sock: c.sock, Msg: "write " + command, Err: unwrapOpError(err)})
		return now, c.cutOff(command)
	}
	return now, nil
}

// maxKeptRequestBuffer bounds the request buffer a client keeps between
// commands: one with large arguments does not pin its memory.
const maxKeptRequestBuffer = 4096

// appendRequest encodes {"execute":...,"arguments":...,"id":N} and a
// newline by hand: it is on every command's path, and the shortest bytes
// matter because QEMU reads its monitor one byte at a time. Id 0 means
// none: the request goes without an id (bare.go).
func appendRequest(b []byte, command string, id uint64, args json.RawMessage) []byte {
	b = append(b, `{"execute":`...)
	b = appendJSONString(b, command)
	if len(args) > 0 {
		b = append(b, `,"arguments":`...)
		if bytes.ContainsAny(args, "\r\n") {
			// Keep one request on one line, as QEMU's own clients do.
			var buf bytes.Buffer
			if json.Compact(&buf, args) == nil {
				args = buf.Bytes()
			}
		}
		b = append(b, args...)
	}
	if id != 0 {
		b = append(b, `,"id":`...)
		b = strconv.AppendUint(b, id, 10)
	}
	return append(b, "}\n"...)
}

// appendJSONString quotes s for JSON. QMP command names are plain ASCII;
// anything else goes through encoding/json.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// dispatchBadReply hands a malformed reply that carries one of our ids to
// its caller as a ProtocolError. It reports false when the message cannot be
// attributed, in which case the stream is not to be trusted.
func (c *Client) dispatchBadReply(m message, err error, b []byte) bool {
	if m.reply && !m.hasID {
		return c.dispatchBadBare(err, b)
	}
	if !m.ours {
		return false
	}
	cl, ok := c.take(m.id)
	if !ok {
		c.opts.logger.Warn("qmp: dropped a malformed reply nobody waits for", "socket", c.sock, "id", m.id)
		return true
	}
	cl.answer(callResult{err: protocolErr(c.sock, "malformed reply to "+cl.command, b, err)})
	return true
}

func (c *Client) deliver(m message, b []byte) {
	if !m.hasID {
		c.deliverBare(m, b)
		return
	}
	if !m.ours {
		// A reply with an id we never send answers nothing of ours.
		c.opts.logger.Warn("qmp: dropped a reply without our id", "socket", c.sock, "msg", string(clip(b, 200)))
		return
	}
	cl, ok := c.take(m.id)
	if !ok {
		c.opts.logger.Warn("qmp: dropped a reply nobody waits for", "socket", c.sock, "id", m.id)
		return
	}
	if cl.reply == nil {
		return // its caller read for itself, then gave up
	}
	if m.errResp != nil {
		cl.answer(callResult{err: &ResponseError{Sock: c.sock, Command: cl.command, Class: m.errResp.Class, Desc: m.errResp.Desc}})
		return
	}
	cl.answer(callResult{ret: clone(m.ret)}) // m.ret is the framer's memory
}

// take removes the call with id and frees its slot.
func (c *Client) take(id uint64) (call, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cl, ok := c.pending[id]
	if ok {
		delete(c.pending, id)
		c.freeSlotLocked()
	}
	return cl, ok
}

func isJSONObject(b []byte) bool {
	for _, ch := range b {
		if isSpace(ch) {
			continue
		}
		return ch == '{' && json.Valid(b)
	}
	return false
}
