package qmp

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// Each misbehaviour of a peer maps to one member of the error family.

func assertKind[T error](t *testing.T, err error, want Kind) T {
	t.Helper()
	var target T
	if !errors.As(err, &target) {
		t.Fatalf("error %v (%T) is not a %T", err, err, target)
	}
	var base Error
	if !errors.As(err, &base) {
		t.Fatalf("error %v does not belong to the family", err)
	}
	if k, _, ok := Classify(err); !ok || k != want {
		t.Fatalf("Classify(%v) = %q, %v; want %q", err, k, ok, want)
	}
	if !strings.Contains(err.Error(), base.Socket()) {
		t.Errorf("message %q does not name the socket %q", err, base.Socket())
	}
	return target
}

func TestConnectErrorWhenSocketMissing(t *testing.T) {
	_, err := Dial(ctxFor(t, 5*time.Second), t.TempDir()+"/nope.qmp")
	ce := assertKind[*ConnectError](t, err, KindConnect)
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("root cause not kept: %v (%#v)", err, ce.Err)
	}
}

func TestConnectErrorWhenNoGreeting(t *testing.T) {
	conn, _ := newFakePair(t) // the peer never says anything
	start := time.Now()
	_, err := NewClient(context.Background(), conn, WithName("silent.sock"), WithGreetingTimeout(200*time.Millisecond))
	assertKind[*ConnectError](t, err, KindConnect)
	if !errors.Is(err, ErrNoGreeting) || !strings.Contains(err.Error(), "did not receive QMP greeting") {
		t.Fatalf("want the no-greeting cause, got %v", err)
	}
	// Well under the default, so an ignored option fails the test.
	if d := time.Since(start); d > DefaultGreetingTimeout/2 {
		t.Fatalf("gave up after %v: the 200 ms greeting timeout was not honoured (default %v)", d, DefaultGreetingTimeout)
	}
}

func TestConnectErrorWhenPeerClosesBeforeGreeting(t *testing.T) {
	conn, peer := newFakePair(t)
	peer.conn.Close()
	_, err := NewClient(ctxFor(t, 5*time.Second), conn, WithName("x"))
	assertKind[*ConnectError](t, err, KindConnect)
}

func TestCancelledContextInterruptsGreetingWait(t *testing.T) {
	conn, _ := newFakePair(t)
	ctx, cancel := context.WithCancel(context.Background())
	res := background(func() error {
		_, err := NewClient(ctx, conn, WithName("x"), WithGreetingTimeout(time.Hour))
		return err
	})
	cancel()
	assertKind[*ConnectError](t, recvWithin(t, res, "NewClient ignored cancellation"), KindConnect)
}

func TestCapabilitiesErrors(t *testing.T) {
	cases := map[string]func(p *fakePeer){
		"greeting is not JSON":     func(p *fakePeer) { p.send(`hello there`) },
		"greeting has wrong types": func(p *fakePeer) { p.send(`{"QMP": {"version": 7, "capabilities": []}}`) },
		"first message not a greeting": func(p *fakePeer) {
			p.send(`{"return": {}}`)
		},
		"qmp_capabilities refused": func(p *fakePeer) {
			p.send(greeting72)
			p.replyError(p.read(), "GenericError", "Capabilities negotiation is already complete, command ignored")
		},
		"qmp_capabilities reply malformed": func(p *fakePeer) {
			p.send(greeting72)
			p.reply(p.read(), `5`)
		},
		"qmp_capabilities reply garbled": func(p *fakePeer) {
			p.send(greeting72)
			p.read()
			p.send(`{"return": }`)
		},
	}
	for name, script := range cases {
		t.Run(name, func(t *testing.T) {
			conn, peer := newFakePair(t)
			go script(peer)
			_, err := NewClient(ctxFor(t, 5*time.Second), conn, WithName("caps.sock"))
			assertKind[*CapabilitiesError](t, err, KindCapabilities)
			var pe *ProtocolError
			if !errors.As(err, &pe) {
				t.Fatalf("a CapabilitiesError must also be a ProtocolError: %v", err)
			}
		})
	}
}

