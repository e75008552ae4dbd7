package sim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net"
	"strings"
	"testing"
	"time"
)

func TestGreetingShape(t *testing.T) {
	v := New(Options{Name: "g1"})
	defer v.Close()
	srv, cli := net.Pipe()
	defer cli.Close()
	go v.ServeConn(srv)
	c := &client{t: t, nc: cli, r: bufio.NewReader(cli)}
	line := c.readLine()
	want := `{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": "qmpdash-sim (g1)"}, "capabilities": ["oob"]}}` + "\r\n"
	if string(line) != want {
		t.Fatalf("greeting\n got %q\nwant %q", line, want)
	}
}

func TestCommandsRefusedBeforeNegotiation(t *testing.T) {
	v := New(Options{})
	defer v.Close()
	c := pipeClient(t, v)
	const expecting = "Expecting capabilities negotiation with 'qmp_capabilities'"
	c.fails("query-status", nil, classCommandNotFound, expecting)
	c.fails("no-such-command", nil, classCommandNotFound, expecting)
	// Argument errors of qmp_capabilities itself are reported as such.
	c.fails("qmp_capabilities", map[string]any{"enable": []string{"bogus"}}, classGeneric,
		"Parameter 'null' does not accept value 'bogus'")
	c.negotiate()
	var st statusInfo
	c.ok("query-status", nil, &st)
	if st.Status != "running" || !st.Running {
		t.Fatalf("status %+v", st)
	}
	c.fails("qmp_capabilities", nil, classCommandNotFound, "Capabilities negotiation is already complete, command ignored")
	c.fails("no-such-command", nil, classCommandNotFound, "The command no-such-command has not been found")
}

func TestIDEchoedVerbatim(t *testing.T) {
	v := New(Options{Name: "x"})
	defer v.Close()
	c := pipeClient(t, v)
	ids := []string{`"n"`, `1`, `-7`, `1.5`, `null`, `{"a": [1, "two"]}`, `"ünï"`}
	for _, id := range ids {
		// In negotiation mode, on an error reply.
		_, reply := c.exec(`{"execute": "query-name", "id": ` + id + `}`)
		assertID(t, reply, id)
	}
	c.negotiate()
	for _, id := range ids {
		_, reply := c.exec(`{"execute": "query-name", "id": ` + id + `}`)
		if _, ok := reply["return"]; !ok {
			t.Fatalf("id %s: no return: %v", id, reply)
		}
		assertID(t, reply, id)
		// Envelope errors echo it too.
		_, reply = c.exec(`{"execute": "query-name", "id": ` + id + `, "bogus": 1}`)
		assertID(t, reply, id)
	}
	_, reply := c.exec(`{"execute": "query-name"}`)
	if _, has := reply["id"]; has {
		t.Fatalf("reply without request id has one: %v", reply)
	}
}

func assertID(t *testing.T, reply msg, want string) {
	t.Helper()
	got, ok := reply["id"]
	if !ok {
		t.Fatalf("reply %v has no id, want %s", reply, want)
	}
	var a, b bytes.Buffer
	_ = json.Compact(&a, got)
	_ = json.Compact(&b, []byte(want))
	if a.String() != b.String() {
		// Non-ASCII comes back \u-escaped, as from QEMU: compare values.
		var x, y any
		_ = json.Unmarshal(got, &x)
		_ = json.Unmarshal([]byte(want), &y)
		xb, _ := json.Marshal(x)
		yb, _ := json.Marshal(y)
		if string(xb) != string(yb) {
			t.Fatalf("id: got %s want %s", got, want)
		}
	}
}

func TestEnvelopeAndGarbageErrors(t *testing.T) {
	v := New(Options{Name: "garbage"})
	defer v.Close()
	c := pipeClient(t, v)
	c.negotiate()
	cases := []struct{ in, desc string }{
		{`hello`, "JSON parse error, invalid keyword 'hello'"},
		{`[1, 2]`, "QMP input must be a JSON object"},
		{`42`, "QMP input must be a JSON object"},
		{`"str"`, "QMP input must be a JSON object"},
		{`{"execute": 1}`, "QMP input member 'execute' must be a string"},
		{`{"execute": "query-name", "arguments": []}`, "QMP input member 'arguments' must be an object"},
		{`{"foo": 1}`, "QMP input member 'foo' is unexpected"},
		{`{}`, "QMP input lacks member 'execute'"},
		{`{"id": 3}`, "QMP input lacks member 'execute'"},
		{`{"exec-oob": "migrate-pause"}`, "QMP input member 'exec-oob' is unexpected"},
		{`{"execute": "query-name", "exec-oob": "query-name"}`, "QMP input member 'exec-oob' is unexpected"},
		{`}`, ""}, // some JSON parse error
		{`{"execute": "query-name",, }`, ""},
		{"{\"execute\":\n \"query-status\",\n \"arguments\": {\"bogus\": [1,\n 2]}}", "Parameter 'bogus' is unexpected"},
	}
	for _, tc := range cases {
		events, reply := c.exec(tc.in)
		if len(events) != 0 {
			t.Fatalf("%s: unexpected events %v", tc.in, events)
		}
		class, desc := reply.errClassDesc()
		if class != classGeneric {
			t.Fatalf("%q: got %v, want GenericError", tc.in, reply)
		}
		if tc.desc == "" && !strings.HasPrefix(desc, "JSON parse error, ") {
			t.Fatalf("%q: desc %q, want a JSON parse error", tc.in, desc)
		}
		if tc.desc != "" && desc != tc.desc {
			t.Fatalf("%q: desc %q, want %q", tc.in, desc, tc.desc)
		}
		// The connection stays usable after every bad input.
		var name nameInfo
		c.ok("query-name", nil, &name)
		if name.Name != "garbage" {
			t.Fatalf("after %q: query-name %+v", tc.in, name)
		}
	}
}

