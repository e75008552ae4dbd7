package remote

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
)

// ConnState is a host connection's state.
type ConnState int

const (
	HostIdle       ConnState = iota // not dialled yet
	HostConnecting                  // TCP connect and SSH handshake under way
	HostUp                          // logged in
	HostDown                        // the last attempt failed or the connection was lost
)

func (s ConnState) String() string {
	switch s {
	case HostConnecting:
		return "connecting"
	case HostUp:
		return "up"
	case HostDown:
		return "down"
	}
	return "idle"
}

// HostState is one host as the pool sees it now.
type HostState struct {
	Name     string // the targets' [user@]host[:port]
	Addr     string // host:port after ~/.ssh/config
	User     string
	State    ConnState
	Since    time.Time // when State began
	Err      error     // why it is down
	Attempt  int       // failed attempts in a row
	RetryAt  time.Time // no redial before this (down only)
	Channels int       // monitor channels open over the connection
	Dials    int       // SSH connections made so far (each reconnect counts)
}

// DownError is what every VM of a host that is down gets while the host
// waits out its backoff: the one cause, not a dial per VM.
type DownError struct {
	Host    string
	Err     error
	RetryAt time.Time
}

func (e *DownError) Error() string {
	var hk *HostKeyError
	var ae *AuthError
	if errors.As(e.Err, &hk) || errors.As(e.Err, &ae) {
		// Up, but refused (or refusing): "down" would send the user to
		// the wrong place.
		return fmt.Sprintf("ssh host %s: %v", e.Host, e.Err)
	}
	return fmt.Sprintf("ssh host %s is down: %v", e.Host, e.Err)
}
func (e *DownError) Unwrap() error { return e.Err }

// host is one SSH connection, dialled when first needed and redialled after
// a loss, at most one attempt at a time.
type host struct {
	pool *Pool
	key  string
	t    Target // the host part of the first target that named it

	mu      sync.Mutex
	cl      *ssh.Client
	dialing chan struct{} // closed when the attempt under way ends
	st      HostState
}

// client returns the live connection, dialling if there is none and the
// backoff allows. One attempt runs at a time, in the background: every
// caller (the one that started it too) waits for it or for its own ctx, so
// a host that black-holes packets holds nobody past their deadline.
func (h *host) client(ctx context.Context) (*ssh.Client, error) {
	h.mu.Lock()
	for {
		if h.cl != nil {
			cl := h.cl
			h.mu.Unlock()
			return cl, nil
		}
		if h.dialing == nil {
			if h.st.State == HostDown && h.pool.opts.Now().Before(h.st.RetryAt) {
				err := h.downErrLocked()
				h.mu.Unlock()
				return nil, err
			}
			if h.pool.closed.Load() {
				h.mu.Unlock()
				return nil, errors.New("ssh: closed by qmpdash")
			}
			h.dialing = make(chan struct{})
			h.setLocked(HostConnecting, nil)
			ch := h.dialing
			h.pool.goTracked(func() { h.dial(ch) })
		}
		ch := h.dialing
		h.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-ch:
		}
		h.mu.Lock()
		if h.cl == nil && h.st.State == HostDown && h.pool.opts.Now().Before(h.st.RetryAt) {
			err := h.downErrLocked()
			h.mu.Unlock()
			return nil, err
		}
	}
}

// dial makes one attempt and records its outcome; done is closed after.
func (h *host) dial(done chan struct{}) {
	cl, e, err := h.pool.connect(h.t)
	h.mu.Lock()
	defer h.mu.Unlock()
	defer close(done)
	h.dialing = nil
	h.st.Addr, h.st.User = e.addr, e.user
	if err != nil {
		h.st.Attempt++
		h.st.RetryAt = h.pool.opts.Now().Add(h.pool.opts.backoff(h.st.Attempt))
		h.setLocked(HostDown, err)
		h.pool.opts.Logger.Warn("qmpdash: ssh host unreachable", "host", h.key, "attempt", h.st.Attempt, "err", err)
		return
	}
	if h.pool.closed.Load() {
		cl.Close()
		h.setLocked(HostDown, errors.New("closed by qmpdash"))
		return
	}
	h.pool.track(cl, true)
	h.cl = cl
	h.st.Attempt, h.st.RetryAt = 0, time.Time{}
	h.st.Dials++
	h.setLocked(HostUp, nil)
	h.pool.opts.Logger.Info("qmpdash: ssh host connected", "host", h.key, "addr", e.addr)
	h.pool.goTracked(func() { h.keepAlive(cl) })
	h.pool.goTracked(func() { h.watch(cl) })
}

func (h *host) downErrLocked() error {
	return &DownError{Host: h.key, Err: h.st.Err, RetryAt: h.st.RetryAt}
}

func (h *host) setLocked(s ConnState, err error) {
	if h.st.State != s {
		h.st.Since = h.pool.opts.Now()
	}
	h.st.State, h.st.Err = s, err
	h.pool.changed()
}

// watch notices the connection ending: the host is down, and the next
// caller may redial at once (the first failure after a loss backs off).
func (h *host) watch(cl *ssh.Client) {
	err := cl.Wait()
	h.pool.track(cl, false)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cl != cl {
		return
	}
	h.cl = nil
	if err == nil || errors.Is(err, net.ErrClosed) {
		err = errors.New("connection lost")
	}
	h.setLocked(HostDown, fmt.Errorf("connection lost: %w", err))
	h.st.RetryAt = time.Time{}
	h.pool.opts.Logger.Warn("qmpdash: ssh connection lost", "host", h.key, "err", err)
}

// keepAlive probes the connection; a probe unanswered for KeepAliveMax
// intervals (a host that vanished without a FIN) closes it, so watch marks
// the host down and the VMs' connections end rather than hang.
func (h *host) keepAlive(cl *ssh.Client) {
	o := h.pool.opts
	t := time.NewTicker(o.KeepAlive)
	defer t.Stop()
	done := make(chan struct{})
	h.pool.goTracked(func() { _ = cl.Wait(); close(done) })
	for {
		select {
		case <-done:
			return
		case <-t.C:
		}
		reply := make(chan error, 1)
		h.pool.goTracked(func() {
			_, _, err := cl.SendRequest("keepalive@openssh.com", true, nil)
			reply <- err
		})
		wait := time.NewTimer(o.KeepAlive * time.Duration(o.KeepAliveMax))
		select {
		case <-done:
			wait.Stop()
			return
		case err := <-reply:
			wait.Stop()
			if err != nil {
				cl.Close()
				return
			}
		case <-wait.C:
			o.Logger.Warn("qmpdash: ssh keepalive unanswered, closing", "host", h.key)
			cl.Close()
			return
		}
	}
}

func (h *host) channels(delta int) {
	h.mu.Lock()
	h.st.Channels += delta
	h.mu.Unlock()
	h.pool.changed()
}

func (h *host) state() HostState {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.st
	s.Name = h.key
	return s
}

func (h *host) close() {
	h.mu.Lock()
	cl := h.cl
	h.mu.Unlock()
	if cl != nil {
		cl.Close()
	}
}
