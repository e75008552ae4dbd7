package qmp

import (
	"context"
	"log/slog"
	"net"
	"time"
)

// Defaults a long-running dashboard can live with.
const (
	DefaultGreetingTimeout = 5 * time.Second
	DefaultMaxMessageSize  = 16 << 20
	DefaultEventBuffer     = 256
	// DefaultCommandTimeout bounds a command whose context has no
	// deadline, so no wait in this package is open-ended.
	DefaultCommandTimeout = 30 * time.Second
	// MaxInFlight is QEMU's queue of in-band commands per monitor
	// (QMP_REQ_QUEUE_LEN_MAX in monitor/qmp.c). Past it QEMU stops reading
	// the socket, so more would only queue in the kernel.
	MaxInFlight = 8
)

type options struct {
	name            string
	greetingTimeout time.Duration
	commandTimeout  time.Duration
	maxMessage      int
	logger          *slog.Logger
	idleHandover    time.Duration // see reader.go; tests change it
	alwaysIDs       bool          // no bare commands (bare.go); tests and benchmarks set it
	standingReader  bool          // see WithStandingReader
	dialer          Dialer
}

// Dialer opens the connection Dial then speaks QMP over: the hook for
// transports other than a local socket (an ssh:// target's channel). The
// conn must honour deadlines, as every wait of the client relies on them.
type Dialer func(ctx context.Context, a Address) (net.Conn, error)

// WithDialer makes Dial open its connection with d instead of dialling
// a unix or TCP socket itself. Only Dial uses it.
func WithDialer(d Dialer) Option {
	return func(o *options) { o.dialer = d }
}

// Option tunes a Client.
type Option func(*options)

// WithGreetingTimeout bounds the wait for QEMU's greeting and the
// capabilities reply (default 5 s).
func WithGreetingTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.greetingTimeout = d
		}
	}
}

// WithCommandTimeout bounds commands whose context has no deadline
// (default 30 s). A context with a deadline is used as it is.
func WithCommandTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.commandTimeout = d
		}
	}
}

// WithMaxMessageSize caps one server message (default 16 MiB). A larger
// message is a ProtocolError and ends the connection.
func WithMaxMessageSize(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.maxMessage = n
		}
	}
}

// WithLogger logs protocol traffic at debug level and dropped replies at
// warn level. Without it nothing is logged.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) { o.logger = l }
}

// WithStandingReader keeps one goroutine reading the socket for the
// client's whole life: every reply is handed to its caller, and events are
// read the moment they come. By default a caller reads its own reply when
// nobody else is reading, and a background reader takes over only once no
// command has run for a moment (reader.go): the fastest way to issue
// commands back to back, but a client that sends a few commands every
// second and then waits pays for that handover twice a round (a timer, a
// goroutine, a read begun and abandoned). A monitor watched by a
// dashboard is such a client: at 500 VMs the standing reader costs less
// CPU (docs/BENCHMARKS.md).
func WithStandingReader() Option {
	return func(o *options) { o.standingReader = true }
}

// WithName sets the socket name used in errors and logs; Dial sets it to
// the target, NewClient defaults to the connection's remote address.
func WithName(name string) Option {
	return func(o *options) { o.name = name }
}

func buildOptions(opts []Option) options {
	o := options{
		greetingTimeout: DefaultGreetingTimeout,
		commandTimeout:  DefaultCommandTimeout,
		maxMessage:      DefaultMaxMessageSize,
		idleHandover:    idleHandover,
	}
	for _, f := range opts {
		f(&o)
	}
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	return o
}
