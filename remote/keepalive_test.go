package remote

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemutest"
)

// The keepalive tests probe every 200 ms and give up after 2 unanswered:
// a frozen host is dropped within about 600 ms, far inside waitHost's 20 s.
const (
	testKeepAlive    = 200 * time.Millisecond
	testKeepAliveMax = 2
)

// echoSocket is a unix socket that echoes what each connection sends: the
// idle monitor the pool keeps a channel open to.
func echoSocket(t *testing.T) string {
	t.Helper()
	sock := filepath.Join(qemutest.Dir(t), "echo.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { l.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { defer c.Close(); _, _ = io.Copy(c, c) })
		}
	})
	return sock
}

// roundTrip proves the channel carries data both ways now.
func roundTrip(t *testing.T, c net.Conn, msg string) {
	t.Helper()
	if err := c.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	defer c.SetDeadline(time.Time{})
	if _, err := io.WriteString(c, msg); err != nil {
		t.Fatalf("write over the channel: %v", err)
	}
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(c, got); err != nil || string(got) != msg {
		t.Fatalf("echo over the channel = %q, %v; want %q", got, err, msg)
	}
}

// syncBuf is a log sink the pool's goroutines and the test share.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A host whose sshd stops answering (frozen, or the network cut: no FIN,
// no RST, the kernel still acknowledging) is noticed by the keepalive
// while the connection is idle: it is closed, the host is marked down and
// the channel over it ends, rather than all of it hanging until a command
// is sent. Without keepAlive nothing would ever notice, and waitHost fails.
func TestKeepAliveDropsFrozenHost(t *testing.T) {
	r := newRig(t)
	r.opts.KeepAlive, r.opts.KeepAliveMax = testKeepAlive, testKeepAliveMax
	var logs syncBuf
	r.opts.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	p := NewPool(r.opts)
	t.Cleanup(p.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := p.Dial(ctx, r.target(t, echoSocket(t)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	roundTrip(t, c, "before")

	r.sshd.Freeze(t)
	waitHost(t, p, func(h HostState) bool { return h.State == HostDown })
	h := p.Hosts()[0]
	if h.Err == nil || !strings.Contains(h.Err.Error(), "connection lost") || h.Dials != 1 {
		t.Errorf("host %+v, want down with the connection lost, after one dial", h)
	}
	if !strings.Contains(logs.String(), "keepalive unanswered") {
		t.Errorf("the connection ended, but not by the keepalive; log:\n%s", logs.String())
	}
	// The channel ends with its connection: a reader of the VM is told.
	// (Setting a deadline on a conn already closed fails; the read says.)
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("read over the frozen host's channel succeeded")
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("the channel outlived its dropped connection (read timed out)")
	}
}

// countingProxy forwards one TCP connection at a time to addr and counts
// the reads it takes from the server's side. While the client is idle the
// server sends nothing of its own (sshd's ClientAliveInterval is off by
// default and no rekey is due), so each read there is one or more
// keepalive replies: the count is a lower bound on probes answered.
func countingProxy(t *testing.T, addr string) (int, *atomic.Int64) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			down, err := l.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", addr)
			if err != nil {
				down.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, down, up)
			mu.Unlock()
			wg.Go(func() { _, _ = io.Copy(up, down); up.Close() })
			wg.Go(func() {
				buf := make([]byte, 64<<10)
				for {
					k, err := up.Read(buf)
					if k > 0 {
						n.Add(1)
						if _, werr := down.Write(buf[:k]); werr != nil {
							break
						}
					}
					if err != nil {
						break
					}
				}
				down.Close()
			})
		}
	})
	return l.Addr().(*net.TCPAddr).Port, &n
}

// The positive control: with the host answering, the same idle connection
// is probed and stays up. It waits on the server's replies (6 reads, so at
// least 5 probes answered, over at least 5 keepalive periods and so well
// past the 3 periods a probe may stay unanswered), then checks the one
// connection is still up and carries data. A keepalive that dropped
// healthy connections, or never probed, fails it.
func TestKeepAliveKeepsAnsweringHostUp(t *testing.T) {
	r := newRig(t)
	r.opts.KeepAlive, r.opts.KeepAliveMax = testKeepAlive, testKeepAliveMax
	port, replies := countingProxy(t, r.sshd.Addr())
	r.knownHosts(strings.Replace(r.sshd.HostKeyLine, fmt.Sprintf("]:%d ", r.sshd.Port), fmt.Sprintf("]:%d ", port), 1))
	tg, err := ParseTarget(fmt.Sprintf("ssh://%s@127.0.0.1:%d%s", r.sshd.User, port, echoSocket(t)))
	if err != nil {
		t.Fatal(err)
	}
	p := NewPool(r.opts)
	t.Cleanup(p.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := p.Dial(ctx, tg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	roundTrip(t, c, "before")

	base := replies.Load()
	deadline := time.NewTimer(20 * time.Second)
	defer deadline.Stop()
	tick := time.NewTicker(testKeepAlive / 4)
	defer tick.Stop()
	for replies.Load()-base < 6 {
		if h := p.Hosts()[0]; h.State != HostUp {
			t.Fatalf("the answering host went %v after %d replies: %+v", h.State, replies.Load()-base, h)
		}
		select {
		case <-tick.C:
		case <-deadline.C:
			t.Fatalf("only %d keepalive replies in 20 s while idle: is the connection probed?", replies.Load()-base)
		}
	}
	if h := p.Hosts()[0]; h.State != HostUp || h.Dials != 1 {
		t.Fatalf("host %+v, want still up on its first connection", h)
	}
	roundTrip(t, c, "after")
}
