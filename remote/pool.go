package remote

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kevinburke/ssh_config"
	"golang.org/x/crypto/ssh"
)

// Pool holds one SSH connection per host, shared by every VM on it. Safe
// for concurrent use.
type Pool struct {
	opts Options
	cfg  *ssh_config.Config
	// cfgErr is a config file that could not be read: every connection
	// fails with it rather than silently ignoring the user's settings.
	cfgErr error

	mu    sync.Mutex
	hosts map[string]*host
	// clients are the connections not yet seen to end, for Close, each
	// with a channel closed when it ends (see openOn).
	clients map[*ssh.Client]chan struct{}

	notify chan struct{}
	closed atomic.Bool // Close was called
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // every goroutine the pool started but openOn's opens, for Close
}

// NewPool makes a pool; nothing is dialled until a target is used.
func NewPool(o Options) *Pool {
	o = o.withDefaults()
	p := &Pool{opts: o, hosts: map[string]*host{}, clients: map[*ssh.Client]chan struct{}{}, notify: make(chan struct{}, 1)}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	p.cfg, p.cfgErr = readConfig(o.ConfigFile)
	if o.InsecureIgnoreHostKey {
		o.Logger.Warn("qmpdash: --insecure-ignore-host-key: SSH host keys are NOT checked; anyone on the path can pose as the host")
	}
	return p
}

// Insecure reports whether host keys go unchecked, for a warning on screen.
func (p *Pool) Insecure() bool { return p.opts.InsecureIgnoreHostKey }

// Changed is signalled (coalesced) when a host's state changes.
func (p *Pool) Changed() <-chan struct{} { return p.notify }

func (p *Pool) changed() {
	select {
	case p.notify <- struct{}{}:
	default:
	}
}

func (p *Pool) host(t Target) *host {
	key := t.HostKey()
	p.mu.Lock()
	defer p.mu.Unlock()
	h, ok := p.hosts[key]
	if !ok {
		h = &host{pool: p, key: key, t: t.WithPath("")}
		p.hosts[key] = h
	}
	return h
}

// Hosts are the states of every host used so far, by name.
func (p *Pool) Hosts() []HostState {
	p.mu.Lock()
	hs := make([]*host, 0, len(p.hosts))
	for _, h := range p.hosts {
		hs = append(hs, h)
	}
	p.mu.Unlock()
	out := make([]HostState, 0, len(hs))
	for _, h := range hs {
		out = append(out, h.state())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Host is the state of the host t names (idle if never used).
func (p *Pool) Host(t Target) HostState { return p.host(t).state() }

// Dial opens the unix socket t.Path on t's host as a direct-streamlocal
// channel over the host's one SSH connection. The conn has working
// deadlines; closing it closes the channel only.
func (p *Pool) Dial(ctx context.Context, t Target) (net.Conn, error) {
	h := p.host(t)
	cl, err := h.client(ctx)
	if err != nil {
		return nil, err
	}
	ch, err := p.openStream(ctx, cl, t.Path)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("ssh host %s: cannot open %s: %w", h.key, t.Path, err)
	}
	h.channels(1)
	return splice(p, ch, t.String(), func() { h.channels(-1) }), nil
}

// openStream opens a direct-streamlocal channel, giving up when ctx or
// the connection ends (see openOn).
func (p *Pool) openStream(ctx context.Context, cl *ssh.Client, path string) (net.Conn, error) {
	return openOn(ctx, p, cl, func() (net.Conn, error) { return cl.Dial("unix", path) })
}

// MaxOutput bounds what one remote command may return.
const MaxOutput = 4 << 20

// Run runs cmd (a shell command line) on t's host over its connection and
// returns its standard output, at most MaxOutput bytes. A command that
// exits non-zero is an error carrying its standard error. ctx ends it.
func (p *Pool) Run(ctx context.Context, t Target, cmd string) ([]byte, error) {
	h := p.host(t)
	cl, err := h.client(ctx)
	if err != nil {
		return nil, err
	}
	s, err := openOn(ctx, p, cl, cl.NewSession)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("ssh host %s: remote command: %w", h.key, ctx.Err())
		}
		return nil, fmt.Errorf("ssh host %s: %w", h.key, err)
	}
	defer s.Close()
	var out, errb limited
	out.max, errb.max = MaxOutput, 4096
	s.Stdout, s.Stderr = &out, &errb
	res := make(chan error, 1)
	p.goTracked(func() { res <- s.Run(cmd) })
	select {
	case <-ctx.Done():
		s.Close()
		return nil, fmt.Errorf("ssh host %s: remote command: %w", h.key, ctx.Err())
	case err = <-res:
	}
	if out.over {
		return nil, fmt.Errorf("ssh host %s: remote command said more than %d bytes", h.key, MaxOutput)
	}
	if err != nil {
		var ee *ssh.ExitError
		if errors.As(err, &ee) {
			return out.Bytes(), &ExitError{Host: h.key, Status: ee.ExitStatus(), Stderr: string(bytes.TrimSpace(errb.Bytes()))}
		}
		return nil, fmt.Errorf("ssh host %s: remote command: %w", h.key, err)
	}
	return out.Bytes(), nil
}

