package qmp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"
)

// Client is one negotiated connection to one QMP monitor. It is safe for
// concurrent use: many goroutines may Execute at once, each reply finds its
// caller by id (or, for a command sent when no other reply is owed, by
// order: bare.go). One goroutine at a time reads the socket (see reader.go); it
// never blocks on a caller or a subscriber. This file holds the
// connection's life (dial, accessors, close); command.go the command path.
type Client struct {
	sock     string
	conn     net.Conn
	opts     options
	greeting Greeting
	oob      bool
	pid      int

	writeMu sync.Mutex
	wdl     time.Time // the socket's write deadline; under writeMu
	wbuf    []byte    // the request being written; under writeMu

	// The reader role's own state: only its holder touches these.
	fr  *framer
	rdl time.Time // the socket's read deadline as last set by a holder

	mu          sync.Mutex
	nextID      uint64
	inflight    int             // slots taken (slots.go)
	slotWaiters []chan struct{} // callers waiting for a slot, oldest first
	pending     map[uint64]call // commands whose replies someone else reads
	ownID       uint64          // the command of the caller reading its own reply, 0 if none, ownBare if bare
	bareOwed    bool            // a command sent without an id awaits its reply (bare.go)
	bareCall    call            // ... and its caller, unless that caller reads for itself
	idsOnly     bool            // no more bare commands on this connection (bare.go)
	subs        map[*Subscription]struct{}
	reading     bool           // somebody holds the reader role
	readers     sync.WaitGroup // the role holder, for Close to wait on
	idle        *time.Timer    // hands the role to a background reader; see idleHandover
	idleArmed   bool
	releases    uint64 // times the role fell free; see idleTakeover
	armedAt     uint64 // releases when the idle timer was armed
	closeErr    error  // set once, when the connection ends

	done chan struct{} // closed when the connection ends
}

// Greeting is what QEMU says first.
type Greeting struct {
	Version      VersionInfo
	Capabilities []string
}

// VersionInfo is QEMU's version as the greeting and query-version give it.
type VersionInfo struct {
	QEMU struct {
		Major int `json:"major"`
		Minor int `json:"minor"`
		Micro int `json:"micro"`
	} `json:"qemu"`
	Package string `json:"package"`
}

// String is "major.minor.micro".
func (v VersionInfo) String() string {
	return fmt.Sprintf("%d.%d.%d", v.QEMU.Major, v.QEMU.Minor, v.QEMU.Micro)
}

// Dial connects to target (a socket path, unix:PATH or tcp:HOST:PORT), reads
// the greeting and negotiates capabilities. ctx bounds the whole handshake.
func Dial(ctx context.Context, target string, opts ...Option) (*Client, error) {
	conn, err := dialTarget(ctx, target, buildOptions(opts).dialer)
	if err != nil {
		return nil, err
	}
	return NewClient(ctx, conn, append([]Option{WithName(target)}, opts...)...)
}

// dialTarget opens the connection to target (a socket path, unix:PATH,
// tcp:HOST:PORT, or through dial any address it takes, such as ssh://) for
// a monitor or an agent; errors are ConnectErrors.
func dialTarget(ctx context.Context, target string, dial Dialer) (net.Conn, error) {
	addr, err := ParseAddress(target)
	if err != nil {
		return nil, &ConnectError{Sock: target, Msg: "bad target", Err: err}
	}
	if dial != nil {
		// The hook's error is its own words (an SSH host down, a host key
		// refused): kept whole.
		conn, err := dial(ctx, addr)
		if err != nil {
			return nil, &ConnectError{Sock: target, Msg: "cannot connect", Err: err}
		}
		return conn, nil
	}
	if addr.Network == "ssh" {
		return nil, &ConnectError{Sock: target, Msg: "bad target", Err: errors.New("an ssh:// target needs an SSH connection (WithDialer)")}
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, addr.Network, addr.Addr)
	if err != nil {
		return nil, &ConnectError{Sock: target, Msg: "cannot connect", Err: unwrapOpError(err)}
	}
	return conn, nil
}

