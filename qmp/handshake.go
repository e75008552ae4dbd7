package qmp

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"slices"
	"sync"
	"time"
)

// handshake reads the greeting and negotiates capabilities, synchronously,
// before anyone else reads the socket. Every read here has a deadline: the
// greeting timeout, or ctx's deadline if sooner, or ctx's cancellation.
func (c *Client) handshake(ctx context.Context, fr *framer) error {
	deadline := time.Now().Add(c.opts.greetingTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	_ = c.conn.SetDeadline(deadline)
	// Cancellation of ctx interrupts a blocked read by moving the deadline,
	// but only during the handshake: a cancellation landing as it ends must
	// not leave a past deadline on the connection the client goes on with.
	var hookMu sync.Mutex
	finished := false
	stop := context.AfterFunc(ctx, func() {
		hookMu.Lock()
		defer hookMu.Unlock()
		if !finished {
			_ = c.conn.SetDeadline(time.Unix(1, 0))
		}
	})
	defer func() {
		stop()
		hookMu.Lock()
		finished = true
		hookMu.Unlock()
		_ = c.conn.SetDeadline(time.Time{})
	}()

	b, err := fr.next()
	if err != nil {
		return c.greetingReadError(err, b)
	}
	c.debug("recv", b)
	m, err := decodeMessage(b)
	if err != nil || m.kind != msgGreeting {
		if err == nil {
			err = errors.New("first message is not a greeting")
		}
		return &CapabilitiesError{protocolErr(c.sock, "malformed QMP greeting", b, err)}
	}
	c.greeting = m.greeting

	args := json.RawMessage(nil)
	if slices.Contains(m.greeting.Capabilities, "oob") {
		args = json.RawMessage(`{"enable":["oob"]}`)
	}
	// Sent bare (id 0: none), as nothing else is owed yet (bare.go).
	req := appendRequest(nil, "qmp_capabilities", 0, args)
	c.debug("send", req)
	if _, err := c.conn.Write(req); err != nil {
		return &ConnectError{Sock: c.sock, Msg: "sending qmp_capabilities", Err: unwrapOpError(err)}
	}
	for {
		b, err := fr.next()
		if err != nil {
			if isTimeout(err) {
				return &TimeoutError{Sock: c.sock, Op: "qmp_capabilities", Err: ctxErrOr(ctx, context.DeadlineExceeded)}
			}
			if errors.Is(err, errTooLarge) || errors.Is(err, errNotJSON) {
				return &CapabilitiesError{protocolErr(c.sock, "garbled reply to qmp_capabilities", b, err)}
			}
			return &ConnectError{Sock: c.sock, Msg: "connection lost during capabilities negotiation", Err: unwrapOpError(err)}
		}
		c.debug("recv", b)
		m, err := decodeMessage(b)
		if err == nil && m.kind == msgEvent {
			continue // QEMU sends none before negotiation, but one is harmless
		}
		switch {
		case err != nil:
			return &CapabilitiesError{protocolErr(c.sock, "malformed reply to qmp_capabilities", b, err)}
		case m.kind != msgReply:
			return &CapabilitiesError{protocolErr(c.sock, "unexpected message instead of the qmp_capabilities reply", b, nil)}
		case m.errResp != nil:
			return &CapabilitiesError{protocolErr(c.sock, "QEMU refused qmp_capabilities", b,
				errors.New(m.errResp.Class+": "+m.errResp.Desc))}
		case !isJSONObject(m.ret):
			return &CapabilitiesError{protocolErr(c.sock, "qmp_capabilities returned something other than an object", b, nil)}
		}
		c.oob = args != nil
		return nil
	}
}

func (c *Client) greetingReadError(err error, b []byte) error {
	switch {
	case isTimeout(err):
		return &ConnectError{Sock: c.sock, Msg: "no greeting within " + c.opts.greetingTimeout.String() +
			" (is another client holding this monitor, or is QEMU stopped?)", Err: ErrNoGreeting}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &ConnectError{Sock: c.sock, Msg: "QEMU closed the connection before greeting", Err: ErrNoGreeting}
	case errors.Is(err, errTooLarge), errors.Is(err, errNotJSON):
		return &CapabilitiesError{protocolErr(c.sock, "malformed QMP greeting", b, err)}
	}
	return &ConnectError{Sock: c.sock, Msg: "reading the greeting", Err: unwrapOpError(err)}
}

func isTimeout(err error) bool {
	return errors.Is(err, os.ErrDeadlineExceeded)
}

func ctxErrOr(ctx context.Context, def error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return def
}
