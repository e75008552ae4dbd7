package qmp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The reader role (reader.go) decides who reads the socket; it must never
// change what a caller or subscriber sees. Most tests here pin the role
// down with an idle handover too long to fire: the role is then free
// whenever no command runs, so a lone caller reads its own reply, and a
// caller that starts while another one reads has its reply handed over.

func withIdleHandover(d time.Duration) Option {
	return func(o *options) { o.idleHandover = d }
}

// pinnedClient is a fake-peer client whose background reader only starts
// when replies are owed and no caller reads.
func pinnedClient(t *testing.T) (*Client, *fakePeer) {
	return connectFake(t, withIdleHandover(time.Hour))
}

// readerPath runs call (which sends one command) on c and returns its
// error; answer plays the peer's side for that command's request.
type readerPath struct {
	name string
	run  func(t *testing.T, c *Client, peer *fakePeer, call func() error, answer func(fakeRequest)) error
}

var readerPaths = []readerPath{
	{"caller reads its own reply", func(t *testing.T, c *Client, peer *fakePeer, call func() error, answer func(fakeRequest)) error {
		res := background(call)
		answer(peer.read())
		return recvWithin(t, res, "the caller never got its reply")
	}},
	{"another caller hands the reply over", func(t *testing.T, c *Client, peer *fakePeer, call func() error, answer func(fakeRequest)) error {
		// The first caller takes the role and reads until the peer
		// answers it, which the peer does last.
		reading := statusIn(t, c, "running")
		first := peer.read()
		res := background(call)
		answer(peer.read())
		err := recvWithin(t, res, "the reply was never handed to its caller")
		peer.reply(first, `{"status": "running", "running": true}`)
		if rerr := recvWithin(t, reading, "the reading caller never got its reply"); rerr != nil {
			t.Errorf("reading caller: %v", rerr)
		}
		return err
	}},
}

// onPath runs call (which sends one command) on one reader path and returns
// its error; answer plays the peer's side for that command's request.
type onPath func(call func() error, answer func(fakeRequest)) error

// whoeverReads runs test once per reader path, each on its own pinned
// client.
func whoeverReads(t *testing.T, test func(t *testing.T, c *Client, peer *fakePeer, run onPath)) {
	for _, path := range readerPaths {
		t.Run(path.name, func(t *testing.T) {
			c, peer := pinnedClient(t)
			test(t, c, peer, func(call func() error, answer func(fakeRequest)) error {
				return path.run(t, c, peer, call, answer)
			})
		})
	}
}

func TestRepliesAreTheSameWhoeverReads(t *testing.T) {
	whoeverReads(t, func(t *testing.T, c *Client, peer *fakePeer, run onPath) {
		var name string
		err := run(func() error {
			var err error
			name, err = c.QueryName(ctxFor(t, 10*time.Second))
			return err
		}, func(req fakeRequest) { peer.reply(req, `{"name": "vm-b"}`) })
		if err != nil || name != "vm-b" {
			t.Fatalf("QueryName = %q, %v", name, err)
		}

		var raw []byte
		err = run(func() error {
			var err error
			raw, err = c.ExecuteRaw(ctxFor(t, 10*time.Second), "query-kvm", nil)
			return err
		}, func(req fakeRequest) { peer.reply(req, `{"enabled": false, "present": true}`) })
		if err != nil || string(raw) != `{"enabled": false, "present": true}` {
			t.Fatalf("ExecuteRaw = %s, %v", raw, err)
		}

		err = run(func() error {
			return c.Execute(ctxFor(t, 10*time.Second), "device_del", map[string]string{"id": "nope"}, nil)
		}, func(req fakeRequest) { peer.replyError(req, "DeviceNotFound", "Device 'nope' not found") })
		re := assertKind[*ResponseError](t, err, KindResponse)
		if re.Class != "DeviceNotFound" || re.Command != "device_del" {
			t.Fatalf("ResponseError %+v", re)
		}
		if c.Pending() != 0 {
			t.Fatalf("%d commands still pending", c.Pending())
		}
	})
}

