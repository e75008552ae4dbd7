package qmp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemutest"
)

// What bare commands (bare.go) rely on, checked against real QEMU 7.2: it
// answers in-band commands without ids in order, with oob negotiated too;
// and singleAnswer tells apart the requests it answers once from those it
// answers more than once.

// rawMonitor is a hand-driven monitor connection, oob negotiated.
type rawMonitor struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

func dialRaw(t *testing.T, vm *qemutest.VM) *rawMonitor {
	t.Helper()
	conn, err := net.Dial("unix", vm.Socket)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	m := &rawMonitor{t: t, conn: conn, r: bufio.NewReader(conn)}
	if g := m.line(); !strings.HasPrefix(g, `{"QMP"`) {
		t.Fatalf("greeting %q", g)
	}
	m.write(`{"execute":"qmp_capabilities","arguments":{"enable":["oob"]}}` + "\n")
	if r := m.line(); r != `{"return": {}}` {
		t.Fatalf("qmp_capabilities: %q", r)
	}
	return m
}

func (m *rawMonitor) write(s string) {
	m.t.Helper()
	if _, err := m.conn.Write([]byte(s)); err != nil {
		m.t.Fatal(err)
	}
}

// line is the next message, without its line end.
func (m *rawMonitor) line() string {
	m.t.Helper()
	_ = m.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	l, err := m.r.ReadString('\n')
	if err != nil {
		m.t.Fatalf("read: %v (after %q)", err, l)
	}
	return strings.TrimRight(l, "\r\n")
}

// answers sends req (one request line), then query-name as a marker, and
// returns the messages QEMU sent before the marker's reply.
func (m *rawMonitor) answers(req []byte, name string) []string {
	m.t.Helper()
	m.write(string(req) + "\n" + `{"execute":"query-name"}` + "\n")
	marker := `{"return": {"name": "` + name + `"}}`
	var got []string
	for {
		l := m.line()
		if l == marker {
			return got
		}
		got = append(got, l)
	}
}

func TestQEMUAnswersBareInBandCommandsInOrder(t *testing.T) {
	vm := qemutest.Start(t, qemutest.Options{Name: "order", Paused: true})
	m := dialRaw(t, vm)
	// Eight in-band commands without ids, written at once, with an
	// out-of-band one (which carries its id, and may overtake) among them.
	m.write(`{"execute":"query-name"}` + "\n" +
		`{"execute":"query-status"}` + "\n" +
		`{"exec-oob":"migrate-pause","id":"oob"}` + "\n" +
		`{"execute":"query-kvm"}` + "\n" +
		`{"execute":"query-name"}` + "\n" +
		`{"execute":"nonexistent"}` + "\n" +
		`{"execute":"query-status"}` + "\n" +
		`{"execute":"query-kvm"}` + "\n" +
		`{"execute":"query-name"}` + "\n")
	want := []string{`"name"`, `"status"`, `"enabled"`, `"name"`, `CommandNotFound`, `"status"`, `"enabled"`, `"name"`}
	var inBand []string
	sawOOB := false
	for len(inBand) < len(want) {
		l := m.line()
		switch {
		case strings.Contains(l, `"id": "oob"`):
			sawOOB = true
		case strings.HasPrefix(l, `{"event"`) || strings.Contains(l, `"event":`):
		default:
			if strings.Contains(l, `"id"`) {
				t.Fatalf("an in-band reply with an id: %q", l)
			}
			inBand = append(inBand, l)
		}
	}
	for i, w := range want {
		if !strings.Contains(inBand[i], w) {
			t.Fatalf("reply %d is %q, want one with %s (replies out of order)", i, inBand[i], w)
		}
	}
	if !sawOOB {
		if l := m.line(); !strings.Contains(l, `"id": "oob"`) {
			t.Fatalf("no reply to the oob command: %q", l)
		}
	}
}

