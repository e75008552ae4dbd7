package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/sim"
)

// startSim runs `qmpdash sim args... DIR` in-process until the test ends
// (or stop is called) and waits for the sockets named in want to appear.
func startSim(t *testing.T, want []string, args ...string) (dir string, stop func() int) {
	t.Helper()
	dir = t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- Run(ctx, append(append([]string{"sim"}, args...), dir), io.Discard, io.Discard) }()
	code := -1
	stop = func() int {
		cancel()
		if code == -1 {
			select {
			case code = <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("sim did not stop within 20s of its context ending")
			}
		}
		return code
	}
	t.Cleanup(func() { stop() })
	for _, name := range want {
		waitUntil(t, name+".qmp appears", func() bool { return isSocket(filepath.Join(dir, name+".qmp")) })
	}
	return dir, stop
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 20s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func isSocket(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode()&os.ModeSocket != 0
}

func sockets(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if e.Type()&os.ModeSocket != 0 {
			out = append(out, e.Name())
		}
	}
	return out
}

// rawMonitor is a bare line client, so the test sees exactly what the
// socket sends, garbage included.
type rawMonitor struct {
	nc net.Conn
	r  *bufio.Reader
}

func dialRaw(t *testing.T, path string) *rawMonitor {
	t.Helper()
	nc, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &rawMonitor{nc: nc, r: bufio.NewReader(nc)}
}

func (m *rawMonitor) line(t *testing.T, within time.Duration) (string, error) {
	t.Helper()
	_ = m.nc.SetReadDeadline(time.Now().Add(within))
	return m.r.ReadString('\n')
}

func (m *rawMonitor) send(t *testing.T, cmd string) {
	t.Helper()
	if _, err := io.WriteString(m.nc, `{"execute":"`+cmd+`"}`+"\n"); err != nil {
		t.Fatal(err)
	}
}

// reply reads past events to the next reply and decodes its return.
func (m *rawMonitor) reply(t *testing.T, into any) {
	t.Helper()
	for {
		l, err := m.line(t, 10*time.Second)
		if err != nil {
			t.Fatalf("no reply: %v", err)
		}
		var msg struct {
			Return json.RawMessage
			Event  string
			Error  any
		}
		if err := json.Unmarshal([]byte(l), &msg); err != nil {
			t.Fatalf("reply %q: %v", l, err)
		}
		if msg.Event != "" {
			continue
		}
		if msg.Error != nil || msg.Return == nil {
			t.Fatalf("reply %q", l)
		}
		if into != nil {
			if err := json.Unmarshal(msg.Return, into); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
}

func TestSimServesMonitorsAndRemovesThemOnExit(t *testing.T) {
	specs := sim.ManyVMs(12, 7)
	var names []string
	for _, s := range specs {
		names = append(names, s.Name)
	}
	dir, stop := startSim(t, names, "--count", "12", "--seed", "7")
	if got := sockets(t, dir); len(got) != 12 {
		t.Fatalf("sockets: %v", got)
	}
	paused := 0
	for _, s := range specs {
		m := dialRaw(t, filepath.Join(dir, s.Name+".qmp"))
		g, err := m.line(t, 10*time.Second)
		if err != nil || !strings.Contains(g, `"QMP"`) || !strings.Contains(g, `"minor": 2, "major": 7`) {
			t.Fatalf("%s greeting %q: %v", s.Name, g, err)
		}
		m.send(t, "qmp_capabilities")
		m.reply(t, nil)
		var name struct{ Name string }
		m.send(t, "query-name")
		m.reply(t, &name)
		var st struct{ Status string }
		m.send(t, "query-status")
		m.reply(t, &st)
		if name.Name != s.Name || (st.Status == "prelaunch") != s.Paused {
			t.Fatalf("%s answers as %q, %s", s.Name, name.Name, st.Status)
		}
		if st.Status == "prelaunch" {
			paused++
		}
		m.nc.Close()
	}
	if code := stop(); code != exitOK {
		t.Fatalf("sim exited %d", code)
	}
	if got := sockets(t, dir); len(got) != 0 {
		t.Fatalf("sockets left after exit: %v", got)
	}
}

func TestSimMisbehavesWhenAsked(t *testing.T) {
	dir, _ := startSim(t, []string{"slow-1", "garbage-1", "silent-1", "drop-1"},
		"--count", "1", "--misbehave", "slow,garbage,silent,drop")
	path := func(n string) string { return filepath.Join(dir, n+".qmp") }

	t.Run("slow", func(t *testing.T) {
		m := dialRaw(t, path("slow-1"))
		start := time.Now()
		if g, err := m.line(t, 10*time.Second); err != nil || !strings.Contains(g, `"QMP"`) {
			t.Fatalf("greeting %q: %v", g, err)
		}
		if waited := time.Since(start); waited < sim.SlowDelay {
			t.Fatalf("greeting came after %v, before the slow delay %v", waited, sim.SlowDelay)
		}
	})
	t.Run("garbage", func(t *testing.T) {
		m := dialRaw(t, path("garbage-1"))
		m.send(t, "qmp_capabilities")
		for range 6 {
			m.send(t, "query-status")
		}
		for {
			l, err := m.line(t, 10*time.Second)
			if err != nil {
				t.Fatalf("no garbage line: %v", err)
			}
			if !json.Valid([]byte(l)) {
				return
			}
		}
	})
	t.Run("silent", func(t *testing.T) {
		m := dialRaw(t, path("silent-1"))
		m.send(t, "qmp_capabilities")
		l, err := m.line(t, 2*sim.SlowDelay)
		var ne net.Error
		if l != "" || !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("a silent monitor said %q (%v)", l, err)
		}
	})
	t.Run("drop", func(t *testing.T) {
		m := dialRaw(t, path("drop-1"))
		if g, err := m.line(t, 10*time.Second); err != nil || !strings.Contains(g, `"QMP"`) {
			t.Fatalf("greeting %q: %v", g, err)
		}
		m.send(t, "qmp_capabilities")
		m.reply(t, nil)
		for {
			_, err := m.line(t, 10*time.Second)
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				t.Fatalf("connection not dropped: %v", err)
			}
		}
	})
}

