package qmp

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestPrettyAndPackedFramingParse(t *testing.T) {
	c, peer := connectFake(t)
	sub := c.Subscribe(16)
	go func() {
		req := peer.read()
		// A pretty-printed event (as with -mon pretty=on), then the reply and
		// another event packed on one line, sent one byte at a time.
		pretty := "{\n    \"timestamp\": {\n        \"seconds\": 1795592668,\n        \"microseconds\": 669634\n    },\n    \"event\": \"STOP\"\n}\r\n"
		packed := withID(`{"return": {"status": "paused", "running": false}, "id": %s}`, req) + `{"event": "RESUME", "data": {"x": "}{\"\\"}, "timestamp": {"seconds": 1, "microseconds": 2}}` + "\r\n"
		for _, b := range []byte(pretty + packed) {
			if _, err := peer.conn.Write([]byte{b}); err != nil {
				return
			}
		}
	}()
	st, err := c.QueryStatus(ctxFor(t, 5*time.Second))
	if err != nil || st.Status != "paused" {
		t.Fatalf("status %+v, %v", st, err)
	}
	ev1, err := sub.Next(ctxFor(t, 5*time.Second))
	if err != nil || ev1.Name != "STOP" {
		t.Fatalf("event %+v, %v", ev1, err)
	}
	// Microseconds are microseconds.
	if want := time.Unix(1795592668, 669634000); !ev1.Time.Equal(want) {
		t.Fatalf("timestamp %v, want %v", ev1.Time, want)
	}
	ev2, err := sub.Next(ctxFor(t, 5*time.Second))
	if err != nil || ev2.Name != "RESUME" || string(ev2.Data) != `{"x": "}{\"\\"}` {
		t.Fatalf("event %+v (%s), %v", ev2, ev2.Data, err)
	}
}

func TestSubscriptionFilterAndDropOldest(t *testing.T) {
	c, peer := connectFake(t)
	stops := c.Subscribe(3, "STOP")
	all := c.Subscribe(100)
	for i := 0; i < 10; i++ {
		peer.send(fmt.Sprintf(`{"event": "STOP", "data": {"n": %d}, "timestamp": {"seconds": 1, "microseconds": 0}}`, i))
		peer.send(`{"event": "RESUME", "timestamp": {"seconds": 1, "microseconds": 0}}`)
	}
	// A reply after the events proves the reader got past them while
	// nobody read the small subscription.
	go func() { peer.reply(peer.read(), `{"status": "running", "running": true}`) }()
	if _, err := c.QueryStatus(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	var got []string
	for i := 0; i < 3; i++ {
		ev, err := stops.Next(ctxFor(t, 5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if ev.Name != "STOP" {
			t.Fatalf("filter let %s through", ev.Name)
		}
		got = append(got, string(ev.Data))
	}
	if strings.Join(got, ",") != `{"n": 7},{"n": 8},{"n": 9}` {
		t.Fatalf("kept %v, want the newest three", got)
	}
	if stops.Dropped() != 7 {
		t.Fatalf("Dropped = %d, want 7", stops.Dropped())
	}
	if len(all.C()) != 20 || all.Dropped() != 0 {
		t.Fatalf("unfiltered subscriber has %d events, %d dropped", len(all.C()), all.Dropped())
	}
	all.Close()
	all.Close() // idempotent
	drained := 0
	for range all.C() { // ends only if Close closed the channel
		drained++
	}
	if drained != 20 {
		t.Fatalf("drained %d events after Close, want the 20 queued", drained)
	}
}

func TestEventWaitTimesOut(t *testing.T) {
	c, _ := connectFake(t)
	sub := c.Subscribe(1, "SHUTDOWN")
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := sub.Next(ctx)
	assertKind[*TimeoutError](t, err, KindTimeout)
}

func TestSubscriptionClosesWithConnection(t *testing.T) {
	c, peer := connectFake(t)
	sub := c.Subscribe(1)
	peer.conn.Close()
	_, err := sub.Next(ctxFor(t, 5*time.Second))
	assertKind[*ConnectError](t, err, KindConnect)
}

// The fake answers in batches and records how many commands were ever
// outstanding at once: it must never see more than QEMU's queue holds.
func TestManyGoroutinesRespectInFlightLimit(t *testing.T) {
	c, peer := connectFake(t)
	const callers, each = 32, 10
	var maxOutstanding atomic.Int32
	go func() {
		var queue []fakeRequest
		for served := 0; served < callers*each; {
			_ = peer.conn.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
			line, err := peer.r.ReadBytes('\n')
			if err == nil {
				var req fakeRequest
				_ = json.Unmarshal(line, &req)
				queue = append(queue, req)
				if n := int32(len(queue)); n > maxOutstanding.Load() {
					maxOutstanding.Store(n)
				}
				if len(queue) < MaxInFlight {
					continue
				}
			} else if len(queue) == 0 {
				if strings.Contains(err.Error(), "closed") {
					return
				}
				continue
			}
			for _, q := range queue {
				var args struct{ N int }
				_ = json.Unmarshal(q.Arguments, &args)
				peer.reply(q, fmt.Sprintf(`%d`, args.N*2))
			}
			served += len(queue)
			queue = queue[:0]
		}
	}()
	var wg sync.WaitGroup
	errs := make(chan error, callers*each)
	for g := 0; g < callers; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				n := g*1000 + i
				var got int
				if err := c.Execute(ctxFor(t, 20*time.Second), "double", map[string]int{"N": n}, &got); err != nil {
					errs <- err
					return
				}
				if got != 2*n {
					errs <- fmt.Errorf("caller %d got %d for %d: reply went to the wrong caller", g, got, n)
					return
				}
			}
		}(g)
	}
	waitGroupWithin(t, &wg, "callers still waiting for their replies")
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if m := maxOutstanding.Load(); m > MaxInFlight || m < 2 {
		t.Fatalf("max outstanding = %d, want 2..%d", m, MaxInFlight)
	}
}

func TestExecuteRawRejectsNonObjectArguments(t *testing.T) {
	c, _ := connectFake(t)
	_, err := c.ExecuteRaw(ctxFor(t, time.Second), "query-status", json.RawMessage(`[1]`))
	assertKind[*ProtocolError](t, err, KindProtocol)
}

func TestParseAddress(t *testing.T) {
	cases := []struct {
		in, network, addr string
		bad               bool
	}{
		{"/run/qemu/a.qmp", "unix", "/run/qemu/a.qmp", false},
		{"unix:/tmp/x", "unix", "/tmp/x", false},
		{"tcp:127.0.0.1:4444", "tcp", "127.0.0.1:4444", false},
		{"tcp:[::1]:4444", "tcp", "[::1]:4444", false},
		{"tcp:nohost", "", "", true},
		{"unix:", "", "", true},
		{"", "", "", true},
	}
	for _, tc := range cases {
		a, err := ParseAddress(tc.in)
		if (err != nil) != tc.bad || a.Network != tc.network || a.Addr != tc.addr {
			t.Errorf("ParseAddress(%q) = %+v, %v", tc.in, a, err)
		}
	}
}
