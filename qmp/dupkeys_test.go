package qmp

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
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
