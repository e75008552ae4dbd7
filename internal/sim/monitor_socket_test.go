package sim

// The monitor as a socket QEMU serves one client at a time: who waits,
// who is dropped, and what quit and Close end.

import (
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

func TestQuitClosesAndStopsServing(t *testing.T) {
	v, path := listening(t, Options{Name: "q"})
	c := dialClient(t, path)
	c.read() // greeting
	waiting := dialClient(t, path)
	c.negotiate()
	events := c.ok("quit", nil, nil)
	if eventNames(events) != "SHUTDOWN" || string(events[0]["data"]) != `{"guest": false, "reason": "host-qmp-quit"}` {
		t.Fatalf("quit events %v", events)
	}
	_ = c.nc.SetReadDeadline(time.Now().Add(ioTimeout))
	if _, err := c.r.ReadByte(); !errors.Is(err, io.EOF) {
		t.Fatalf("after quit: %v, want EOF", err)
	}
	select {
	case <-v.Done():
	case <-time.After(ioTimeout):
		t.Fatal("VM not done after quit")
	}
	// The queued client is dropped without a greeting, and nobody can
	// connect any more: the "process" is gone.
	_ = waiting.nc.SetReadDeadline(time.Now().Add(ioTimeout))
	if b, err := waiting.r.ReadBytes('\n'); err == nil || len(b) != 0 {
		t.Fatalf("waiting client got %q, %v", b, err)
	}
	if nc, err := net.Dial("unix", path); err == nil {
		nc.Close()
		t.Fatal("socket still accepting after quit")
	}
}

func TestSecondClientWaitsForFirst(t *testing.T) {
	v, path := listening(t, Options{Name: "one-at-a-time"})
	first := dialClient(t, path)
	first.read()
	first.negotiate()
	second := dialClient(t, path)
	// Queue a command on the second connection while it waits.
	second.send(`{"execute": "qmp_capabilities", "id": "early"}`)

	// Wait (by condition, not by sleeping) until the VM has accepted the
	// second connection and parked it.
	waitFor(t, "the second connection parked", func() bool {
		v.mu.Lock()
		defer v.mu.Unlock()
		return len(v.waiting) == 1
	})
	// A full round trip on the first client proves the VM is live and still
	// serving it; the second is still parked, so it has had no greeting
	// (the greeting is only queued after leaving the waiting set).
	first.ok("query-status", nil, nil)
	v.mu.Lock()
	parked := len(v.waiting) == 1
	v.mu.Unlock()
	if !parked {
		t.Fatal("second client left the queue while the first was connected")
	}
	if n := pendingBytes(t, second.nc); n != 0 {
		t.Fatalf("second client received %d bytes while the first was connected", n)
	}

	first.nc.Close()
	g := second.read()
	if _, ok := g["QMP"]; !ok {
		t.Fatalf("second client's first message is not a greeting: %v", g)
	}
	_, reply := second.untilReply()
	assertID(t, reply, `"early"`)
	if string(reply["return"]) != "{}" {
		t.Fatalf("queued negotiation: %v", reply)
	}
	var name nameInfo
	second.ok("query-name", nil, &name)
	if name.Name != "one-at-a-time" {
		t.Fatalf("query-name %+v", name)
	}
}

// waitFor looks every millisecond until cond holds, failing after
// ioTimeout naming what it waited for.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(ioTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", ioTimeout, what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestClientThatStopsReadingIsDropped(t *testing.T) {
	v := New(Options{Name: "slow"})
	defer v.Close()
	c := pipeClient(t, v)
	c.negotiate()
	// From now on the client only writes. Each schema reply is ~200 KB, so
	// the bounded queue overflows after a few dozen and the VM hangs up.
	var err error
	for i := 0; i < 10000 && err == nil; i++ {
		_, err = c.nc.Write([]byte(`{"execute": "query-qmp-schema"}` + "\n"))
	}
	if err == nil {
		t.Fatal("server never dropped a client that does not read")
	}
	// The VM is unaffected: the next client is served at once.
	next := pipeClient(t, v)
	next.negotiate()
	next.ok("query-status", nil, nil)
}

func TestCloseUnblocksEverything(t *testing.T) {
	v, path := listening(t, Options{ResetEvery: time.Second})
	a := dialClient(t, path)
	a.read()
	b := dialClient(t, path) // parked
	waitFor(t, "the second connection parked", func() bool {
		v.mu.Lock()
		defer v.mu.Unlock()
		return len(v.waiting) == 1
	})
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*client{a, b} {
		_ = c.nc.SetReadDeadline(time.Now().Add(ioTimeout))
		if _, err := c.r.ReadBytes('\n'); err == nil {
			t.Fatal("connection still open after Close")
		}
	}
	if err := v.ListenUnix(path); err == nil {
		t.Fatal("ListenUnix after Close succeeded")
	}
	// ServeConn on a closed VM returns at once.
	srv, cli := net.Pipe()
	defer cli.Close()
	v.ServeConn(srv)
	// goleak in TestMain checks nothing was left running.
}
