package qmp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"testing"
	"time"
)

// A scripted fake agent for faults a real qemu-ga won't produce.

type fakeAgent struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

func newFakeAgent(t *testing.T) (*Agent, *fakeAgent) {
	client, peer := newFakePair(t) // a unix socket: buffered, as a real one
	return NewAgent(client, WithName("fake.qga"), WithCommandTimeout(time.Second)),
		&fakeAgent{t: t, conn: peer.conn, r: peer.r}
}

// readSync reads 0xFF and the guest-sync-delimited request; its id.
func (p *fakeAgent) readSync() uint64 {
	if b, err := p.r.ReadByte(); err != nil || b != 0xFF {
		p.t.Errorf("sync: want 0xFF first, got %x, %v", b, err)
	}
	var req struct {
		Execute   string
		Arguments struct{ ID uint64 }
	}
	p.readInto(&req)
	if req.Execute != "guest-sync-delimited" || req.Arguments.ID == 0 {
		p.t.Errorf("sync request %+v", req)
	}
	return req.Arguments.ID
}

func (p *fakeAgent) readInto(v any) {
	line, err := p.r.ReadBytes('\n')
	if err != nil {
		p.t.Errorf("fake agent read: %v", err)
		return
	}
	if err := json.Unmarshal(line, v); err != nil {
		p.t.Errorf("fake agent: %q: %v", line, err)
	}
}

func (p *fakeAgent) readCommand() string {
	var req struct{ Execute string }
	p.readInto(&req)
	return req.Execute
}

func (p *fakeAgent) send(s string) {
	if _, err := p.conn.Write([]byte(s)); err != nil {
		p.t.Errorf("fake agent write: %v", err)
	}
}

func syncReply(id uint64) string {
	b, _ := json.Marshal(map[string]uint64{"return": id})
	return "\xff" + string(b) + "\n"
}

func run(f func()) <-chan struct{} {
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	return done
}

// Garbage, a stray 0xFF, the parse error a real agent sends and a stale
// sync reply with another id all come before ours: all skipped.
func TestAgentSyncSkipsGarbageAndWrongIDs(t *testing.T) {
	a, p := newFakeAgent(t)
	done := run(func() {
		id := p.readSync()
		p.send("garbage \x00\x01 {\"return\": {}}\n\xff not json at all\n")
		p.send(`{"error": {"class": "GenericError", "desc": "JSON parse error, stray '\uFFFD'"}}` + "\n")
		p.send(syncReply(id+1) + `{"return": {"host-name": "stale"}}` + "\n")
		p.send("\xff{\"return\": \"" + string(bytes.Repeat([]byte("x"), 100)) + "\"}\n")
		p.send(syncReply(id))
		if c := p.readCommand(); c != "guest-get-host-name" {
			t.Errorf("command %q", c)
		}
		p.send(`{"return": {"host-name": "fresh"}}` + "\n")
	})
	got, err := a.HostName(context.Background())
	if err != nil || got != "fresh" {
		t.Fatalf("host name %q, %v", got, err)
	}
	<-done
}

// Replies nobody read, and a half reply, already queued on the socket when
// the first call syncs: discarded, the call gets its own answer. (A unix
// socket write returns once the bytes are in the reader's queue, so they
// are there before the call starts.)
func TestAgentSyncDiscardsBytesQueuedBeforeIt(t *testing.T) {
	a, p := newFakeAgent(t)
	p.send(`{"return": {"host-name": "stale"}}` + "\n" + `{"return": {"version": "9"}}` + "\n" + `{"return": {"host-na`)
	done := run(func() {
		id := p.readSync()
		p.send(syncReply(id))
		if c := p.readCommand(); c != "guest-get-host-name" {
			t.Errorf("command %q", c)
		}
		p.send(`{"return": {"host-name": "fresh"}}` + "\n")
	})
	got, err := a.HostName(context.Background())
	if err != nil || got != "fresh" {
		t.Fatalf("host name %q, %v; want fresh", got, err)
	}
	<-done
}

// A silent peer (a guest with no agent running) is a timeout within the
// deadline, and the next call synchronises again.
func TestAgentSilentPeerTimesOut(t *testing.T) {
	a, p := newFakeAgent(t)
	go func() { _, _ = p.r.ReadBytes('\n') }() // read the sync, never answer
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := a.Ping(ctx)
	var te *TimeoutError
	if !errors.As(err, &te) {
		t.Fatalf("ping a silent agent: %v, want a TimeoutError", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %v", d)
	}
	// Without a context deadline, the command timeout (1 s here) bounds it.
	start = time.Now()
	if err := a.Ping(context.Background()); !errors.As(err, &te) || time.Since(start) > 3*time.Second {
		t.Fatalf("second ping: %v after %v", err, time.Since(start))
	}
}

// Only wrong sync ids: a timeout, not a wrong answer.
func TestAgentWrongSyncIDTimesOut(t *testing.T) {
	a, p := newFakeAgent(t)
	go func() {
		id := p.readSync()
		p.send(syncReply(id + 7))
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	var te *TimeoutError
	if err := a.Sync(ctx); !errors.As(err, &te) {
		t.Fatalf("sync with a wrong id: %v", err)
	}
}

// A timed-out command's late reply is not taken for the next one's.
func TestAgentLateReplyAfterTimeout(t *testing.T) {
	a, p := newFakeAgent(t)
	firstDone := make(chan struct{})
	done := run(func() {
		p.send(syncReply(p.readSync()))
		p.readCommand()
		<-firstDone // answered only after the caller gave up
		p.send(`{"return": {"host-name": "late"}}` + "\n")
		p.send(syncReply(p.readSync()))
		p.readCommand()
		p.send(`{"return": {"host-name": "right"}}` + "\n")
	})
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	_, err := a.HostName(ctx)
	cancel()
	close(firstDone)
	var te *TimeoutError
	if !errors.As(err, &te) {
		t.Fatalf("first: %v", err)
	}
	if got, err := a.HostName(context.Background()); err != nil || got != "right" {
		t.Fatalf("second: %q, %v", got, err)
	}
	<-done
}

// guest-shutdown never replies on success: silence and EOF are success,
// an error reply is the error.
func TestAgentShutdownNoReply(t *testing.T) {
	for _, tc := range []struct {
		name  string
		after func(p *fakeAgent)
		ok    bool
	}{
		{"silence", func(p *fakeAgent) {}, true},
		{"eof", func(p *fakeAgent) { p.conn.Close() }, true},
		{"refused", func(p *fakeAgent) {
			p.send(`{"error": {"class": "CommandNotFound", "desc": "Command guest-shutdown has been disabled"}}` + "\n")
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, p := newFakeAgent(t)
			go func() {
				p.send(syncReply(p.readSync()))
				if c := p.readCommand(); c != "guest-shutdown" {
					t.Errorf("command %q", c)
				}
				tc.after(p)
			}()
			err := a.Shutdown(context.Background(), ShutdownReboot)
			if tc.ok && err != nil {
				t.Fatalf("shutdown: %v", err)
			}
			if !tc.ok && !IsUnsupported(err) {
				t.Fatalf("shutdown: %v, want CommandNotFound", err)
			}
		})
	}
}