// ExitError is a remote command that exited non-zero.
type ExitError struct {
	Host   string
	Status int
	Stderr string
}

func (e *ExitError) Error() string {
	return fmt.Sprintf("ssh host %s: remote command exited %d: %s", e.Host, e.Status, e.Stderr)
}

// limited is a buffer that keeps at most max bytes and notes overflow.
type limited struct {
	bytes.Buffer
	max  int
	over bool
}

func (l *limited) Write(b []byte) (int, error) {
	if room := l.max - l.Len(); len(b) > room {
		l.over = true
		if room > 0 {
			l.Buffer.Write(b[:room])
		}
		return len(b), nil
	}
	return l.Buffer.Write(b)
}

// go runs f in a goroutine Close waits for.
func (p *Pool) goTracked(f func()) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		f()
	}()
}

// Close ends every connection (and a dial under way) and waits for the
// pool's goroutines; later Dials fail.
func (p *Pool) Close() {
	p.closed.Store(true)
	p.cancel()
	defer p.wg.Wait()
	p.mu.Lock()
	hs := make([]*host, 0, len(p.hosts))
	for _, h := range p.hosts {
		hs = append(hs, h)
	}
	cls := make([]*ssh.Client, 0, len(p.clients))
	for cl := range p.clients {
		cls = append(cls, cl)
	}
	p.mu.Unlock()
	for _, h := range hs {
		h.close()
	}
	for _, cl := range cls {
		cl.Close()
	}
}

// track remembers a live connection until it ends, so Close reaches every
// one whatever its host holds now, and openOn knows when it has ended.
func (p *Pool) track(cl *ssh.Client, live bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if live {
		p.clients[cl] = make(chan struct{})
	} else if ended, ok := p.clients[cl]; ok {
		close(ended)
		delete(p.clients, cl)
	}
}

// connect dials and logs in to t's host: TCP, then the key exchange with
// the host key check, then the login. It returns the endpoint it resolved
// so states can name the real address.
func (p *Pool) connect(t Target) (*ssh.Client, endpoint, error) {
	if p.cfgErr != nil {
		return nil, endpoint{}, fmt.Errorf("ssh config: %w", p.cfgErr)
	}
	e, err := resolve(p.cfg, p.opts, t)
	if err != nil {
		return nil, e, err
	}
	check, algos, err := hostKeyCheck(p.opts, e)
	if err != nil {
		return nil, e, err
	}
	keys := loadKeys(p.opts, e)
	defer keys.close()
	cfg := &ssh.ClientConfig{
		User:              e.user,
		Auth:              keys.methods(),
		HostKeyCallback:   check,
		HostKeyAlgorithms: algos,
		Timeout:           p.opts.ConnectTimeout,
	}
	deadline := time.Now().Add(p.opts.ConnectTimeout)
	d := net.Dialer{Deadline: deadline}
	conn, err := d.DialContext(p.ctx, "tcp", e.addr)
	if err != nil {
		return nil, e, fmt.Errorf("cannot connect to %s: %w", e.addr, unwrapOp(err))
	}
	_ = conn.SetDeadline(deadline)
	stop := context.AfterFunc(p.ctx, func() { conn.Close() }) // Close cuts a handshake short
	c, chans, reqs, err := ssh.NewClientConn(conn, e.addr, cfg)
	stop()
	if err != nil {
		conn.Close()
		var hk *HostKeyError
		if errors.As(err, &hk) {
			return nil, e, hk
		}
		if len(cfg.Auth) == 0 || isAuthFailure(err) {
			return nil, e, keys.explain(e.user, e.addr, err)
		}
		return nil, e, fmt.Errorf("ssh handshake with %s: %w", e.addr, err)
	}
	_ = conn.SetDeadline(time.Time{})
	return ssh.NewClient(c, chans, reqs), e, nil
}

func isAuthFailure(err error) bool {
	return err != nil && bytes.Contains([]byte(err.Error()), []byte("unable to authenticate"))
}

func unwrapOp(err error) error {
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