func TestNegotiationEnablesOOBWhenOffered(t *testing.T) {
	conn, peer := newFakePair(t)
	got := background(func() fakeRequest {
		peer.send(greeting72)
		req := peer.read()
		peer.reply(req, `{}`)
		return req
	})
	c, err := NewClient(ctxFor(t, 5*time.Second), conn, WithName("x"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	req := recvWithin(t, got, "the peer never got the oob capabilities request")
	if string(req.Arguments) != `{"enable":["oob"]}` || !c.OOB() {
		t.Fatalf("oob not enabled: args %s, OOB()=%v", req.Arguments, c.OOB())
	}
	if c.Version().String() != "7.2.22" || c.Capabilities()[0] != "oob" {
		t.Fatalf("greeting not exposed: %v %v", c.Version(), c.Capabilities())
	}
}

func TestResponseErrorKeepsClassVerbatim(t *testing.T) {
	for _, class := range []string{ClassGenericError, ClassCommandNotFound, ClassDeviceNotActive,
		ClassDeviceNotFound, ClassKVMMissingCap, "SomeFutureClass"} {
		t.Run(class, func(t *testing.T) {
			c, peer := connectFake(t)
			go func() { peer.replyError(peer.read(), class, "it went wrong") }()
			err := c.Execute(ctxFor(t, 5*time.Second), "query-status", nil, nil)
			re := assertKind[*ResponseError](t, err, KindResponse)
			if re.Class != class || re.Desc != "it went wrong" || re.Command != "query-status" {
				t.Fatalf("got %+v", re)
			}
			if _, cls, _ := Classify(err); cls != class || !IsClass(err, class) {
				t.Fatalf("Classify class = %q", cls)
			}
		})
	}
}

func TestTimeoutLeavesConnectionUsable(t *testing.T) {
	c, peer := connectFake(t)
	firstReq := make(chan fakeRequest, 1)
	go func() { firstReq <- peer.read() }()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := c.Execute(ctx, "query-status", nil, nil)
	assertKind[*TimeoutError](t, err, KindTimeout)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("timeout does not unwrap to DeadlineExceeded: %v", err)
	}
	first := recvWithin(t, firstReq, "the timed-out command never reached the peer")

	// The next command gets its own reply even though the late reply to the
	// first one arrives before it: that one is dropped, not misdelivered.
	lateReplyIsDropped(t, c, peer, first)
}

// malformedReplies carry our id (%s) but are no valid reply to
// query-status: each is a ProtocolError for that command alone.
var malformedReplies = map[string]string{
	"neither return nor error": `{"id": %s}`,
	"error without class":      `{"error": "boom", "id": %s}`,
	"both return and error":    `{"return": {}, "error": {"class": "GenericError", "desc": "x"}, "id": %s}`,
	"wrong type for the query": `{"return": [1, 2], "id": %s}`,
}

func TestProtocolErrorsOnAReply(t *testing.T) {
	for name, tmpl := range malformedReplies {
		for _, ids := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/ids=%v", name, ids), func(t *testing.T) {
				testProtocolErrorOnAReply(t, tmpl, ids)
			})
		}
	}
}

// testProtocolErrorOnAReply answers a command with tmpl, its id filled in
// (ids) or dropped (the command went bare).
func testProtocolErrorOnAReply(t *testing.T, tmpl string, ids bool) {
	c, peer := connectFake(t, func(o *options) { o.alwaysIDs = ids })
	go func() {
		req := peer.read()
		peer.send(withID(tmpl, req))
	}()
	_, err := c.QueryStatus(ctxFor(t, 5*time.Second))
	assertKind[*ProtocolError](t, err, KindProtocol)
	if !ids && withID(tmpl, fakeRequest{}) == "{}" {
		// Without its id, nothing says this is a reply: the
		// stream cannot be trusted.
		recvWithin(t, c.Done(), "the client did not close after an unattributable message")
		return
	}
	// The stream itself was fine: the connection lives on.
	go func() { peer.reply(peer.read(), `{"status": "running", "running": true}`) }()
	if _, err := c.QueryStatus(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatalf("connection unusable after a malformed reply: %v", err)
	}
}

func TestProtocolErrorsThatEndTheConnection(t *testing.T) {
	cases := map[string]string{
		"not JSON":                 `this is not json`,
		"garbled object":           `{"return": }`,
		"unexpected empty message": `{}`,
		"unknown message kind":     `{"hello": 1}`,
		"array at top level":       `[1, 2, 3]`,
		// Braces that never balance: a brace counter would wait for more
		// bytes until the command timed out; the JSON scanner knows at the
		// second '{' that no JSON continues so.
		"never balances": `{{{ not json`,
		"bad literal":    `{"return": {"running": tru3`,
	}
	for name, line := range cases {
		t.Run(name, func(t *testing.T) {
			c, peer := connectFake(t)
			go func() { peer.read(); peer.send(line) }()
			_, err := c.QueryStatus(ctxFor(t, 5*time.Second))
			assertKind[*ProtocolError](t, err, KindProtocol)
			recvWithin(t, c.Done(), "the client did not close after a protocol error")
			assertKind[*ProtocolError](t, c.Err(), KindProtocol)
		})
	}
}

