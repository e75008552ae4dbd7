package model

import (
	"context"
	"errors"
	"os"
	"syscall"
	"time"

	"github.com/qmpdash/qmpdash/qmp"
)

// A VM's connection ending and coming back: the run loop, what a lost
// connection leaves in the snapshot, and the waits between attempts, which
// a kick (Fleet.Reconnect, a directory watcher seeing the socket return)
// or the socket's own return cut short.

// DefaultLocalBackoffMax caps the reconnect backoff of unix sockets: a
// local QEMU restarts in a second or two, and redialling a local socket
// costs nothing.
const DefaultLocalBackoffMax = 5 * time.Second

// socketPoll is how often a waiting watcher of a named unix socket looks
// (one stat) for the socket coming back.
const socketPoll = 200 * time.Millisecond

// run is the VM's life: connect, watch, and on loss retry with backoff.
func (v *vmWatcher) run(ctx context.Context) {
	attempt := 0
	for ctx.Err() == nil {
		if v.gone.Load() {
			v.cur.Conn, v.cur.Stale = ConnGone, true
			v.publish()
			select {
			case <-ctx.Done():
				return
			case <-v.reviveCh:
				attempt = 0
				continue
			case <-v.kickCh:
				v.gone.Store(false) // asked to try: the next scan says if it is still gone
				attempt = 0
				continue
			}
		}
		if v.cur.Conn != ConnClosed {
			// A VM that quit stays "closed" until a new QEMU answers.
			v.cur.Conn = ConnConnecting
			v.publish()
		}
		sock := v.socketID()
		c, err := v.dial(ctx)
		if err == nil {
			attempt = 0
			err = v.watch(ctx, c)
			v.setClient(nil)
			c.Close()
			// The agent is likely gone with its QEMU: ask now, rather than
			// let its facts stand for up to a round as if still true.
			v.poke(v.guestKick)
			if ctx.Err() == nil {
				v.lost()
			}
		}
		if ctx.Err() != nil {
			return
		}
		if errors.Is(err, errGone) {
			continue
		}
		attempt++
		switch v.retryAfter(ctx, err, attempt, sock) {
		case waitCancelled:
			return
		case waitCut:
			attempt = 0
		}
	}
}

func (v *vmWatcher) dial(ctx context.Context) (*qmp.Client, error) {
	env := v.env
	dctx, cancel := context.WithTimeout(ctx, env.timeout)
	defer cancel()
	// A watcher sends a few commands a second and must see events at
	// once: a standing reader serves that for less CPU (qmp/options.go).
	opts := []qmp.Option{qmp.WithGreetingTimeout(env.timeout), qmp.WithLogger(env.logger), qmp.WithStandingReader()}
	if v.addr.Network == "ssh" {
		opts = append(opts, qmp.WithDialer(RemoteDialer(env.remote)))
	}
	return env.dial(dctx, v.addr.String(), opts...)
}

// lost clears what a connection that ended leaves behind: host figures and
// vCPU threads of a process that may be gone, jobs and migration it ran.
// The run state stays as the last known one (StateAt says when). If QEMU
// said why it ended (SHUTDOWN, or a quit sent through the fleet), the VM
// is closed, not in error.
func (v *vmWatcher) lost() {
	v.cur.Host = Host{}
	v.cur.VCPUs = nil
	v.cur.Jobs = nil
	v.cur.Migration = Migration{}
	v.cur.Stale = true
	exit := ""
	if v.cur.RunState == "shutdown" {
		exit = v.exit
	}
	if v.quitAsked.Load() {
		exit = "host-qmp-quit"
	}
	if exit != "" {
		v.cur.Conn, v.cur.Exit = ConnClosed, exit
		v.cur.Attempt, v.cur.RetryAt = 0, time.Time{}
	}
	v.publish()
}

// waitResult is how a wait between attempts ended.
type waitResult int

const (
	waitDone      waitResult = iota // the backoff ran out (or the socket went)
	waitCut                         // kicked, or the socket came back: try at once
	waitCancelled                   // the fleet stopped
)

// backoff is the policy for this VM: local sockets have a lower cap, and
// so do ssh:// ones, whose redial while their host is down costs nothing
// (the host's own backoff answers it, remote/host.go) and whose host
// coming back should bring them back soon.
func (v *vmWatcher) backoff() Backoff {
	b := v.env.backoff
	if (v.addr.Network == "unix" || v.addr.Network == "ssh") && v.env.localMax > 0 && (b.Max <= 0 || b.Max > v.env.localMax) {
		b.Max = v.env.localMax
		if b.Min > b.Max {
			b.Min = b.Max
		}
	}
	return b
}

// retryAfter records err (unless the VM closed as asked) and waits out the
// backoff, less if kicked or if the socket, as it was before the failed
// dial (sock), is replaced.
func (v *vmWatcher) retryAfter(ctx context.Context, err error, attempt int, sock socketID) waitResult {
	now := v.env.now()
	delay := v.backoff().Delay(attempt, v.env.jitter)
	if v.cur.Conn == ConnClosed {
		v.publish() // quietly: a VM that quit is not an error
	} else {
		v.cur.Conn = ConnRetrying
		v.cur.Attempt = attempt
		v.cur.RetryAt = now.Add(delay)
		v.cur.Stale = true
		v.recordError(err, now)
		v.publish()
	}
	v.env.logger.Info("qmpdash: monitor unavailable", "vm", v.id, "attempt", attempt, "retry_in", delay, "err", err)
	t := time.NewTimer(delay)
	defer t.Stop()
	var poll <-chan time.Time
	if v.addr.Network == "unix" && !v.scanned.Load() {
		tk := time.NewTicker(socketPoll)
		defer tk.Stop()
		poll = tk.C
	}
	for {
		select {
		case <-ctx.Done():
			return waitCancelled
		case <-t.C:
			return waitDone
		case <-v.goneCh: // checked at the top of run
			return waitDone
		case <-v.kickCh:
			return waitCut
		case <-poll:
			if now := v.socketID(); now.ok && now != sock {
				return waitCut
			}
		}
	}
}

// kick cuts the wait before the next attempt short. It reports false when
// there is no wait to cut: the VM is connected (or connecting).
func (v *vmWatcher) kick() bool {
	if v.client() != nil {
		return false
	}
	v.poke(v.kickCh)
	return true
}

// socketID tells one socket file from another at the same path: QEMU
// removes and re-creates its socket when it starts.
type socketID struct {
	ok       bool
	dev, ino uint64
	mtime    int64
}

func statSocket(path string) socketID {
	fi, err := os.Stat(path)
	if err != nil || fi.Mode()&os.ModeSocket == 0 {
		return socketID{}
	}
	id := socketID{ok: true, mtime: fi.ModTime().UnixNano()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		id.dev, id.ino = uint64(st.Dev), st.Ino
	}
	return id
}

// socketID is the VM's socket file now; zero for TCP or when absent.
func (v *vmWatcher) socketID() socketID {
	if v.addr.Network != "unix" {
		return socketID{}
	}
	return statSocket(v.addr.Addr)
}
