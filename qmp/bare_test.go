package qmp

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// Bare commands (bare.go): a command goes without an id only when no other
// reply is owed, and a reply without an id only ever answers that command.
// Each test here would fail if a reply reached the wrong caller: the
// replies differ (status running/paused, names), and every caller checks
// what it got.

const (
	running = `{"status": "running", "running": true}`
	paused  = `{"status": "paused", "running": false}`
)

// bareWhoeverReads runs test once per way a bare command's reply is read:
// by its caller, or by a background reader that held the role when the
// command started (the client was idle), which hands it over.
func bareWhoeverReads(t *testing.T, test func(t *testing.T, c *Client, peer *fakePeer, run onPath), opts ...Option) {
	for name, idle := range map[string]bool{"the caller reads": false, "a background reader reads": true} {
		t.Run(name, func(t *testing.T) {
			handover := time.Hour
			if idle {
				handover = time.Millisecond
			}
			c, peer := connectFake(t, append(opts, withIdleHandover(handover))...)
			test(t, c, peer, func(call func() error, answer func(fakeRequest)) error {
				if idle {
					waitReading(t, c)
				}
				res := background(call)
				answer(peer.read())
				return recvWithin(t, res, "the caller never got its reply")
			})
		})
	}
}

func isBare(req fakeRequest) bool { return len(req.ID) == 0 }

// wantBare fails the test unless req's id-ness is want.
func wantBare(t *testing.T, req fakeRequest, want bool, what string) {
	t.Helper()
	if isBare(req) != want {
		t.Fatalf("%s: request %s with id %q, want bare=%v", what, req.Execute, req.ID, want)
	}
}

