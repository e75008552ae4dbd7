package qmp

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// A scripted fake QMP server for the faults QEMU itself won't produce. Its
// normal lines are copied from ../shared/qemu-7.2/session.jsonl.

const greeting72 = `{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": "Debian 1:7.2+dfsg-7+deb12u18+b3"}, "capabilities": ["oob"]}}`

// fakePeer is the server end of one connection.
type fakePeer struct {
	t    testing.TB
	conn net.Conn
	r    *bufio.Reader
}

type fakeRequest struct {
	Execute   string          `json:"execute"`
	Arguments json.RawMessage `json:"arguments"`
	ID        json.RawMessage `json:"id"`
}

// newFakePair returns a client-side conn and the scripted peer on the
// other end of a unix socketpair (buffered like a real socket).
func newFakePair(t testing.TB) (net.Conn, *fakePeer) {
	t.Helper()
	dir := t.TempDir()
	ln, err := net.Listen("unix", dir+"/s")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			accepted <- nil
			return
		}
		accepted <- c
	}()
	client, err := net.Dial("unix", dir+"/s")
	if err != nil {
		t.Fatal(err)
	}
	server := recvWithin(t, accepted, "the fake server did not accept the client's connection")
	if server == nil {
		t.Fatal("accept failed")
	}
	p := &fakePeer{t: t, conn: server, r: bufio.NewReader(server)}
	t.Cleanup(func() { server.Close(); client.Close() })
	return client, p
}

func (p *fakePeer) send(line string) {
	p.t.Helper()
	if _, err := p.conn.Write([]byte(line + "\r\n")); err != nil {
		p.t.Errorf("fake send: %v", err)
	}
}

// read returns the next request the client sent.
func (p *fakePeer) read() fakeRequest {
	p.t.Helper()
	_ = p.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	line, err := p.r.ReadBytes('\n')
	if err != nil {
		p.t.Errorf("fake read: %v", err)
		return fakeRequest{}
	}
	var req fakeRequest
	if err := json.Unmarshal(line, &req); err != nil {
		p.t.Errorf("fake: client sent invalid JSON %q: %v", line, err)
	}
	return req
}

// negotiate plays QEMU's side of the handshake.
func (p *fakePeer) negotiate() {
	p.t.Helper()
	p.send(greeting72)
	req := p.read()
	if req.Execute != "qmp_capabilities" {
		p.t.Errorf("first command %q, want qmp_capabilities", req.Execute)
	}
	p.reply(req, `{}`)
}

// reply answers req as QEMU does: with its id, or with none when req had
// none (a bare command, bare.go).
func (p *fakePeer) reply(req fakeRequest, ret string) {
	p.send(withID(fmt.Sprintf(`{"return": %s, "id": %%s}`, ret), req))
}

func (p *fakePeer) replyError(req fakeRequest, class, desc string) {
	p.send(withID(fmt.Sprintf(`{"error": {"class": %q, "desc": %q}, "id": %%s}`, class, desc), req))
}

// withID fills the `"id": %s` member of tmpl with req's id, or drops the
// member when req had none, as QEMU does.
func withID(tmpl string, req fakeRequest) string {
	if len(req.ID) == 0 {
		tmpl = strings.Replace(tmpl, `, "id": %s`, "", 1)
		tmpl = strings.Replace(tmpl, `"id": %s, `, "", 1)
		return strings.Replace(tmpl, `"id": %s`, "", 1)
	}
	return strings.ReplaceAll(tmpl, "%s", string(req.ID))
}

// connectFake returns a negotiated client over a fake peer. The peer's
// handshake runs in the background while NewClient waits for it.
func connectFake(t testing.TB, opts ...Option) (*Client, *fakePeer) {
	t.Helper()
	conn, peer := newFakePair(t)
	done := make(chan struct{})
	go func() { defer close(done); peer.negotiate() }()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := NewClient(ctx, conn, append([]Option{WithName("fake.sock")}, opts...)...)
	recvWithin(t, done, "the fake peer's handshake did not finish")
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c, peer
}

// background runs f on its own goroutine and returns a channel with its result.
func background[T any](f func() T) <-chan T {
	ch := make(chan T, 1)
	go func() { ch <- f() }()
	return ch
}

// recvWithin returns what ch delivers, failing the test with what when
// nothing comes within 10 s.
func recvWithin[T any](t testing.TB, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("nothing within 10 s: %s", what)
	}
	panic("unreachable")
}

// waitGroupWithin waits for wg, failing the test with what after 10 s.
func waitGroupWithin(t testing.TB, wg *sync.WaitGroup, what string) {
	t.Helper()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	recvWithin(t, done, what)
}

// statusIn runs QueryStatus in the background. Its error also says so when
// the reply is not the status want ("" takes any): a reply that went to
// the wrong caller.
func statusIn(t testing.TB, c *Client, want string) <-chan error {
	return background(func() error {
		st, err := c.QueryStatus(ctxFor(t, 10*time.Second))
		if err == nil && want != "" && st.Status != want {
			err = fmt.Errorf("got the wrong reply: %+v, want status %q", st, want)
		}
		return err
	})
}

func ctxFor(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
