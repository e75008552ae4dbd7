package model

import (
	"io"
	"net"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/sim"
	"github.com/qmpdash/qmpdash/qmp"
)

// slowLink serves a simulated VM on a unix socket through a proxy that
// holds every client write for delay before passing it on, and, once
// frozen, passes nothing on (the VM never answers: a hung QEMU).
type slowLink struct {
	delay  time.Duration
	frozen atomic.Bool
}

func (l *slowLink) serve(t *testing.T, sock string, vm *sim.VM) {
	t.Helper()
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			a, b := net.Pipe()
			go vm.ServeConn(b)
			go func() { _, _ = io.Copy(c, a); c.Close() }()
			go func() {
				defer a.Close()
				buf := make([]byte, 64<<10)
				for {
					n, err := c.Read(buf)
					if err != nil {
						return
					}
					if l.frozen.Load() {
						continue
					}
					time.Sleep(l.delay)
					if _, err := a.Write(buf[:n]); err != nil {
						return
					}
				}
			}()
		}
	}()
}

// A completed poll records how long it took, on the fleet's clock: its
// queries go in one write (qmp.Client.ExecuteBatch), which the link holds
// up, so the poll takes at least one delay. A VM that stops answering
// counts its timeouts by kind.
func TestFleetPollDurationAndTimeoutCounts(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "slow.qmp")
	vm := sim.New(sim.Options{Name: "slow"})
	t.Cleanup(func() { vm.Close() })
	link := &slowLink{delay: 20 * time.Millisecond}
	link.serve(t, sock, vm)
	cfg := testConfig()
	cfg.Timeout = 2 * time.Second
	f := startFleet(t, cfg, sock)
	s := waitFor(t, f, 20*time.Second, "two polls", func(s FleetSnapshot) bool { return s.VMs[0].Polls >= 2 })
	v := s.VMs[0]
	if min := link.delay; v.LastPollDuration < min || v.LastPollDuration >= cfg.Timeout {
		t.Fatalf("LastPollDuration %v, want at least %v (one delayed write) and under the timeout", v.LastPollDuration, min)
	}
	if len(v.ErrorCounts) != 0 {
		t.Fatalf("a healthy VM has error counts %v", v.ErrorCounts)
	}

	link.frozen.Store(true)
	s = waitFor(t, f, 20*time.Second, "a poll timing out", func(s FleetSnapshot) bool {
		return s.VMs[0].LastError.Kind == qmp.KindTimeout && s.VMs[0].Stale
	})
	v = s.VMs[0]
	if v.ErrorCounts[qmp.KindTimeout] < 1 {
		t.Fatalf("ErrorCounts %v after a timeout", v.ErrorCounts)
	}
	for k, n := range v.ErrorCounts {
		if k != qmp.KindTimeout && n > 0 {
			t.Errorf("%d %s errors counted, want timeouts only", n, k)
		}
	}
	// A failed poll is no complete poll: the latest duration stands.
	if v.LastPollDuration < link.delay {
		t.Errorf("LastPollDuration %v after a timeout", v.LastPollDuration)
	}
}

// A socket that refuses connections counts a connect error for every
// attempt, and no poll ever completes.
func TestFleetCountsConnectErrors(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "refuse.qmp")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	ln.Close() // the socket file stays; connecting to it is refused
	f := startFleet(t, testConfig(), sock)
	s := waitFor(t, f, 20*time.Second, "three refused attempts", func(s FleetSnapshot) bool {
		return s.VMs[0].ErrorCounts[qmp.KindConnect] >= 3
	})
	v := s.VMs[0]
	if v.LastError.Kind != qmp.KindConnect || len(v.ErrorCounts) != 1 {
		t.Fatalf("LastError %+v, ErrorCounts %v: want connect errors only", v.LastError, v.ErrorCounts)
	}
	if v.Polls != 0 || v.LastPollDuration != 0 {
		t.Fatalf("never connected, yet polls %d, LastPollDuration %v", v.Polls, v.LastPollDuration)
	}
	// A published copy never changes: later errors go to a new map.
	held, n := v.ErrorCounts, v.ErrorCounts[qmp.KindConnect]
	waitFor(t, f, 20*time.Second, "another refused attempt", func(s FleetSnapshot) bool {
		return s.VMs[0].ErrorCounts[qmp.KindConnect] > n
	})
	if held[qmp.KindConnect] != n {
		t.Fatalf("a published ErrorCounts changed: %d, was %d", held[qmp.KindConnect], n)
	}
}
