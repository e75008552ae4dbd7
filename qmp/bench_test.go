package qmp_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/qmp"
)

// Benchmarks of the query-status round trip, each shape twice: against an
// in-process server here, against real QEMU in bench_qemu_test.go. The bare
// loops are the floor: the same bytes on the same kind of socket with no
// client in between. docs/BENCHMARKS.md has the commands and the figures.

// benchWorkers is how many commands the pipelined benchmarks keep in
// flight: QEMU queues at most this many in-band commands per monitor.
const benchWorkers = qmp.MaxInFlight

func BenchmarkInProcBareLoop(b *testing.B) {
	benchBareSerial(b, dialBare(b, startBenchServer(b, nil)))
}

func BenchmarkInProcBarePipelined8(b *testing.B) {
	benchBarePipelined(b, dialBare(b, startBenchServer(b, nil)))
}

func BenchmarkInProcExecuteSerial(b *testing.B) {
	benchExecuteSerial(b, benchClient(b, startBenchServer(b, nil)))
}

func BenchmarkInProcExecutePipelined8(b *testing.B) {
	benchExecutePipelined(b, benchClient(b, startBenchServer(b, nil)))
}

// benchGreeting is QEMU 7.2's greeting from the recorded session.
const benchGreeting = `{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": "Debian 1:7.2+dfsg-7+deb12u18+b3"}, "capabilities": ["oob"]}}` + "\r\n"

// startBenchServer serves QMP on the far end of a unix socket and returns
// the near end. The server is as cheap as it can be, so the benchmarks
// measure the client: it greets, then answers each request line with a
// canned reply (QEMU's spacing) that echoes the request's id verbatim, one
// write per reply as QEMU does. seen, if not nil, gets a copy of each
// request line (for tests; called on the server goroutine).
func startBenchServer(b testing.TB, seen func(line []byte)) net.Conn {
	b.Helper()
	dir, err := os.MkdirTemp("", "qb") // short: sun_path is 108 bytes
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	ln, err := net.Listen("unix", dir+"/s")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("unix", dir+"/s")
	if err != nil {
		b.Fatal(err)
	}
	server, err := ln.Accept()
	if err != nil {
		client.Close()
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); serveBench(server, seen) }()
	b.Cleanup(func() {
		client.Close()
		server.Close()
		<-done
	})
	return client
}

func serveBench(conn net.Conn, seen func(line []byte)) {
	if _, err := conn.Write([]byte(benchGreeting)); err != nil {
		return
	}
	r := bufio.NewReaderSize(conn, 64<<10)
	out := make([]byte, 0, 256)
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			return // the client hung up
		}
		if seen != nil {
			seen(append([]byte(nil), line...))
		}
		ret := `{"status": "running", "singlestep": false, "running": true}`
		if bytes.Contains(line, []byte("qmp_capabilities")) {
			ret = `{}`
		}
		out = append(append(out[:0], `{"return": `...), ret...)
		if id := requestID(line); id != nil {
			out = append(append(out, `, "id": `...), id...)
		}
		out = append(out, "}\r\n"...)
		if _, err := conn.Write(out); err != nil {
			return
		}
	}
}

// requestID returns the raw JSON value of the request's "id", found without
// decoding: both the client and the bare loop send it last, and never with
// a ',' or '}' inside.
func requestID(line []byte) []byte {
	i := bytes.LastIndex(line, []byte(`"id":`))
	if i < 0 {
		return nil
	}
	v := bytes.TrimLeft(line[i+len(`"id":`):], " ")
	end := bytes.IndexAny(v, ",}")
	if end < 0 {
		return nil
	}
	return bytes.TrimRight(v[:end], " ")
}