func TestOversizedMessageIsAProtocolErrorWithoutUnboundedBuffering(t *testing.T) {
	const limit = 64 << 10
	c, peer := connectFake(t, WithMaxMessageSize(limit))
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		peer.read()
		// An endless string: a client that buffers until the message ends
		// would never return and grow without bound.
		_, _ = peer.conn.Write([]byte(`{"return": "`))
		chunk := []byte(strings.Repeat("x", 4096))
		for {
			select {
			case <-stop:
				return
			default:
			}
			_ = peer.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
			if _, err := peer.conn.Write(chunk); err != nil {
				return
			}
		}
	}()
	_, err := c.QueryStatus(ctxFor(t, 10*time.Second))
	pe := assertKind[*ProtocolError](t, err, KindProtocol)
	if !errors.Is(err, errTooLarge) || len(pe.Raw) > 256 {
		t.Fatalf("want a size-limit error with a clipped excerpt, got %v (raw %d bytes)", err, len(pe.Raw))
	}
}

func TestDisconnectReleasesEveryCallerWithConnectError(t *testing.T) {
	c, peer := connectFake(t)
	const n = 5
	results := make(chan error, n)
	for i := 0; i < n; i++ {
		go func() { results <- c.Execute(context.Background(), "query-status", nil, nil) }()
	}
	for i := 0; i < n; i++ {
		peer.read()
	}
	peer.conn.Close()
	for i := 0; i < n; i++ {
		assertKind[*ConnectError](t, recvWithin(t, results, "a caller was not released by the disconnect"), KindConnect)
	}
	// And later calls fail at once too.
	err := c.Execute(context.Background(), "query-status", nil, nil)
	assertKind[*ConnectError](t, err, KindConnect)
}

func TestCloseWhileCommandsInFlight(t *testing.T) {
	// The first caller reads the socket itself, the second waits for its
	// reply to be handed over (reader.go): Close releases both.
	c, peer := connectFake(t, withIdleHandover(time.Hour))
	var res []<-chan error
	for range 2 {
		res = append(res, background(func() error { return c.Execute(context.Background(), "query-status", nil, nil) }))
		peer.read()
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil { // idempotent
		t.Fatal(err)
	}
	for i, r := range res {
		err := recvWithin(t, r, fmt.Sprintf("Close did not release caller %d", i))
		assertKind[*ConnectError](t, err, KindConnect)
		if !errors.Is(err, ErrDisconnected) {
			t.Fatalf("caller %d: cause lost: %v", i, err)
		}
	}
}

func TestCommandWithoutDeadlineGetsTheDefaultTimeout(t *testing.T) {
	c, peer := connectFake(t, WithCommandTimeout(100*time.Millisecond))
	go peer.read() // the command arrives; no answer ever comes
	res := background(func() error { return c.Execute(context.Background(), "query-status", nil, nil) })
	assertKind[*TimeoutError](t, recvWithin(t, res, "a command without a deadline waited past the default timeout"), KindTimeout)
}

func TestExpiredContextSendsNothingAndKeepsTheConnection(t *testing.T) {
	c, peer := connectFake(t)
	expired, cancel := context.WithTimeout(context.Background(), -time.Second)
	defer cancel()
	for i := 0; i < 50; i++ {
		err := c.Execute(expired, "query-status", nil, nil)
		assertKind[*TimeoutError](t, err, KindTimeout)
	}
	if c.Pending() != 0 {
		t.Fatalf("%d commands pending after expired contexts", c.Pending())
	}
	// The first request the peer sees is the live one: nothing was sent
	// for the expired ones, and the connection is fine.
	got := background(func() fakeRequest {
		req := peer.read()
		peer.reply(req, `{"status": "running", "running": true}`)
		return req
	})
	if _, err := c.QueryStatus(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if req := recvWithin(t, got, "the live command never reached the peer"); len(req.ID) != 0 {
		// Sent bare: no command before it was owed an answer.
		t.Fatalf("first request on the wire has id %s, want none", req.ID)
	}
}

func TestNextAfterCloseSaysTheSubscriptionClosed(t *testing.T) {
	c, _ := connectFake(t)
	sub := c.Subscribe(1)
	sub.Close()
	_, err := sub.Next(ctxFor(t, time.Second))
	if !errors.Is(err, ErrSubscriptionClosed) {
		t.Fatalf("got %v", err)
	}
	if c.Err() != nil {
		t.Fatalf("closing a subscription closed the connection: %v", c.Err())
	}
}
