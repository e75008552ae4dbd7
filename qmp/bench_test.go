package qmp_test

import (
	"bufio"
	"bytes"
	"context"
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
	conn := startBenchServer(b)
	benchBareSerial(b, conn, bareHandshake(b, conn))
}

func BenchmarkInProcBarePipelined8(b *testing.B) {
	conn := startBenchServer(b)
	benchBarePipelined(b, conn, bareHandshake(b, conn), benchWorkers)
}

func BenchmarkInProcExecuteSerial(b *testing.B) {
	benchExecuteSerial(b, benchClient(b, startBenchServer(b)))
}

func BenchmarkInProcExecutePipelined8(b *testing.B) {
	benchExecutePipelined(b, benchClient(b, startBenchServer(b)), benchWorkers)
}

// benchGreeting is QEMU 7.2's greeting from the recorded session.
const benchGreeting = `{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": "Debian 1:7.2+dfsg-7+deb12u18+b3"}, "capabilities": ["oob"]}}` + "\r\n"

// startBenchServer serves QMP on the far end of a unix socket and returns
// the near end. The server is as cheap as it can be, so the benchmarks
// measure the client: it greets, then answers each request line with a
// canned reply (QEMU's spacing) that echoes the request's id verbatim, one
// write per reply as QEMU does.
func startBenchServer(b testing.TB) net.Conn {
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
	go func() { defer close(done); serveBench(server) }()
	b.Cleanup(func() {
		client.Close()
		server.Close()
		<-done
	})
	return client
}

func serveBench(conn net.Conn) {
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

// bareHandshake does by hand what the client does: read the greeting,
// negotiate capabilities with oob enabled (as the client does when QEMU
// offers it, which lets QEMU queue several in-band commands), read the
// reply. Every later byte is read through the returned reader.
func bareHandshake(b testing.TB, conn net.Conn) *bufio.Reader {
	b.Helper()
	r := bufio.NewReaderSize(conn, 64<<10)
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	defer conn.SetDeadline(time.Time{})
	if line, err := r.ReadSlice('\n'); err != nil || !bytes.HasPrefix(line, []byte(`{"QMP"`)) {
		b.Fatalf("greeting: %q %v", line, err)
	}
	if _, err := conn.Write([]byte(`{"execute":"qmp_capabilities","arguments":{"enable":["oob"]},"id":0}` + "\n")); err != nil {
		b.Fatal(err)
	}
	if line, err := r.ReadSlice('\n'); err != nil || !bytes.HasPrefix(line, []byte(`{"return": {}`)) {
		b.Fatalf("qmp_capabilities: %q %v", line, err)
	}
	return r
}

// bareRequest appends query-status with a numeric id to buf.
func bareRequest(buf []byte, id int) []byte {
	buf = append(buf, `{"execute":"query-status","id":`...)
	buf = strconv.AppendInt(buf, int64(id), 10)
	return append(buf, "}\n"...)
}

// bareAwait reads lines until the reply with id, skipping anything else
// (events). want is scratch space; the grown slice is returned for reuse.
func bareAwait(b testing.TB, r *bufio.Reader, id int, want []byte) []byte {
	want = append(want[:0], `"id": `...)
	want = strconv.AppendInt(want, int64(id), 10)
	want = append(want, '}')
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			b.Fatalf("reading reply %d: %v", id, err)
		}
		if bytes.Contains(line, want) {
			if !bytes.HasPrefix(line, []byte(`{"return": {"status": "`)) {
				b.Fatalf("reply %d is not a status: %q", id, line)
			}
			return want
		}
	}
}

// benchBareSerial is the floor: one request written, its reply read, repeat.
func benchBareSerial(b *testing.B, conn net.Conn, r *bufio.Reader) {
	b.ReportAllocs()
	req := make([]byte, 0, 64)
	want := make([]byte, 0, 32)
	b.ResetTimer()
	for i := 1; i <= b.N; i++ {
		req = bareRequest(req[:0], i)
		if _, err := conn.Write(req); err != nil {
			b.Fatal(err)
		}
		want = bareAwait(b, r, i, want)
	}
}

// benchBarePipelined keeps depth requests in flight from one goroutine:
// write depth, then one more for every reply. Replies must come in order,
// as QEMU runs in-band commands in order.
func benchBarePipelined(b *testing.B, conn net.Conn, r *bufio.Reader, depth int) {
	b.ReportAllocs()
	req := make([]byte, 0, 64)
	want := make([]byte, 0, 32)
	sent := 0
	send := func() {
		sent++
		req = bareRequest(req[:0], sent)
		if _, err := conn.Write(req); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for sent < depth && sent < b.N {
		send()
	}
	for got := 1; got <= b.N; got++ {
		want = bareAwait(b, r, got, want)
		if sent < b.N {
			send()
		}
	}
}

func benchExecuteSerial(b *testing.B, c *qmp.Client) {
	b.ReportAllocs()
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		st, err := c.QueryStatus(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if st.Status == "" {
			b.Fatalf("empty status %+v", st)
		}
	}
}

// benchExecutePipelined shares one client among workers goroutines that
// between them run b.N commands.
func benchExecutePipelined(b *testing.B, c *qmp.Client, workers int) {
	b.ReportAllocs()
	ctx := context.Background()
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for range workers {
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				st, err := c.QueryStatus(ctx)
				if err != nil || st.Status == "" {
					b.Errorf("query-status: %+v %v", st, err)
					return
				}
			}
		})
	}
	wg.Wait()
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
	// End to end: the client and the bare loop both get their replies.
	c := benchClient(t, startBenchServer(t))
	if st, err := c.QueryStatus(context.Background()); err != nil || st.Status != "running" || !st.Running {
		t.Fatalf("client: %+v %v", st, err)
	}
	conn := startBenchServer(t)
	r := bareHandshake(t, conn)
	if _, err := conn.Write(bareRequest(nil, 41)); err != nil {
		t.Fatal(err)
	}
	bareAwait(t, r, 41, nil)
}