func TestMalformedRepliesAreTheSameWhoeverReads(t *testing.T) {
	for name, tmpl := range malformedReplies {
		t.Run(name, func(t *testing.T) {
			whoeverReads(t, func(t *testing.T, c *Client, peer *fakePeer, run onPath) {
				err := run(func() error {
					_, err := c.QueryStatus(ctxFor(t, 10*time.Second))
					return err
				}, func(req fakeRequest) { peer.send(withID(tmpl, req)) })
				assertKind[*ProtocolError](t, err, KindProtocol)
				// The slot came back: MaxInFlight more commands fit.
				if c.Pending() != 0 {
					t.Fatalf("%d commands still pending", c.Pending())
				}
			})
		})
	}
}

func TestTimeoutsAreTheSameWhoeverReads(t *testing.T) {
	whoeverReads(t, func(t *testing.T, c *Client, peer *fakePeer, run onPath) {
		var late fakeRequest
		err := run(func() error {
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			return c.Execute(ctx, "query-status", nil, nil)
		}, func(req fakeRequest) { late = req }) // no answer in time
		assertKind[*TimeoutError](t, err, KindTimeout)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("timeout does not unwrap to DeadlineExceeded: %v", err)
		}
		// QEMU still holds the command.
		if c.Pending() != 1 {
			t.Fatalf("Pending = %d, want 1", c.Pending())
		}
		// Its late reply is dropped, and the next command gets its own.
		lateReplyIsDropped(t, c, peer, late)
		if c.Pending() != 0 {
			t.Fatalf("Pending = %d after the late reply", c.Pending())
		}
	})
}

func TestCancellingAReadingCallerEndsItsWait(t *testing.T) {
	c, peer := pinnedClient(t)
	ctx, cancel := context.WithCancel(context.Background()) // no deadline
	res := background(func() error { return c.Execute(ctx, "query-status", nil, nil) })
	req := peer.read()
	cancel()
	err := recvWithin(t, res, "cancel did not end the wait of a caller reading the socket")
	assertKind[*TimeoutError](t, err, KindTimeout)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancellation does not unwrap to Canceled: %v", err)
	}
	// Somebody still reads: the late reply is taken off the wire.
	peer.reply(req, `{"status": "running", "running": true}`)
	go func() { peer.reply(peer.read(), `{"status": "paused", "running": false}`) }()
	st, err := c.QueryStatus(ctxFor(t, 10*time.Second))
	if err != nil || st.Status != "paused" {
		t.Fatalf("after a cancelled read: %+v, %v", st, err)
	}
}

