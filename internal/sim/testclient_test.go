package sim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// ioTimeout only turns a hung test into a failure; no assertion depends on it.
const ioTimeout = 5 * time.Second

// fakeClock is a manual clock: time moves only when a test says so.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// msg is one decoded server message.
type msg map[string]json.RawMessage

func (m msg) isEvent() bool { _, ok := m["event"]; return ok }

func (m msg) str(key string) string {
	var s string
	_ = json.Unmarshal(m[key], &s)
	return s
}

func (m msg) event() string { return m.str("event") }

func (m msg) errClassDesc() (string, string) {
	var e qmpError
	_ = json.Unmarshal(m["error"], &e)
	return e.Class, e.Desc
}

func (m msg) stamp() time.Time {
	var ts timestamp
	_ = json.Unmarshal(m["timestamp"], &ts)
	return time.Unix(ts.Seconds, ts.Microseconds*1000).UTC()
}

// client is a raw QMP client for tests; it checks framing on every line.
type client struct {
	t        testing.TB
	nc       net.Conn
	r        *bufio.Reader
	greeting msg
}

// pipeClient serves one end of a net.Pipe and returns a client on the other,
// with the greeting already read.
func pipeClient(t testing.TB, v *VM) *client {
	t.Helper()
	srv, cli := net.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		v.ServeConn(srv)
	}()
	c := &client{t: t, nc: cli, r: bufio.NewReader(cli)}
	t.Cleanup(func() {
		_ = cli.Close()
		select {
		case <-done:
		case <-time.After(ioTimeout):
			t.Error("ServeConn did not return after the client closed")
		}
	})
	c.greeting = c.read()
	return c
}

// listening starts a VM with opts on a fresh unix socket and returns it
// with the socket's path; the VM is closed when the test ends.
func listening(t *testing.T, opts Options) (*VM, string) {
	t.Helper()
	v := New(opts)
	t.Cleanup(func() { _ = v.Close() })
	path := filepath.Join(t.TempDir(), "vm.qmp")
	if err := v.ListenUnix(path); err != nil {
		t.Fatal(err)
	}
	return v, path
}

func dialClient(t testing.TB, path string) *client {
	t.Helper()
	nc, err := net.Dial("unix", path)
	if err != nil {
		t.Fatalf("dial %s: %v", path, err)
	}
	t.Cleanup(func() { _ = nc.Close() })
	return &client{t: t, nc: nc, r: bufio.NewReader(nc)}
}

func (c *client) readLine() []byte {
	c.t.Helper()
	_ = c.nc.SetReadDeadline(time.Now().Add(ioTimeout))
	line, err := c.r.ReadBytes('\n')
	if err != nil {
		c.t.Fatalf("read: %v (partial %q)", err, line)
	}
	if !bytes.HasSuffix(line, []byte("\r\n")) {
		c.t.Fatalf("message not terminated by CRLF: %q", line)
	}
	return line
}

func (c *client) read() msg {
	c.t.Helper()
	line := c.readLine()
	var m msg
	if err := json.Unmarshal(line, &m); err != nil {
		c.t.Fatalf("bad JSON from server: %v: %q", err, line)
	}
	return m
}

func (c *client) send(raw string) {
	c.t.Helper()
	_ = c.nc.SetWriteDeadline(time.Now().Add(ioTimeout))
	if _, err := c.nc.Write([]byte(raw + "\r\n")); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// exec sends raw and reads up to its reply, returning the events before it.
func (c *client) exec(raw string) ([]msg, msg) {
	c.t.Helper()
	c.send(raw)
	return c.untilReply()
}

func (c *client) untilReply() ([]msg, msg) {
	c.t.Helper()
	var events []msg
	for {
		m := c.read()
		if m.isEvent() {
			events = append(events, m)
			continue
		}
		return events, m
	}
}

// do runs a command (args may be nil) and returns events and reply.
func (c *client) do(cmd string, arguments any) ([]msg, msg) {
	c.t.Helper()
	req := map[string]any{"execute": cmd}
	if arguments != nil {
		req["arguments"] = arguments
	}
	b, _ := json.Marshal(req)
	return c.exec(string(b))
}

// ok runs a command that must succeed and unmarshals its return into out.
func (c *client) ok(cmd string, arguments any, out any) []msg {
	c.t.Helper()
	events, reply := c.do(cmd, arguments)
	if _, isErr := reply["error"]; isErr {
		c.t.Fatalf("%s: unexpected error reply %s", cmd, reply["error"])
	}
	if out != nil {
		if err := json.Unmarshal(reply["return"], out); err != nil {
			c.t.Fatalf("%s: return %s: %v", cmd, reply["return"], err)
		}
	}
	return events
}

// fails runs a command that must fail with class and desc.
func (c *client) fails(cmd string, arguments any, class, desc string) {
	c.t.Helper()
	_, reply := c.do(cmd, arguments)
	gotClass, gotDesc := reply.errClassDesc()
	if gotClass != class || gotDesc != desc {
		c.t.Fatalf("%s %v: got error (%q, %q) reply %v, want (%q, %q)", cmd, arguments, gotClass, gotDesc, reply, class, desc)
	}
}

func (c *client) negotiate() {
	c.t.Helper()
	c.ok("qmp_capabilities", nil, nil)
}

func eventNames(events []msg) string {
	names := make([]string, len(events))
	for i, e := range events {
		names[i] = e.event()
		if d, ok := e["data"]; ok {
			var data map[string]any
			_ = json.Unmarshal(d, &data)
			if s, ok := data["status"].(string); ok && names[i] == "JOB_STATUS_CHANGE" {
				names[i] += ":" + s
			}
		}
	}
	return strings.Join(names, " ")
}

// recordedVM is configured like the VM of /work/shared/qemu-7.2/session.jsonl.
func recordedVM(clock *fakeClock) Options {
	return Options{
		Name: "demo-vm", VCPUs: 2, MemoryMiB: 256, Balloon: true,
		Disks: []Disk{
			{Device: "cd0", ID: "cdrom0", Removable: true},
			{ID: "vda", NodeName: "disk0", File: "/tmp/cap/d0.qcow2", Format: "qcow2", SizeBytes: 64 << 20},
		},
		Clock: clock.Now,
	}
}