// benchClient negotiates a qmp.Client over conn and closes it when the
// benchmark ends, so QEMU's monitor is free for the next one.
func benchClient(b testing.TB, conn net.Conn) *qmp.Client {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := qmp.NewClient(ctx, conn, qmp.WithName("bench"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return c
}

// bareConn is a monitor connection driven by hand: the floor.
type bareConn struct {
	conn      net.Conn
	r         *bufio.Reader
	ids       bool   // each request carries "id":N
	next      int    // last request sent
	req, want []byte // scratch
}

// dialBare does by hand what the client does on conn: read the greeting,
// negotiate capabilities with oob enabled (as the client does when QEMU
// offers it, which lets QEMU queue several in-band commands), read the
// reply; then it sends requests without ids, as the client does when no
// other reply is owed. Every later byte is read through the bareConn's
// reader.
func dialBare(b testing.TB, conn net.Conn) *bareConn { return dialBareWith(b, conn, true, false) }

// dialBareWith is dialBare with oob negotiated or not, and ids sent or not.
func dialBareWith(b testing.TB, conn net.Conn, oob, ids bool) *bareConn {
	b.Helper()
	r := bufio.NewReaderSize(conn, 64<<10)
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	defer conn.SetDeadline(time.Time{})
	if line, err := r.ReadSlice('\n'); err != nil || !bytes.HasPrefix(line, []byte(`{"QMP"`)) {
		b.Fatalf("greeting: %q %v", line, err)
	}
	caps := `{"execute":"qmp_capabilities"}` + "\n"
	if oob {
		caps = `{"execute":"qmp_capabilities","arguments":{"enable":["oob"]}}` + "\n"
	}
	if _, err := conn.Write([]byte(caps)); err != nil {
		b.Fatal(err)
	}
	if line, err := r.ReadSlice('\n'); err != nil || !bytes.HasPrefix(line, []byte(`{"return": {}`)) {
		b.Fatalf("qmp_capabilities: %q %v", line, err)
	}
	return &bareConn{conn: conn, r: r, ids: ids, req: make([]byte, 0, 64), want: make([]byte, 0, 32)}
}

// bareRequest appends query-status with id (0: none) to buf: with none,
// the bytes qmp.Client sends when no other reply is owed (TestBenchServer
// checks).
func bareRequest(buf []byte, id int) []byte {
	if id == 0 {
		return append(buf, `{"execute":"query-status"}`+"\n"...)
	}
	buf = append(buf, `{"execute":"query-status","id":`...)
	return append(strconv.AppendInt(buf, int64(id), 10), "}\n"...)
}

func (c *bareConn) send(b testing.TB) {
	c.next++
	id := 0
	if c.ids {
		id = c.next
	}
	c.req = bareRequest(c.req[:0], id)
	if _, err := c.conn.Write(c.req); err != nil {
		b.Fatal(err)
	}
}

// await reads lines until the reply to request id, skipping events.
// Replies come in request order: with ids, another id means the loop is
// out of step; without, the next reply is the one.
func (c *bareConn) await(b testing.TB, id int) {
	c.want = append(c.want[:0], `"id": `...)
	c.want = append(strconv.AppendInt(c.want, int64(id), 10), '}')
	for {
		line, err := c.r.ReadSlice('\n')
		if err != nil {
			b.Fatalf("reading reply %d: %v", id, err)
		}
		if !c.ids && bytes.HasPrefix(line, []byte(`{"event"`)) {
			continue
		}
		if !c.ids || bytes.Contains(line, c.want) {
			if !bytes.HasPrefix(line, []byte(`{"return": {"status": "`)) {
				b.Fatalf("reply %d is not a status: %q", id, line)
			}
			return
		}
		if bytes.Contains(line, []byte(`"id": `)) {
			b.Fatalf("waiting for reply %d, got %q", id, line)
		}
	}
}

// serial runs n round trips: one request written, its reply read, repeat.
func (c *bareConn) serial(b testing.TB, n int) {
	for range n {
		c.send(b)
		c.await(b, c.next)
	}
}

// pipelined runs n requests keeping depth in flight from one goroutine:
// write depth, then one more for every reply. Replies must come in order,
// as QEMU runs in-band commands in order.
func (c *bareConn) pipelined(b testing.TB, depth, n int) {
	first, last := c.next+1, c.next+n
	for c.next < last && c.next-first+1 < depth {
		c.send(b)
	}
	for id := first; id <= last; id++ {
		if c.next < last {
			c.send(b)
		}
		c.await(b, id)
	}
}

func benchBareSerial(b *testing.B, c *bareConn) {
	b.ReportAllocs()
	b.ResetTimer()
	c.serial(b, b.N)
}

func benchBarePipelined(b *testing.B, c *bareConn) {
	b.ReportAllocs()
	b.ResetTimer()
	c.pipelined(b, benchWorkers, b.N)
}

// executeSerial runs n QueryStatus calls one after another.
func executeSerial(c *qmp.Client, n int) error {
	ctx := context.Background()
	for range n {
		st, err := c.QueryStatus(ctx)
		if err != nil {
			return err
		}
		if st.Status == "" {
			return fmt.Errorf("empty status %+v", st)
		}
	}
	return nil
}

// executePipelined shares c among benchWorkers goroutines that between
// them run n QueryStatus calls.
func executePipelined(c *qmp.Client, n int) error {
	ctx := context.Background()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, benchWorkers)
	for range benchWorkers {
		wg.Go(func() {
			for next.Add(1) <= int64(n) {
				st, err := c.QueryStatus(ctx)
				if err == nil && st.Status == "" {
					err = fmt.Errorf("empty status %+v", st)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs // nil when the channel is empty
}

func benchExecuteSerial(b *testing.B, c *qmp.Client) {
	b.ReportAllocs()
	b.ResetTimer()
	if err := executeSerial(c, b.N); err != nil {
		b.Fatal(err)
	}
}

func benchExecutePipelined(b *testing.B, c *qmp.Client) {
	b.ReportAllocs()
	b.ResetTimer()
	if err := executePipelined(c, b.N); err != nil {
		b.Fatal(err)
	}
}

// The in-process server must answer the way the benchmarks assume, or they
// measure nothing.
func TestBenchServer(t *testing.T) {
	for _, tc := range []struct{ line, id string }{
		{`{"execute":"query-status","id":"qmpdash-12"}` + "\n", `"qmpdash-12"`},
		{`{"execute":"query-status","id":7}` + "\n", `7`},
		{`{"execute": "x", "id": 3 }` + "\n", `3`},
		{`{"execute":"query-status"}` + "\n", ``},
	} {
		if got := string(requestID([]byte(tc.line))); got != tc.id {
			t.Errorf("requestID(%q) = %q, want %q", tc.line, got, tc.id)
		}
	}
	// End to end: the client gets its reply, and its request is byte for
	// byte what the bare loop sends, so the two are compared like for like
	// (if the client's encoding changes, the bare loop must follow).
	lines := make(chan []byte, 4)
	c := benchClient(t, startBenchServer(t, func(l []byte) {
		select {
		case lines <- l:
		default: // only the first two matter
		}
	}))
	if st, err := c.QueryStatus(context.Background()); err != nil || st.Status != "running" || !st.Running {
		t.Fatalf("client: %+v %v", st, err)
	}
	next := func(what string) []byte {
		select {
		case l := <-lines:
			return l
		case <-time.After(10 * time.Second):
			t.Fatalf("the bench server never saw %s", what)
			return nil
		}
	}
	next("qmp_capabilities")
	if got, want := next("query-status"), bareRequest(nil, 0); !bytes.Equal(got, want) {
		t.Errorf("client sent %q, the bare loop sends %q", got, want)
	}
	for _, ids := range []bool{false, true} {
		bc := dialBareWith(t, startBenchServer(t, nil), true, ids)
		bc.serial(t, 3)
		bc.pipelined(t, 2, 5)
		bc.serial(t, 1)
		if bc.next != 9 {
			t.Errorf("%d requests sent, want 9", bc.next)
		}
	}
	if err := executePipelined(benchClient(t, startBenchServer(t, nil)), 20); err != nil {
		t.Fatal(err)
	}
}
