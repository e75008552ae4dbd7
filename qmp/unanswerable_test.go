package qmp

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemutest"
)

func TestRepeatedKeyFindsARepeatAtAnyDepth(t *testing.T) {
	for doc, want := range map[string]string{
		`{"a":1,"a":2}`:                         "a",
		`{"a":{"b":[1,{"c":1,"c":2}]}}`:         "c",
		`{"a":{"x":1},"b":{"x":1},"a":3}`:       "a",
		`{"a":[{"k":1},{"k":2}],"b":"a"}`:       "",
		`{"a":{"b":1},"b":{"a":1}}`:             "",
		`{"device":"d","options":{"device":1}}`: "",
		`{}`:                                    "",
	} {
		got, ok := repeatedKey([]byte(doc))
		if ok != (want != "") || got != want {
			t.Errorf("repeatedKey(%s) = %q, %v; want %q", doc, got, ok, want)
		}
	}
}

// QEMU answers a request with a repeated key without its id: sent, the
// caller would wait out its timeout and its slot would stay owed. It is
// refused before anything is written, and the next command is answered.
func TestArgumentsWithARepeatedKeyAreNotSent(t *testing.T) {
	c, peer := connectFake(t)
	_, err := c.ExecuteRaw(ctxFor(t, 10*time.Second), "human-monitor-command",
		json.RawMessage(`{"command-line":"info status","command-line":"quit"}`))
	var pe *ProtocolError
	if !errors.As(err, &pe) {
		t.Fatalf("got %v, want a ProtocolError", err)
	}
	res := background(func() error {
		_, err := c.QueryStatus(ctxFor(t, 10*time.Second))
		return err
	})
	req := peer.read()
	if req.Execute != "query-status" {
		t.Fatalf("the refused command reached the peer: first request %q", req.Execute)
	}
	peer.reply(req, `{"status": "running", "running": true}`)
	if err := recvWithin(t, res, "query-status after the refusal"); err != nil {
		t.Fatal(err)
	}
}

// unanswerable refuses exactly the requests real QEMU answers without
// their id: each request here is sent with id 7, and every answer QEMU
// gives is checked for it.
func TestQEMUAnswersWithoutTheIDExactlyWhatUnanswerableRefuses(t *testing.T) {
	vm := qemutest.Start(t, qemutest.Options{Name: "unans", Paused: true})
	m := dialRaw(t, vm)
	deep := func(d int) string { return strings.Repeat("[", d) + strings.Repeat("]", d) }
	for _, tc := range []struct{ name, args string }{
		{"no arguments", ``},
		{"plain", `{"a":1}`},
		{"NUL escape", `{"a":"\u0000"}`},
		{"a surrogate pair", `{"a":"\ud83d\ude00"}`},
		{"a lone high surrogate", `{"a":"\ud800"}`},
		{"a lone low surrogate", `{"a":"x\udc00"}`},
		{"a high surrogate before a non-surrogate", `{"a":"\ud800\u0041"}`},
		{"a repeated key", `{"a":1,"b":{"c":1},"a":2}`},
		{"a repeated nested key", `{"a":{"c":1,"c":2}}`},
		{"truncated UTF-8", "{\"a\":\"\xc3\"}"},
		{"byte 0xFF", "{\"a\":\"\xff\"}"},
		{"nesting within the limit", `{"a":` + deep(bareMaxDepth-1) + `}`},
		// Nesting past QEMU's limit draws over a thousand answers and is
		// refused (TestQEMUAnswersExactlyTheRequestsSingleAnswerAccepts).
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := appendRequest(nil, "query-status", 7, json.RawMessage(tc.args))
			got := m.answers(bytes.TrimSuffix(req, []byte("\n")), vm.Name)
			withID := len(got) == 1 && strings.Contains(got[0], `"id": 7`)
			why := unanswerable("query-status", []byte(tc.args))
			if withID == (why != "") {
				t.Fatalf("QEMU answered with the id: %v; unanswerable says %q; answers %.200q", withID, why, got)
			}
		})
	}
}

// A request QEMU would answer without its id is refused before sending, so
// the client owes nothing afterwards and the next command is answered.
func TestQEMUAnUnanswerableRequestLeavesNothingOwed(t *testing.T) {
	vm := qemutest.Start(t, qemutest.Options{Name: "owed", Paused: true})
	c, err := Dial(ctxFor(t, 10*time.Second), vm.Socket)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	for _, args := range []string{"{\"a\":\"\xc3\"}", `{"a":"\ud800"}`, `{"a":1,"a":2}`} {
		_, err := c.ExecuteRaw(ctxFor(t, 10*time.Second), "query-status", json.RawMessage(args))
		assertKind[*ProtocolError](t, err, KindProtocol)
	}
	if n := c.Pending(); n != 0 {
		t.Fatalf("%d replies owed after refusals", n)
	}
	if _, err := c.QueryStatus(ctxFor(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
}
