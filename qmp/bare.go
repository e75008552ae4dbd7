package qmp

import (
	"encoding/json"
	"math"
	"unicode/utf8"
)

// Bare commands: a command sent without an id. QEMU reads a request
// carrying an id more slowly (it reads its monitor a byte at a time, and
// the id is more bytes to parse and echo), so a serial client that sends
// ids is slower than a hand-written loop that sends none
// (docs/BENCHMARKS.md). An id is only needed to tell replies apart, and
// QEMU answers in-band commands one at a time, in the order it read them.
// So a command sent when no other reply is owed needs none: its reply is
// the next message that is not an event. Every other command carries an
// id, and the two kinds never meet:
//
//   - A command goes bare only when it holds the only slot (no other
//     command is in flight or being sent, and none that timed out or was
//     cancelled is still owed an answer: a command holds its slot until
//     its reply comes, whoever drops it), and while the connection is
//     still trusted with bare commands (see singleAnswer).
//   - While a bare command is owed (c.bareOwed), every other command finds
//     its slot taken and carries an id. Their replies come after the bare
//     one, in order, and carry their ids anyway.
//   - A reply without an id answers the bare command owed, if any; it is
//     dropped otherwise (it is nobody's). A reply with an id never answers
//     the bare command, and events never answer anything.
//   - A bare command whose caller gave up stays owed: the next reply
//     without an id is its, and is dropped; only then is its slot free and
//     may another command go bare.
//   - Out-of-band commands (exec-oob) may overtake in-band ones; the client
//     sends none, and any it ever sends must carry an id.
//
// The one way QEMU answers a request other than once is a request its JSON
// lexer cannot read: it answers every error it finds in it, without an id,
// and may read the rest of the line as further requests. Such an answer,
// arriving while a bare command is owed, would be taken for that
// command's reply. singleAnswer keeps every such request from being sent
// without an id, and once one has been sent (with its id) the connection
// sends no bare command again: nobody can say how many answers are left.

// ownBare is the readOwn id of a role holder whose own command is bare.
// Ids are counted from 1 and never reach it.
const ownBare = math.MaxUint64

// Limits of QEMU 7.2's JSON streamer (qobject/json-streamer.c): nesting
// deeper than 1024, or more than 2 Mi tokens or 64 MiB of them in one
// request, makes it report an error and start over mid-request. The
// bounds here are well inside those.
const (
	bareMaxDepth = 1000
	bareMaxBytes = 1 << 20
)

// singleAnswer reports whether QEMU's lexer reads the request for command
// with args as exactly one JSON value, so that QEMU answers it exactly
// once. That holds for valid JSON (args has been checked by isJSONObject;
// the command name is quoted by appendJSONString) made of valid UTF-8 with
// no control bytes other than tab, nested and sized within the
// streamer's limits. Escapes such as \u0000 or lone surrogates are
// rejected by QEMU's parser, not its lexer: a request with them gets one
// error reply, which is its answer. A byte 0xFF is a lexer error (three
// answers from QEMU 7.2); other invalid UTF-8 drew one in the tests, but
// is refused too rather than trusted form by form.
func singleAnswer(command string, args json.RawMessage) bool {
	if len(args) > bareMaxBytes {
		return false
	}
	for i := 0; i < len(command); i++ {
		if command[i] < 0x20 || command[i] > 0x7e {
			return false // json.Marshal quotes it; no need to reason about it
		}
	}
	if len(args) == 0 {
		return true
	}
	if !utf8.Valid(args) {
		return false
	}
	depth, inString, escaped := 0, false, false
	for _, ch := range args {
		switch {
		case ch < 0x20 && ch != '\t':
			return false // a raw control byte; newlines were compacted away
		case inString:
			switch {
			case escaped:
				escaped = false
			case ch == '\\':
				escaped = true
			case ch == '"':
				inString = false
			}
		case ch == '"':
			inString = true
		case ch == '{' || ch == '[':
			depth++
			if depth > bareMaxDepth {
				return false
			}
		case ch == '}' || ch == ']':
			depth--
		}
	}
	return true
}

// bareAllowedLocked reports whether the command that has just taken a slot
// may go without an id. A request that may be answered more than once is
// sent with an id and ends bare commands on this connection.
func (c *Client) bareAllowedLocked(single bool) bool {
	if !single {
		c.idsOnly = true
	}
	return !c.idsOnly && !c.opts.alwaysIDs && c.inflight == 1 && !c.bareOwed
}

// deliverBare hands a well-formed reply without an id to the bare command
// owed, or drops it.
func (c *Client) deliverBare(m message, b []byte) {
	cl, ok := c.takeBare()
	if !ok {
		c.opts.logger.Warn("qmp: dropped a reply without an id while none was owed", "socket", c.sock, "msg", string(clip(b, 200)))
		return
	}
	if m.errResp != nil {
		cl.answer(callResult{err: &ResponseError{Sock: c.sock, Command: cl.command, Class: m.errResp.Class, Desc: m.errResp.Desc}})
		return
	}
	if cl.reply != nil {
		cl.answer(callResult{ret: clone(m.ret)}) // m.ret is the framer's memory
	}
}

// dispatchBadBare hands a malformed reply without an id to the bare
// command owed, as a ProtocolError. It reports false when none is owed:
// the message then answers nothing we sent.
func (c *Client) dispatchBadBare(err error, b []byte) bool {
	cl, ok := c.takeBare()
	if !ok {
		return false
	}
	cl.answer(callResult{err: protocolErr(c.sock, "malformed reply to "+cl.command, b, err)})
	return true
}

// takeBare settles the bare command owed, if any, and frees its slot.
func (c *Client) takeBare() (call, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.bareOwed {
		return call{}, false
	}
	cl := c.bareCall
	c.bareOwed, c.bareCall = false, call{}
	c.freeSlotLocked()
	return cl, true
}

// owedLocked reports whether a reply is owed that no caller is reading
// for itself; the role holder asks it when its own reading is done.
func (c *Client) owedLocked() bool { return len(c.pending) > 0 || c.bareOwed }