// Requests singleAnswer accepts get exactly one answer from QEMU; some it
// refuses get several (which is why it refuses them).
func TestQEMUAnswersExactlyTheRequestsSingleAnswerAccepts(t *testing.T) {
	vm := qemutest.Start(t, qemutest.Options{Name: "single", Paused: true})
	m := dialRaw(t, vm)
	deep := func(d int) string { return strings.Repeat("[", d) + strings.Repeat("]", d) }
	for _, tc := range []struct {
		name, args string
		single     bool
	}{
		{"plain", ``, true},
		{"arguments", `{"a":1}`, true},
		{"escapes the parser rejects", `{"a":"\u0000","b":"\ud800","c":"\uffff"}`, true},
		{"UTF-8", `{"a":"é€𝄞"}`, true},
		{"duplicate keys", `{"a":1,"a":2}`, true},
		{"nesting within the limit", `{"a":` + deep(bareMaxDepth-1) + `}`, true},
		{"byte 0xFF", "{\"a\":\"\xff\"}", false},
		{"truncated UTF-8", "{\"a\":\"\xc3\"}", false}, // one answer, but refused
		{"nesting past QEMU's limit", `{"a":` + deep(1100) + `}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !json.Valid([]byte(tc.args)) && tc.args != "" && tc.single {
				t.Fatal("test case is not valid JSON")
			}
			if got := singleAnswer("query-status", json.RawMessage(tc.args)); got != tc.single {
				t.Fatalf("singleAnswer = %v, want %v", got, tc.single)
			}
			req := appendRequest(nil, "query-status", 0, json.RawMessage(tc.args))
			got := m.answers(bytes.TrimSuffix(req, []byte("\n")), vm.Name)
			if tc.single && len(got) != 1 {
				t.Fatalf("%d answers to a request singleAnswer accepts: %q", len(got), got)
			}
			if !tc.single && len(got) < 1 {
				t.Fatalf("no answer: %q", got)
			}
			t.Logf("%d answer(s), first %.120s", len(got), got[0])
		})
	}
	// And the ones refused that QEMU answers more than once.
	for _, args := range []string{"{\"a\":\"\xff\"}", `{"a":` + deep(1100) + `}`} {
		req := appendRequest(nil, "query-status", 0, json.RawMessage(args))
		if got := m.answers(bytes.TrimSuffix(req, []byte("\n")), vm.Name); len(got) < 2 {
			t.Fatalf("%.40q: %d answers, expected QEMU to answer it more than once", args, len(got))
		}
	}
}

// A bare command that times out against a QEMU that is stopped: the next
// command carries an id, the late answer is dropped when QEMU resumes, and
// every caller gets its own reply.
func TestQEMUABareCommandThatTimedOut(t *testing.T) {
	vm := qemutest.Start(t, qemutest.Options{Name: "late", Paused: true})
	c, err := Dial(ctxFor(t, 10*time.Second), vm.Socket, withIdleHandover(time.Hour), WithCommandTimeout(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := c.QueryStatus(ctxFor(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := vm.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	resumed := false
	t.Cleanup(func() {
		if !resumed {
			_ = vm.Signal(syscall.SIGCONT)
		}
	})
	_, err = c.QueryStatus(context.Background()) // the command timeout runs from the send
	assertKind[*TimeoutError](t, err, KindTimeout)
	c.mu.Lock()
	owed, ids := c.bareOwed, c.nextID
	c.mu.Unlock()
	if !owed {
		t.Fatal("the command that timed out was not bare, or is not owed")
	}
	name := background(func() error {
		n, err := c.QueryName(ctxFor(t, 10*time.Second))
		if err == nil && n != vm.Name {
			t.Errorf("QueryName = %q, want %q: a reply went to the wrong caller", n, vm.Name)
		}
		return err
	})
	waitPending(t, c, 2)
	c.mu.Lock()
	sentWithID := c.nextID == ids+1
	c.mu.Unlock()
	if !sentWithID {
		t.Fatal("the command after a timed-out bare one went without an id")
	}
	resumed = true
	if err := vm.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	if err := recvWithin(t, name, "the command after the timeout"); err != nil {
		t.Fatal(err)
	}
	waitPending(t, c, 0)
	st, err := c.QueryStatus(ctxFor(t, 10*time.Second))
	if err != nil || st.Status != "prelaunch" {
		t.Fatalf("QueryStatus after: %+v, %v", st, err)
	}
	c.mu.Lock()
	bareAgain := c.nextID == ids+1
	c.mu.Unlock()
	if !bareAgain {
		t.Fatal("once everything was answered, the next command was not bare")
	}
}

// Reconnecting after a bare command was cut off: QEMU does not hand the
// old connection's answer to the new one, so a new client starts with
// nothing owed.
func TestQEMUReconnectAfterABareCommandWasCutOff(t *testing.T) {
	vm := qemutest.Start(t, qemutest.Options{Name: "again", Paused: true})
	for round := range 3 {
		a, err := Dial(ctxFor(t, 10*time.Second), vm.Socket, WithCommandTimeout(100*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		if err := vm.Signal(syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		_, err = a.QueryStatus(context.Background())
		assertKind[*TimeoutError](t, err, KindTimeout)
		a.Close()
		b := background(func() error {
			c, err := Dial(ctxFor(t, 10*time.Second), vm.Socket)
			if err != nil {
				return err
			}
			defer c.Close()
			for range 3 {
				n, err := c.QueryName(ctxFor(t, 10*time.Second))
				if err != nil {
					return err
				}
				if n != vm.Name {
					t.Errorf("round %d: QueryName = %q on a new connection", round, n)
				}
			}
			return nil
		})
		if err := vm.Signal(syscall.SIGCONT); err != nil {
			t.Fatal(err)
		}
		if err := recvWithin(t, b, "the new connection"); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
	}
}