// NewClient runs the handshake on an already-open connection and returns a
// ready client. On failure the connection is closed.
func NewClient(ctx context.Context, conn net.Conn, opts ...Option) (*Client, error) {
	o := buildOptions(opts)
	if o.name == "" {
		o.name = conn.RemoteAddr().String()
	}
	c := &Client{
		sock:    o.name,
		conn:    conn,
		opts:    o,
		fr:      newFramer(conn, o.maxMessage),
		pending: make(map[uint64]call),
		subs:    make(map[*Subscription]struct{}),
		done:    make(chan struct{}),
	}
	if err := c.handshake(ctx, c.fr); err != nil {
		conn.Close()
		return nil, err
	}
	c.pid = peerPID(conn)
	// The role starts free: the first command reads its own reply, and if
	// none comes soon a background reader starts watching for events. A
	// standing reader takes it now and keeps it.
	c.mu.Lock()
	c.idle = time.AfterFunc(time.Hour, c.idleTakeover)
	if c.opts.standingReader {
		c.takeRoleLocked()
		go c.backgroundRead()
	} else {
		c.armIdleLocked()
	}
	c.mu.Unlock()
	return c, nil
}

// Version is QEMU's version from the greeting.
func (c *Client) Version() VersionInfo { return c.greeting.Version }

// Capabilities are those QEMU offered in its greeting.
func (c *Client) Capabilities() []string {
	return append([]string(nil), c.greeting.Capabilities...)
}

// OOB reports whether out-of-band execution was negotiated.
func (c *Client) OOB() bool { return c.oob }

// PID is the QEMU process on the other end of a unix socket, 0 if unknown.
func (c *Client) PID() int { return c.pid }

// Socket is the name the client reports in errors.
func (c *Client) Socket() string { return c.sock }

// Pending counts commands sent and not yet answered, including ones whose
// callers gave up waiting. A monitor with pending commands is busy or
// frozen; pollers use this to leave it alone until it answers.
func (c *Client) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := len(c.pending)
	if c.ownID != 0 && c.ownID != ownBare {
		n++
	}
	if c.bareOwed {
		n++
	}
	return n
}

// Done is closed when the connection has ended; Err then says why.
func (c *Client) Done() <-chan struct{} { return c.done }

// Err is why the connection ended, nil while it is up.
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closeErr
}

// Close ends the connection. It is idempotent and safe while commands are in
// flight: their callers get a ConnectError at once. It returns after
// whoever was reading the socket has stopped.
func (c *Client) Close() error {
	c.shutdown(&ConnectError{Sock: c.sock, Msg: "closed by qmpdash", Err: ErrDisconnected})
	c.readers.Wait()
	return nil
}

// cutOff is the error for a command that cannot complete because the
// connection ended.
func (c *Client) cutOff(command string) error {
	c.mu.Lock()
	cause := c.closeErr
	c.mu.Unlock()
	var pe *ProtocolError
	if errors.As(cause, &pe) {
		return cause
	}
	var root error = ErrDisconnected
	var ce *ConnectError
	if errors.As(cause, &ce) && ce.Err != nil {
		root = ce.Err
	}
	return &ConnectError{Sock: c.sock, Msg: "command " + command + " cut off: connection lost", Err: root}
}

// shutdown ends the connection once, releasing every waiter.
func (c *Client) shutdown(cause error) {
	c.mu.Lock()
	if c.closeErr != nil {
		c.mu.Unlock()
		return
	}
	c.closeErr = cause
	pending := c.pending
	c.pending = make(map[uint64]call)
	if c.bareOwed {
		pending[0] = c.bareCall // id 0 is never a pending one's
		c.bareOwed, c.bareCall = false, call{}
	}
	subs := c.subs
	c.subs = make(map[*Subscription]struct{})
	for s := range subs {
		s.closeLocked()
	}
	close(c.done)
	if c.idle != nil {
		c.idle.Stop()
	}
	c.mu.Unlock()

	c.conn.Close()
	for _, cl := range pending {
		cl.answer(callResult{err: c.cutOff(cl.command)})
	}
}

func (c *Client) readError(err error, b []byte) error {
	switch {
	case errors.Is(err, errTooLarge):
		return protocolErr(c.sock, fmt.Sprintf("message larger than the %d-byte limit", c.opts.maxMessage), b, err)
	case errors.Is(err, errNotJSON):
		return protocolErr(c.sock, "garbled traffic from QEMU", b, err)
	}
	return &ConnectError{Sock: c.sock, Msg: "connection lost", Err: unwrapOpError(err)}
}

func (c *Client) debug(dir string, b []byte) {
	if !c.opts.logger.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	c.opts.logger.Debug("qmp "+dir, "socket", c.sock, "msg", string(clip(b, 4096)))
}

// unwrapOpError drops net.OpError's address noise, keeping the cause a
// person understands ("connection refused", "no such file or directory").
func unwrapOpError(err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		err = oe.Err
	}
	var se *os.SyscallError
	if errors.As(err, &se) && se.Err != nil {
		err = se.Err
	}
	return err
}