func TestSimChurnRestartsAndReplacesVMs(t *testing.T) {
	// Round 5 stops a VM for good; round 6 starts new-001 in its place.
	dir, _ := startSim(t, []string{"new-001"}, "--count", "4", "--churn", "100ms")
	waitUntil(t, "new-002 appears", func() bool { return isSocket(filepath.Join(dir, "new-002.qmp")) })
	if n := len(sockets(t, dir)); n < 3 || n > 4 {
		t.Fatalf("%d sockets after churn", n)
	}
}

func TestSimBadFlagsExit2(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"sim"},
		{"sim", dir, dir},
		{"sim", "--count", "0", dir},
		{"sim", "--count", "10001", dir},
		{"sim", "--count", "many", dir},
		{"sim", "--misbehave", "rude", dir},
		{"sim", "--misbehave", "slow=0", dir},
		{"sim", "--churn", "-1s", dir},
		{"sim", "--churn", "1ns", dir},
		{"sim", "--reset-every", "1ms", dir},
		{"sim", "--bogus", dir},
	} {
		_, stderr, code := runCLI(t, args...)
		if code != exitUsage || !strings.Contains(stderr, "qmpdash: ") {
			t.Errorf("%v: exit %d, %q", args, code, stderr)
		}
	}
	if _, _, code := runCLI(t, "sim", "--help"); code != exitOK {
		t.Errorf("sim --help: exit %d", code)
	}
}

// sim replaces a stale socket at one of its paths, as QEMU does, but never
// one something listens on: in a shared directory that could be a real
// VM's monitor. It says so and exits 1, and the socket is left as it was.
func TestSimLeavesASocketInUseAlone(t *testing.T) {
	dir := t.TempDir()
	name := sim.ManyVMs(1, 1)[0].Name
	path := filepath.Join(dir, name+".qmp")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	_, stderr, code := runCLI(t, "sim", "--count", "1", "--seed", "1", dir)
	if code != exitFail || !strings.Contains(stderr, "will not replace it") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatalf("the socket in use was replaced or removed: %v", err)
	}
	c.Close()
	// A stale socket (nobody listening) is replaced.
	stale, err := net.Listen("unix", filepath.Join(dir, "x.qmp"))
	if err != nil {
		t.Fatal(err)
	}
	stale.(*net.UnixListener).SetUnlinkOnClose(false)
	stale.Close()
	if socketInUse(filepath.Join(dir, "x.qmp")) || !isSocket(filepath.Join(dir, "x.qmp")) {
		t.Fatal("a stale socket file taken for one in use")
	}
}