func TestSerialCommandsGoBareAndOverlappingOnesCarryIDs(t *testing.T) {
	whoeverReads(t, func(t *testing.T, c *Client, peer *fakePeer, run onPath) {
		for i := range 3 {
			err := run(func() error {
				_, err := c.QueryName(ctxFor(t, 10*time.Second))
				return err
			}, func(req fakeRequest) { peer.reply(req, `{"name": "vm"}`) })
			if err != nil {
				t.Fatalf("command %d: %v", i, err)
			}
		}
	})
	// The paths above each ran a second command while the first was owed;
	// here the peer checks every request's id directly.
	c, peer := pinnedClient(t)
	first := statusIn(t, c, "running")
	a := peer.read()
	wantBare(t, a, true, "a command with nothing owed")
	second := statusIn(t, c, "paused")
	b := peer.read()
	wantBare(t, b, false, "a command sent while a bare one is owed")
	// QEMU answers in order; the bare reply is the next without an id.
	peer.reply(a, running)
	peer.reply(b, paused)
	for _, res := range []<-chan error{first, second} {
		if err := recvWithin(t, res, "a caller never got its reply"); err != nil {
			t.Fatal(err)
		}
	}
	go func() { peer.reply(peer.read(), running) }()
	if _, err := c.QueryStatus(ctxFor(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	if c.Pending() != 0 {
		t.Fatalf("%d pending", c.Pending())
	}
}

// A bare command that times out leaves its reply owed with no id: the
// commands after it carry ids, the stray reply is dropped, and only once it
// has come may a command go bare again.
func TestATimedOutBareCommandsReplyIsDroppedNotHandedOn(t *testing.T) {
	bareWhoeverReads(t, func(t *testing.T, c *Client, peer *fakePeer, run onPath) {
		var stray fakeRequest
		err := run(func() error {
			// No deadline: the command timeout runs from the send.
			_, err := c.QueryStatus(context.Background())
			return err
		}, func(req fakeRequest) { stray = req }) // no answer yet
		assertKind[*TimeoutError](t, err, KindTimeout)
		wantBare(t, stray, true, "the command that timed out")
		if c.Pending() != 1 {
			t.Fatalf("Pending = %d, want the abandoned command", c.Pending())
		}
		res := background(func() error {
			name, err := c.QueryName(ctxFor(t, 10*time.Second))
			if err == nil && name != "vm-b" {
				t.Errorf("QueryName got %q: the stray reply was handed on", name)
			}
			return err
		})
		next := peer.read()
		wantBare(t, next, false, "a command while a timed-out bare one is owed")
		peer.reply(stray, `{"name": "stray"}`) // the late answer, in order
		peer.reply(next, `{"name": "vm-b"}`)
		if err := recvWithin(t, res, "the command after the timeout"); err != nil {
			t.Fatal(err)
		}
		waitPending(t, c, 0)
		go func() {
			req := peer.read()
			wantBare(t, req, true, "a command once everything is answered")
			peer.reply(req, paused)
		}()
		if st, err := c.QueryStatus(ctxFor(t, 10*time.Second)); err != nil || st.Status != "paused" {
			t.Fatalf("after the stray reply: %+v, %v", st, err)
		}
	}, WithCommandTimeout(50*time.Millisecond))
}

// The same when the late reply comes before any other command: whoever
// reads drops it, and the next command goes bare and gets its own reply.
func TestALateBareReplyIsDroppedBeforeTheNextCommand(t *testing.T) {
	// The real idle handover: a background reader takes over. The command
	// timeout runs from the send, so the command is sent however late.
	c, peer := connectFake(t, WithCommandTimeout(50*time.Millisecond))
	_, err := c.QueryStatus(context.Background())
	assertKind[*TimeoutError](t, err, KindTimeout)
	stray := peer.read()
	wantBare(t, stray, true, "the command that timed out")
	peer.reply(stray, running)
	waitPending(t, c, 0)
	go func() {
		req := peer.read()
		wantBare(t, req, true, "the next command")
		peer.reply(req, paused)
	}()
	if st, err := c.QueryStatus(ctxFor(t, 10*time.Second)); err != nil || st.Status != "paused" {
		t.Fatalf("got %+v, %v", st, err)
	}
}

func TestACancelledBareCommandStaysOwed(t *testing.T) {
	c, peer := pinnedClient(t)
	ctx, cancel := context.WithCancel(context.Background())
	res := background(func() error { _, err := c.QueryStatus(ctx); return err })
	stray := peer.read()
	wantBare(t, stray, true, "the cancelled command")
	cancel()
	assertKind[*TimeoutError](t, recvWithin(t, res, "the cancelled caller"), KindTimeout)
	next := statusIn(t, c, "paused")
	req := peer.read()
	wantBare(t, req, false, "a command after a cancelled bare one")
	peer.reply(stray, running)
	peer.reply(req, paused)
	if err := recvWithin(t, next, "the command after the cancellation"); err != nil {
		t.Fatal(err)
	}
}

// Events never answer a command, and a reply carrying an id (another
// client's convention, or an out-of-band command's) never answers a bare
// one.
func TestOnlyAReplyWithoutAnIDAnswersABareCommand(t *testing.T) {
	bareWhoeverReads(t, func(t *testing.T, c *Client, peer *fakePeer, run onPath) {
		sub := c.Subscribe(8)
		var st StatusInfo
		err := run(func() error {
			var err error
			st, err = c.QueryStatus(ctxFor(t, 10*time.Second))
			return err
		}, func(req fakeRequest) {
			wantBare(t, req, true, "the command")
			{
				peer.send(`{"timestamp": {"seconds": 1, "microseconds": 2}, "event": "STOP"}`)
				peer.send(`{"return": {"status": "running", "running": true}, "id": "oob-1"}`)
				peer.send(`{"return": {"status": "running", "running": true}, "id": 99}`)
			}
			peer.reply(req, paused)
		})
		if err != nil || st.Status != "paused" {
			t.Fatalf("got %+v, %v", st, err)
		}
		if ev := recvWithin(t, sub.C(), "the event"); ev.Name != "STOP" {
			t.Fatalf("event %+v", ev)
		}
	})
}

// QEMU answers a request it cannot parse with an error without an id. For
// a bare command that error is its answer; with ids, it answers nothing.
func TestAnErrorWithoutAnIDAnswersOnlyTheBareCommand(t *testing.T) {
	parseErr := `{"error": {"class": "GenericError", "desc": "JSON parse error, duplicate key"}}`
	c, peer := pinnedClient(t)
	res := background(func() error {
		_, err := c.ExecuteRaw(ctxFor(t, 10*time.Second), "x", json.RawMessage(`{"a":1}`))
		return err
	})
	req := peer.read()
	wantBare(t, req, true, "a command with nothing owed")
	peer.send(parseErr)
	re := assertKind[*ResponseError](t, recvWithin(t, res, "the bare command"), KindResponse)
	if re.Command != "x" || !strings.Contains(re.Desc, "duplicate key") {
		t.Fatalf("ResponseError %+v", re)
	}
	// An unattributable error while an id'd command waits: dropped.
	first := statusIn(t, c, "running")
	a := peer.read()
	second := statusIn(t, c, "paused")
	b := peer.read()
	wantBare(t, b, false, "the second command")
	peer.reply(a, running)
	peer.send(parseErr) // as if b's request had not parsed; nobody's
	peer.reply(b, paused)
	for _, r := range []<-chan error{first, second} {
		if err := recvWithin(t, r, "a caller"); err != nil {
			t.Fatal(err)
		}
	}
}

// A malformed reply without an id is the bare command's, as a
// ProtocolError; the connection lives on, as with ids.
func TestAMalformedBareReplyIsItsCommandsProtocolError(t *testing.T) {
	c, peer := pinnedClient(t)
	go func() {
		wantBare(t, peer.read(), true, "the command")
		peer.send(`{"return": {}, "error": {"class": "GenericError", "desc": "x"}}`)
	}()
	res := statusIn(t, c, "")
	assertKind[*ProtocolError](t, recvWithin(t, res, "the bare command"), KindProtocol)
	go func() { peer.reply(peer.read(), running) }()
	if _, err := c.QueryStatus(ctxFor(t, 10*time.Second)); err != nil {
		t.Fatalf("after a malformed bare reply: %v", err)
	}
}

// A stray reply without an id while nothing bare is owed is nobody's.
func TestAReplyWithoutAnIDWhenNoneIsOwedIsDropped(t *testing.T) {
	c, peer := pinnedClient(t)
	first := statusIn(t, c, "running")
	a := peer.read()
	wantBare(t, a, true, "the first command")
	second := statusIn(t, c, "paused")
	b := peer.read()
	peer.reply(a, running)
	peer.send(`{"return": {"status": "running", "running": true}}`) // a second answer to a
	peer.reply(b, paused)
	for _, r := range []<-chan error{first, second} {
		if err := recvWithin(t, r, "a caller"); err != nil {
			t.Fatal(err)
		}
	}
}

// A request singleAnswer cannot vouch for (one too large to be sure of
// QEMU's streamer; requests it would answer without an id are refused
// before sending, see unanswerable.go) carries an id, and the connection
// sends no bare command after it, so stray answers can never be taken for
// a bare command's.
func TestARequestQEMUMayAnswerTwiceEndsBareCommands(t *testing.T) {
	c, peer := pinnedClient(t)
	big := json.RawMessage(`{"a":"` + strings.Repeat("x", bareMaxBytes) + `"}`)
	res := background(func() error {
		_, err := c.ExecuteRaw(ctxFor(t, 10*time.Second), "query-status", big)
		return err
	})
	req := peer.read()
	wantBare(t, req, false, "a request over the size singleAnswer vouches for")
	for range 3 {
		peer.send(`{"error": {"class": "GenericError", "desc": "JSON parse error, stray '\"\\uFFFD'"}}`)
	}
	peer.replyError(req, "GenericError", "Parameter 'a' is unexpected")
	assertKind[*ResponseError](t, recvWithin(t, res, "the unreadable command"), KindResponse)
	for i := range 3 {
		res := statusIn(t, c, "paused")
		req := peer.read()
		wantBare(t, req, false, "a command after an unreadable one")
		if i == 0 {
			peer.send(`{"error": {"class": "GenericError", "desc": "JSON parse error, expecting value"}}`)
		}
		peer.reply(req, paused)
		if err := recvWithin(t, res, "a later command"); err != nil {
			t.Fatal(err)
		}
	}
}

func TestClosingWithABareCommandOwedCutsItOff(t *testing.T) {
	for name, connect := range map[string]func(t *testing.T) (*Client, *fakePeer){
		"the caller reads": pinnedClient,
		"a background reader reads": func(t *testing.T) (*Client, *fakePeer) {
			c, peer := connectFake(t, withIdleHandover(time.Millisecond))
			waitReading(t, c)
			return c, peer
		},
	} {
		t.Run(name, func(t *testing.T) {
			c, peer := connect(t)
			res := statusIn(t, c, "")
			wantBare(t, peer.read(), true, "the command")
			c.Close()
			assertKind[*ConnectError](t, recvWithin(t, res, "the cut-off caller"), KindConnect)
		})
	}
}

func TestSingleAnswer(t *testing.T) {
	for _, tc := range []struct {
		command, args string
		want          bool
	}{
		{"query-status", "", true},
		{"human-monitor-command", `{"command-line":"info \u003cx\u003e\n"}`, true},
		{"x", `{"a":"\u0000","b":"\ud800","c":"é","d":[1,{"e":null}],"f":"[[[{{{"}`, true},
		{"x", "{\"a\":\t1}", true},
		{"x", "{\"a\":\"\xff\"}", false},
		{"x", "{\"a\":\"\xc3\"}", false},
		{"x", `{"a":` + strings.Repeat("[", bareMaxDepth) + strings.Repeat("]", bareMaxDepth) + `}`, false},
		{"x", `{"a":` + strings.Repeat("[", bareMaxDepth-1) + strings.Repeat("]", bareMaxDepth-1) + `}`, true},
		{"x", `{"a":"` + strings.Repeat("x", bareMaxBytes) + `"}`, false},
		{"quer\u00e9", "", false},
	} {
		if got := singleAnswer(tc.command, json.RawMessage(tc.args)); got != tc.want {
			t.Errorf("singleAnswer(%q, %.60q) = %v, want %v", tc.command, tc.args, got, tc.want)
		}
	}
}

// waitPending waits until c has n commands pending.
func waitPending(t *testing.T, c *Client, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for c.Pending() != n {
		if time.Now().After(deadline) {
			t.Fatalf("Pending = %d, want %d", c.Pending(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// waitReading waits until a background reader holds c's role.
func waitReading(t *testing.T, c *Client) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c.mu.Lock()
		r := c.reading
		c.mu.Unlock()
		if r {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no background reader took the role")
		}
		time.Sleep(time.Millisecond)
	}
}