func TestOversizedAndDeepInputRecovered(t *testing.T) {
	v := New(Options{Name: "big"})
	defer v.Close()
	c := pipeClient(t, v)
	c.negotiate()

	huge := `{"execute": "query-name", "arguments": {"x": "` + strings.Repeat("a", maxMessageBytes+10) + `"}}`
	// net.Pipe blocks the writer until the server reads, so write from a
	// goroutine while this test reads the error.
	werr := make(chan error, 1)
	go func() {
		_, err := c.nc.Write([]byte(huge + "\n"))
		werr <- err
	}()
	_, reply := c.untilReply()
	if class, desc := reply.errClassDesc(); class != classGeneric || desc != "JSON token size limit exceeded" {
		t.Fatalf("oversized: %v", reply)
	}
	select {
	case err := <-werr:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(ioTimeout):
		t.Fatal("timed out waiting for the oversized line's write to end")
	}
	var name nameInfo
	c.ok("query-name", nil, &name)
	if name.Name != "big" {
		t.Fatalf("after oversized input: %+v", name)
	}

	_, reply = c.exec(strings.Repeat("[", maxNesting+1))
	if _, desc := reply.errClassDesc(); desc != "JSON nesting depth limit exceeded" {
		t.Fatalf("deep: %v", reply)
	}
	c.ok("query-name", nil, &name)

	// Several messages on one line, no separators, are all answered.
	c.send(`{"execute":"query-name","id":1}{"execute":"query-name","id":2}`)
	for _, want := range []string{"1", "2"} {
		_, reply := c.untilReply()
		assertID(t, reply, want)
	}
}

func TestArgumentErrors(t *testing.T) {
	v := New(Options{Name: "args", Balloon: true, Disks: []Disk{{Device: "cd0", Removable: true}}})
	defer v.Close()
	c := pipeClient(t, v)
	c.negotiate()
	c.fails("query-status", map[string]any{"bogus": 1}, classGeneric, "Parameter 'bogus' is unexpected")
	c.fails("balloon", nil, classGeneric, "Parameter 'value' is missing")
	c.fails("balloon", map[string]any{"value": "1G"}, classGeneric, "Invalid parameter type for 'value', expected: integer")
	c.fails("balloon", map[string]any{"value": 1.5}, classGeneric, "Invalid parameter type for 'value', expected: integer")
	// Missing members are reported before unexpected ones, as QEMU visits.
	c.fails("balloon", map[string]any{"bogus": 1}, classGeneric, "Parameter 'value' is missing")
	c.fails("eject", map[string]any{"device": "cd0", "force": "yes"}, classGeneric, "Invalid parameter type for 'force', expected: boolean")
	c.fails("screendump", map[string]any{"filename": "/x", "format": "gif"}, classGeneric, "Parameter 'format' does not accept value 'gif'")
	c.fails("blockdev-add", map[string]any{"driver": "file", "node-name": "n"}, classGeneric, "Parameter 'filename' is missing")
	c.fails("blockdev-add", map[string]any{"driver": "qcow2", "node-name": "n", "file": map[string]any{"driver": "file"}},
		classGeneric, "Parameter 'file.filename' is missing")
	c.fails("blockdev-add", map[string]any{"driver": "file", "node-name": "n", "filename": "/f", "bogus": true},
		classGeneric, "Parameter 'bogus' is unexpected")
}

func TestOutOfBand(t *testing.T) {
	v := New(Options{})
	defer v.Close()
	c := pipeClient(t, v)
	c.ok("qmp_capabilities", map[string]any{"enable": []string{"oob"}}, nil)
	_, reply := c.exec(`{"exec-oob": "migrate-pause", "id": "oob1"}`)
	assertID(t, reply, `"oob1"`)
	if class, desc := reply.errClassDesc(); class != classGeneric || desc != "migrate-pause is currently only supported during postcopy-active state" {
		t.Fatalf("migrate-pause: %v", reply)
	}
	_, reply = c.exec(`{"exec-oob": "query-status", "id": 2}`)
	if _, desc := reply.errClassDesc(); desc != "The command query-status does not support OOB" {
		t.Fatalf("oob query-status: %v", reply)
	}
	_, reply = c.exec(`{"execute": "query-status", "exec-oob": "query-status"}`)
	if _, desc := reply.errClassDesc(); desc != "QMP input member 'exec-oob' clashes with 'execute'" {
		t.Fatalf("clash: %v", reply)
	}
}