func TestAStaleInterruptDoesNotEndAWait(t *testing.T) {
	c, peer := pinnedClient(t)
	// A first command leaves a read deadline the second one keeps (see
	// setReadDeadline), so the interruption below stands whether it lands
	// before or after the second caller starts reading.
	go func() { peer.reply(peer.read(), `{"status": "running", "running": true}`) }()
	if _, err := c.QueryStatus(ctxFor(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	res := statusIn(t, c, "running")
	req := peer.read()
	// What a cancelled caller's late interruption does to whoever reads
	// next: the read deadline jumps into the past.
	c.interruptRead()
	peer.reply(req, `{"status": "running", "running": true}`)
	if err := recvWithin(t, res, "the live wait never ended after its reply"); err != nil {
		t.Fatalf("a stale interruption ended a live wait: %v", err)
	}
}

func TestEventsAreReadWhileNoCommandRuns(t *testing.T) {
	const stop = `{"timestamp": {"seconds": 1795592668, "microseconds": 665524}, "event": "STOP"}`
	c, peer := connectFake(t) // the real idle handover
	sub := c.Subscribe(8)
	peer.send(stop) // before any command
	if ev, err := sub.Next(ctxFor(t, 10*time.Second)); err != nil || ev.Name != "STOP" {
		t.Fatalf("event before any command: %+v, %v", ev, err)
	}
	go func() { peer.reply(peer.read(), `{"status": "paused", "running": false}`) }()
	if _, err := c.QueryStatus(ctxFor(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	peer.send(strings.Replace(stop, "STOP", "RESUME", 1)) // after the last command
	if ev, err := sub.Next(ctxFor(t, 10*time.Second)); err != nil || ev.Name != "RESUME" {
		t.Fatalf("event after the last command: %+v, %v", ev, err)
	}
}

func TestEventsBeforeAReplyReachSubscribersWhoeverReads(t *testing.T) {
	whoeverReads(t, func(t *testing.T, c *Client, peer *fakePeer, run onPath) {
		sub := c.Subscribe(8)
		err := run(func() error {
			_, err := c.QueryStatus(ctxFor(t, 10*time.Second))
			return err
		}, func(req fakeRequest) {
			peer.send(`{"timestamp": {"seconds": 1, "microseconds": 2}, "event": "STOP"}`)
			peer.reply(req, `{"status": "paused", "running": false}`)
		})
		if err != nil {
			t.Fatal(err)
		}
		select {
		case ev := <-sub.C():
			if ev.Name != "STOP" {
				t.Fatalf("event %+v", ev)
			}
		default:
			t.Fatal("the event read before the reply was not published by then")
		}
	})
}

func TestAReaderAnsweredFirstPassesTheRoleOn(t *testing.T) {
	c, peer := pinnedClient(t)
	first := statusIn(t, c, "")
	reqA := peer.read() // the first caller holds the role from here on
	second := background(func() error {
		name, err := c.QueryName(ctxFor(t, 10*time.Second))
		if err == nil && name != "vm-b" {
			err = fmt.Errorf("got name %q", name)
		}
		return err
	})
	reqB := peer.read()
	peer.reply(reqA, `{"status": "running", "running": true}`)
	if err := recvWithin(t, first, "the first caller never got its reply"); err != nil {
		t.Fatal(err)
	}
	// The first caller has returned; the second still waits, and no idle
	// timer will fire: somebody must have been handed the role.
	peer.reply(reqB, `{"name": "vm-b"}`)
	if err := recvWithin(t, second, "the second caller was never handed the reader role"); err != nil {
		t.Fatal(err)
	}
}

// cancelledDuringSend is cancelled, but its first Err (exec's check before
// sending) still says nil: as if the cancellation landed while the request
// was being written, just before the caller starts reading.
type cancelledDuringSend struct {
	context.Context
	calls atomic.Int32
}

func newCancelledDuringSend() *cancelledDuringSend {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return &cancelledDuringSend{Context: ctx}
}

func (c *cancelledDuringSend) Err() error {
	if c.calls.Add(1) == 1 {
		return nil
	}
	return c.Context.Err()
}

func TestACancellationDuringTheWriteEndsTheRead(t *testing.T) {
	// The cancellation's interrupt races with the reading caller setting
	// its read deadline; whichever comes second must not undo the other.
	// Without a fix the caller waits out the command timeout now and then,
	// so the race gets many tries.
	for i := range 200 {
		c, peer := connectFake(t, withIdleHandover(time.Hour), WithCommandTimeout(time.Minute))
		sent := background(peer.read) // never answered
		err := c.Execute(newCancelledDuringSend(), "query-status", nil, nil)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("try %d: a caller cancelled during its write got %v, want a cancellation", i, err)
		}
		recvWithin(t, sent, "the cancelled command never reached the peer")
		c.Close()
	}
}

// lateReplyIsDropped answers late, a command whose caller gave up, just
// before the reply to the next command: that caller must get its own.
func lateReplyIsDropped(t *testing.T, c *Client, peer *fakePeer, late fakeRequest) {
	t.Helper()
	res := statusIn(t, c, "paused")
	next := peer.read()
	peer.reply(late, `{"status": "running", "running": true}`)
	peer.reply(next, `{"status": "paused", "running": false}`)
	if err := recvWithin(t, res, "the next command's caller never got its reply"); err != nil {
		t.Fatal(err)
	}
}
