package qmp

// The QEMU Guest Agent (qemu-ga) speaks QMP's JSON framing over a
// virtio-serial port, but with no greeting, no capabilities, no events and
// no ids, and the channel keeps stale bytes between connections: a reply
// meant for an earlier client may still be in the pipe. So an Agent
// synchronises first (agent_sync.go) and after anything that may have left
// the stream out of step (a timeout, garbage), then runs one command at a
// time. It lives in this package because it is the same wire: the framer
// (with one addition, skipPast) and the error family are shared, so a
// dashboard classes an agent's failures as it classes a monitor's.

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"sync"
	"time"
)

// Agent defaults: an agent's replies are small (a few KiB of interfaces
// and file systems), and a guest whose agent is not running accepts the
// connection and never answers, so waits are short.
const (
	DefaultAgentTimeout    = 5 * time.Second
	DefaultAgentMaxMessage = 1 << 20
	// agentStaleMax bounds the stale bytes discarded while synchronising.
	agentStaleMax = 1 << 20
	// agentNoReplyWait is how long a command that does not reply on
	// success (guest-shutdown, the suspends) is given to reply with an
	// error before its silence counts as success.
	agentNoReplyWait = 2 * time.Second
)

// Agent is one connection to one QEMU Guest Agent. Safe for concurrent
// use; commands run one at a time.
type Agent struct {
	sock string
	conn net.Conn
	opts options

	mu     sync.Mutex // one command at a time; guards everything below
	fr     *framer
	synced bool  // the stream is in step: the next object is our reply
	broken error // the connection ended; every later call fails with it
}

// DialAgent connects to an agent's socket (a path, unix:PATH or
// tcp:HOST:PORT) and synchronises with it. ctx bounds both; without a
// deadline, WithCommandTimeout's (default DefaultAgentTimeout) applies.
func DialAgent(ctx context.Context, target string, opts ...Option) (*Agent, error) {
	conn, err := dialTarget(ctx, target, nil)
	if err != nil {
		return nil, err
	}
	a := NewAgent(conn, append([]Option{WithName(target)}, opts...)...)
	if err := a.Sync(ctx); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// NewAgent wraps an open connection; the first command synchronises.
func NewAgent(conn net.Conn, opts ...Option) *Agent {
	o := buildOptions(append([]Option{
		WithCommandTimeout(DefaultAgentTimeout),
		WithMaxMessageSize(DefaultAgentMaxMessage),
	}, opts...))
	if o.name == "" {
		o.name = conn.RemoteAddr().String()
	}
	return &Agent{sock: o.name, conn: conn, opts: o, fr: newFramer(conn, o.maxMessage)}
}

// Socket is the name the agent reports in errors.
func (a *Agent) Socket() string { return a.sock }

// Close ends the connection.
func (a *Agent) Close() error { return a.conn.Close() }

// Execute runs command with args (anything json.Marshal takes, or nil) and
// decodes the reply's "return" into result (a pointer, or nil).
func (a *Agent) Execute(ctx context.Context, command string, args, result any) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	ret, err := a.exec(ctx, command, args, false)
	if err != nil || result == nil {
		return err
	}
	if err := json.Unmarshal(ret, result); err != nil {
		return protocolErr(a.sock, "cannot decode the reply to "+command, ret, err)
	}
	return nil
}

// exec runs one command under a.mu: synchronise when needed, send, read
// the reply. noReply is for commands that do not reply on success: their
// silence (a timeout or EOF within agentNoReplyWait) is success.
func (a *Agent) exec(ctx context.Context, command string, args any, noReply bool) (json.RawMessage, error) {
	if a.broken != nil {
		return nil, a.broken
	}
	deadline := a.deadline(ctx)
	defer a.interruptOn(ctx)()
	if !a.synced {
		if err := a.sync(ctx, deadline); err != nil {
			return nil, err
		}
	}
	req := struct {
		Execute   string `json:"execute"`
		Arguments any    `json:"arguments,omitempty"`
	}{command, args}
	b, err := json.Marshal(req)
	if err != nil {
		return nil, protocolErr(a.sock, "cannot encode arguments of "+command, nil, err)
	}
	if err := a.write(deadline, append(b, '\n')); err != nil {
		return nil, a.fail(ctx, "command "+command, err)
	}
	if noReply {
		if d := time.Now().Add(agentNoReplyWait); d.Before(deadline) {
			deadline = d
		}
	}
	_ = a.conn.SetReadDeadline(deadline)
	msg, err := a.fr.next()
	if err != nil {
		if noReply && (isTimeout(err) || errors.Is(err, io.EOF)) && ctx.Err() == nil {
			a.synced = false // whatever comes later is out of step
			return nil, nil
		}
		return nil, a.fail(ctx, "command "+command, err)
	}
	m, err := decodeMessage(msg)
	if err != nil || m.kind != msgReply {
		a.synced = false
		if err == nil {
			err = errNoKind
		}
		return nil, protocolErr(a.sock, "unexpected message from the agent", msg, err)
	}
	if m.errResp != nil {
		return nil, &ResponseError{Sock: a.sock, Command: command, Class: m.errResp.Class, Desc: m.errResp.Desc}
	}
	return clone(m.ret), nil
}

// deadline is ctx's, or the command timeout from now.
// interruptOn makes ctx's end cut the connection's current wait short, and
// returns the function that ends that: it waits for an interrupt already
// under way, so a late one can never cut the next command's wait instead.
func (a *Agent) interruptOn(ctx context.Context) (stop func()) {
	fired := make(chan struct{})
	stopAfter := context.AfterFunc(ctx, func() {
		defer close(fired)
		_ = a.conn.SetDeadline(time.Unix(1, 0))
	})
	return func() {
		if !stopAfter() {
			<-fired
		}
	}
}

func (a *Agent) deadline(ctx context.Context) time.Time {
	if d, ok := ctx.Deadline(); ok {
		return d
	}
	return time.Now().Add(a.opts.commandTimeout)
}

func (a *Agent) write(deadline time.Time, b []byte) error {
	_ = a.conn.SetWriteDeadline(deadline)
	_, err := a.conn.Write(b)
	return err
}

// fail turns a read or write failure into the family's error, and notes
// what it did to the stream: a timeout or garbage leaves it out of step
// (resynchronise next time); anything else ends the connection.
func (a *Agent) fail(ctx context.Context, op string, err error) error {
	a.synced = false
	switch {
	case ctx.Err() != nil:
		return &TimeoutError{Sock: a.sock, Op: op, Err: ctx.Err()}
	case isTimeout(err), errors.Is(err, context.DeadlineExceeded):
		return &TimeoutError{Sock: a.sock, Op: op, Err: context.DeadlineExceeded}
	case errors.Is(err, errNotJSON), errors.Is(err, errTooLarge):
		return protocolErr(a.sock, "garbled traffic from the agent", nil, err)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		err = ErrDisconnected
	}
	a.broken = &ConnectError{Sock: a.sock, Msg: op + " cut off", Err: unwrapOpError(err)}
	a.conn.Close()
	return a.broken
}