func TestStopContEvents(t *testing.T) {
	clock := newFakeClock()
	v := New(Options{Name: "sc", Clock: clock.Now})
	defer v.Close()
	c := pipeClient(t, v)
	c.negotiate()

	events := c.ok("stop", nil, nil)
	if eventNames(events) != "STOP" {
		t.Fatalf("stop events: %v", events)
	}
	if _, has := events[0]["data"]; has {
		t.Fatalf("STOP carries data: %v", events[0])
	}
	var st statusInfo
	c.ok("query-status", nil, &st)
	if st != (statusInfo{Status: "paused"}) {
		t.Fatalf("after stop: %+v", st)
	}
	if events := c.ok("stop", nil, nil); len(events) != 0 {
		t.Fatalf("second stop emitted %v", events)
	}
	var hmp string
	c.ok("human-monitor-command", map[string]any{"command-line": "info status"}, &hmp)
	if hmp != "VM status: paused\r\n" {
		t.Fatalf("info status %q", hmp)
	}

	events = c.ok("cont", nil, nil)
	if eventNames(events) != "RESUME" {
		t.Fatalf("cont events: %v", events)
	}
	c.ok("query-status", nil, &st)
	if st != (statusInfo{Status: "running", Running: true}) {
		t.Fatalf("after cont: %+v", st)
	}
	if events := c.ok("cont", nil, nil); len(events) != 0 {
		t.Fatalf("cont while running emitted %v", events)
	}
	c.ok("human-monitor-command", map[string]any{"command-line": "info status"}, &hmp)
	if hmp != "VM status: running\r\n" {
		t.Fatalf("info status %q", hmp)
	}
}

func TestEventTimestampsStrictlyIncrease(t *testing.T) {
	clock := newFakeClock() // frozen: every event happens "at the same time"
	v := New(Options{Clock: clock.Now, MirrorJob: true, Disks: []Disk{{File: "/d.qcow2"}}})
	defer v.Close()
	c := pipeClient(t, v)
	c.negotiate()
	var all []msg
	for _, cmd := range []string{"stop", "cont", "system_reset", "system_powerdown", "stop", "system_reset"} {
		all = append(all, c.ok(cmd, nil, nil)...)
	}
	if len(all) < 10 {
		t.Fatalf("expected many events, got %d", len(all))
	}
	for i := 1; i < len(all); i++ {
		if !all[i].stamp().After(all[i-1].stamp()) {
			t.Fatalf("event %d (%s at %v) not after %s at %v", i, all[i].event(), all[i].stamp(), all[i-1].event(), all[i-1].stamp())
		}
	}
	if got := all[0].stamp(); got.Before(clock.Now()) || got.After(clock.Now().Add(time.Second)) {
		t.Fatalf("timestamps not taken from the injected clock: %v vs %v", got, clock.Now())
	}
}

func TestPrelaunch(t *testing.T) {
	v := New(Options{Paused: true})
	defer v.Close()
	c := pipeClient(t, v)
	c.negotiate()
	var st statusInfo
	c.ok("query-status", nil, &st)
	if st != (statusInfo{Status: "prelaunch"}) {
		t.Fatalf("-S status %+v", st)
	}
	var hmp string
	c.ok("human-monitor-command", map[string]any{"command-line": "info status"}, &hmp)
	if hmp != "VM status: paused (prelaunch)\r\n" {
		t.Fatalf("info status %q", hmp)
	}
	// stop on a guest that is not running changes nothing.
	if events := c.ok("stop", nil, nil); len(events) != 0 {
		t.Fatalf("stop in prelaunch: %v", events)
	}
	c.ok("query-status", nil, &st)
	if st.Status != "prelaunch" {
		t.Fatalf("stop changed prelaunch to %q", st.Status)
	}
	if events := c.ok("cont", nil, nil); eventNames(events) != "RESUME" {
		t.Fatalf("cont events %v", events)
	}
	c.ok("query-status", nil, &st)
	if st != (statusInfo{Status: "running", Running: true}) {
		t.Fatalf("after cont %+v", st)
	}
}

func TestNoEventsBeforeNegotiation(t *testing.T) {
	clock := newFakeClock()
	v := New(Options{Clock: clock.Now, ResetEvery: time.Second})
	defer v.Close()
	c := pipeClient(t, v)
	clock.Advance(3 * time.Second) // three guest resets happen now
	events, _ := c.exec(`{"execute": "query-status"}`)
	if len(events) != 0 {
		t.Fatalf("events sent in negotiation mode: %v", events)
	}
	// QEMU drops them rather than queueing them for later.
	if events := c.ok("qmp_capabilities", nil, nil); len(events) != 0 {
		t.Fatalf("dropped events delivered late: %v", events)
	}
	clock.Advance(time.Second)
	if events := c.ok("query-status", nil, nil); eventNames(events) != "RESET" {
		t.Fatalf("after negotiation: %v", events)
	}
}
