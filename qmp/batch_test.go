package qmp

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"
)

// writeCounter counts the client's writes to its connection.
type writeCounter struct {
	net.Conn
	mu     sync.Mutex
	writes []string
}

func (w *writeCounter) Write(b []byte) (int, error) {
	w.mu.Lock()
	w.writes = append(w.writes, string(b))
	w.mu.Unlock()
	return w.Conn.Write(b)
}

func (w *writeCounter) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.writes)
}

// connectCounted is connectFake with the client's writes counted.
func connectCounted(t *testing.T, opts ...Option) (*Client, *fakePeer, *writeCounter) {
	t.Helper()
	conn, peer := newFakePair(t)
	wc := &writeCounter{Conn: conn}
	done := make(chan struct{})
	go func() { defer close(done); peer.negotiate() }()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := NewClient(ctx, wc, append([]Option{WithName("fake.sock")}, opts...)...)
	recvWithin(t, done, "the fake peer's handshake did not finish")
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c, peer, wc
}

// A batch goes out in one write, each call with its own id, and every call
// gets its own answer, an error in one included; events in between go to
// the subscribers. With the caller reading and with a standing reader.
func TestExecuteBatch(t *testing.T) {
	for _, standing := range []bool{false, true} {
		name := "caller reads"
		var opts []Option
		if standing {
			name, opts = "standing reader", []Option{WithStandingReader()}
		}
		t.Run(name, func(t *testing.T) {
			c, peer, wc := connectCounted(t, opts...)
			sub := c.Subscribe(8)
			before := wc.count()
			var st StatusInfo
			var stats []BlockStatsEntry
			var mig MigrationInfo
			calls := []Call{
				{Command: "query-status", Result: &st},
				{Command: "query-balloon"},
				{Command: "query-blockstats", Result: &stats},
				{Command: "query-migrate", Result: &mig},
			}
			done := background(func() []Call { c.ExecuteBatch(ctxFor(t, 10*time.Second), calls); return calls })
			reqs := make([]fakeRequest, len(calls))
			for i := range reqs {
				reqs[i] = peer.read()
				if reqs[i].Execute != calls[i].Command || len(reqs[i].ID) == 0 {
					t.Fatalf("request %d: %+v, want %s with an id", i, reqs[i], calls[i].Command)
				}
			}
			peer.reply(reqs[0], `{"status": "running", "singlestep": false, "running": true}`)
			peer.send(`{"event": "RESET", "data": {"guest": true, "reason": "guest-reset"}, "timestamp": {"seconds": 1, "microseconds": 2}}`)
			peer.replyError(reqs[1], "DeviceNotActive", "No balloon device has been activated")
			peer.reply(reqs[2], `[{"device": "", "qdev": "/machine/peripheral/vd0/virtio-backend", "stats": {"rd_bytes": 512}}]`)
			peer.reply(reqs[3], `{"status": "active"}`)
			got := recvWithin(t, done, "the batch's answers")
			if n := wc.count() - before; n != 1 {
				t.Fatalf("the batch took %d writes, want 1", n)
			}
			if got[0].Err != nil || st.Status != "running" {
				t.Fatalf("query-status: %+v, %v", st, got[0].Err)
			}
			var re *ResponseError
			if !errors.As(got[1].Err, &re) || re.Class != ClassDeviceNotActive || re.Command != "query-balloon" {
				t.Fatalf("query-balloon: %v, want its DeviceNotActive", got[1].Err)
			}
			if got[2].Err != nil || len(stats) != 1 || stats[0].Stats.RdBytes != 512 {
				t.Fatalf("query-blockstats: %+v, %v", stats, got[2].Err)
			}
			if got[3].Err != nil || mig.Status != "active" {
				t.Fatalf("query-migrate: %+v, %v", mig, got[3].Err)
			}
			if ev := recvWithin(t, sub.C(), "the RESET between the replies"); ev.Name != "RESET" {
				t.Fatalf("event %+v", ev)
			}
			// The client goes on as before.
			st2 := statusIn(t, c, "paused")
			peer.reply(peer.read(), `{"status": "paused", "singlestep": false, "running": false}`)
			if err := recvWithin(t, st2, "a command after the batch"); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// A batch whose replies do not all come times out call by call; the
// replies that come later are dropped, and their slots come back.
func TestExecuteBatchTimesOutAndRecovers(t *testing.T) {
	for _, standing := range []bool{false, true} {
		var opts []Option
		if standing {
			opts = []Option{WithStandingReader()}
		}
		c, peer := connectFake(t, opts...)
		calls := []Call{{Command: "query-status"}, {Command: "query-migrate"}}
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		done := background(func() []Call { c.ExecuteBatch(ctx, calls); return calls })
		first, second := peer.read(), peer.read()
		peer.reply(first, `{"status": "running", "singlestep": false, "running": true}`)
		got := recvWithin(t, done, "the batch to time out")
		cancel()
		var te *TimeoutError
		if got[0].Err != nil || !errors.As(got[1].Err, &te) {
			t.Fatalf("standing %v: errors %v, %v; want nil and a timeout", standing, got[0].Err, got[1].Err)
		}
		if n := c.Pending(); n != 1 {
			t.Fatalf("standing %v: %d pending, want the unanswered one", standing, n)
		}
		peer.reply(second, `{}`) // late: dropped
		st := statusIn(t, c, "paused")
		peer.reply(peer.read(), `{"status": "paused", "singlestep": false, "running": false}`)
		if err := recvWithin(t, st, "a command after the late reply"); err != nil {
			t.Fatalf("standing %v: %v", standing, err)
		}
		if n := c.Pending(); n != 0 {
			t.Fatalf("standing %v: %d pending after the late reply", standing, n)
		}
	}
}

// A batch the client must not share a write with runs call by call.
func TestExecuteBatchFallsBackToOneByOne(t *testing.T) {
	c, peer, wc := connectCounted(t)
	before := wc.count()
	calls := []Call{{Command: "query-status"}, {Command: "query-name", Args: []byte(`{}`)}}
	done := background(func() []Call { c.ExecuteBatch(ctxFor(t, 10*time.Second), calls); return calls })
	peer.reply(peer.read(), `{"status": "running", "singlestep": false, "running": true}`)
	peer.reply(peer.read(), `{}`)
	got := recvWithin(t, done, "the batch")
	if got[0].Err != nil || got[1].Err != nil {
		t.Fatalf("errors %v, %v", got[0].Err, got[1].Err)
	}
	if n := wc.count() - before; n != 2 {
		t.Fatalf("%d writes, want one a call", n)
	}
}

// A closed client answers a batch with the connection's end, sending
// nothing.
func TestExecuteBatchOnAClosedClient(t *testing.T) {
	c, _, wc := connectCounted(t, WithStandingReader())
	c.Close()
	before := wc.count()
	calls := []Call{{Command: "query-status"}, {Command: "query-migrate"}}
	c.ExecuteBatch(ctxFor(t, 10*time.Second), calls)
	var ce *ConnectError
	for _, cl := range calls {
		if !errors.As(cl.Err, &ce) {
			t.Fatalf("%s: %v, want a ConnectError", cl.Command, cl.Err)
		}
	}
	if wc.count() != before {
		t.Fatal("a closed client wrote")
	}
}

// A standing reader reads events with no command running, and a command
// never reads for itself: its reply is handed over.
func TestStandingReaderReadsEventsWhileIdle(t *testing.T) {
	c, peer := connectFake(t, WithStandingReader(), withIdleHandover(time.Hour))
	sub := c.Subscribe(8)
	peer.send(`{"event": "STOP", "timestamp": {"seconds": 1, "microseconds": 2}}`)
	if ev := recvWithin(t, sub.C(), "an event on an idle client"); ev.Name != "STOP" {
		t.Fatalf("event %+v", ev)
	}
	st := statusIn(t, c, "paused")
	req := peer.read()
	if req.Execute != "query-status" {
		t.Fatalf("request %+v", req)
	}
	peer.reply(req, `{"status": "paused", "singlestep": false, "running": false}`)
	if err := recvWithin(t, st, "the reply"); err != nil {
		t.Fatal(err)
	}
	peer.send(`{"event": "RESUME", "timestamp": {"seconds": 1, "microseconds": 3}}`)
	if ev := recvWithin(t, sub.C(), "an event after a command"); ev.Name != "RESUME" {
		t.Fatalf("event %+v", ev)
	}
}
