package cli

import (
	"bufio"
	"encoding/json"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemutest"
)

func TestExecAgainstRealQEMU(t *testing.T) {
	dir := qemutest.Dir(t)
	vm := qemutest.Start(t, qemutest.Options{Name: "alpha", Dir: dir})

	t.Run("query-status prints indented JSON", func(t *testing.T) {
		out, stderr, code := runCLI(t, "exec", vm.Socket, "query-status")
		if code != exitOK || stderr != "" {
			t.Fatalf("exit %d, stderr %q", code, stderr)
		}
		var st struct {
			Status  string `json:"status"`
			Running bool   `json:"running"`
		}
		if err := json.Unmarshal([]byte(out), &st); err != nil || st.Status != "running" || !st.Running {
			t.Fatalf("%q: %+v %v", out, st, err)
		}
		if !strings.HasPrefix(out, "{\n  \"") || !strings.HasSuffix(out, "}\n") {
			t.Fatalf("not indented: %q", out)
		}
	})

	t.Run("human-monitor-command prints text", func(t *testing.T) {
		out, _, code := runCLI(t, "exec", "unix:"+vm.Socket, "human-monitor-command", `{"command-line": "info status"}`)
		if code != exitOK || out != "VM status: running\n" {
			t.Fatalf("exit %d, %q", code, out)
		}
		out, _, code = runCLI(t, "exec", "--json", vm.Socket, "human-monitor-command", `{"command-line": "info status"}`)
		var s string
		if code != exitOK || json.Unmarshal([]byte(out), &s) != nil || !strings.HasPrefix(s, "VM status: running") {
			t.Fatalf("--json: exit %d, %q", code, out)
		}
	})

	t.Run("in-band error exits 1 with class", func(t *testing.T) {
		out, stderr, code := runCLI(t, "exec", vm.Socket, "device_del", `{"id": "nope"}`)
		if code != exitFail || out != "" || !strings.Contains(stderr, "DeviceNotFound: Device 'nope' not found") {
			t.Fatalf("exit %d, stdout %q, stderr %q", code, out, stderr)
		}
		_, stderr, code = runCLI(t, "exec", vm.Socket, "no-such-command")
		if code != exitFail || !strings.Contains(stderr, "CommandNotFound") {
			t.Fatalf("exit %d, stderr %q", code, stderr)
		}
	})

	t.Run("read-only refuses changes and sends nothing", func(t *testing.T) {
		for _, c := range [][]string{{"stop"}, {"human-monitor-command", `{"command-line": "stop"}`}} {
			out, stderr, code := runCLI(t, append([]string{"exec", "--read-only", vm.Socket}, c...)...)
			if code != exitUsage || out != "" || !strings.Contains(stderr, "--read-only") ||
				!strings.Contains(stderr, "not "+c[0]) || !strings.Contains(stderr, "nothing was sent") {
				t.Fatalf("%s: exit %d, stdout %q, stderr %q", c[0], code, out, stderr)
			}
		}
		if out, _, _ := runCLI(t, "exec", "--read-only", vm.Socket, "query-status"); !strings.Contains(out, `"running": true`) {
			t.Fatalf("stop was sent, or query refused: %q", out)
		}
	})

	t.Run("commands take effect", func(t *testing.T) {
		if out, _, code := runCLI(t, "exec", vm.Socket, "stop"); code != exitOK || out != "{}\n" {
			t.Fatalf("stop: exit %d %q", code, out)
		}
		if out, _, _ := runCLI(t, "exec", vm.Socket, "query-status"); !strings.Contains(out, `"status": "paused"`) {
			t.Fatalf("after stop: %q", out)
		}
	})

	t.Run("--log records protocol traffic, nothing else does", func(t *testing.T) {
		logFile := filepath.Join(t.TempDir(), "qmpdash.log")
		_, stderr, code := runCLI(t, "exec", "--log", logFile, vm.Socket, "query-status")
		if code != exitOK || stderr != "" {
			t.Fatalf("exit %d, stderr %q", code, stderr)
		}
		b, err := os.ReadFile(logFile)
		if err != nil {
			t.Fatal(err)
		}
		log := string(b)
		if !strings.Contains(log, "level=DEBUG") || !strings.Contains(log, `\"execute\":\"query-status\"`) {
			t.Fatalf("log lacks the traffic:\n%s", log)
		}
		if fi, err := os.Stat(logFile); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("log file mode: %v %v", fi.Mode(), err)
		}
	})
}

// quietListener is a unix socket nobody should dial.
func quietListener(t *testing.T) (string, *net.UnixListener) {
	t.Helper()
	path := filepath.Join(qemutest.Dir(t), "quiet.qmp")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return path, l
}

func TestExecBadArgumentsSendNothing(t *testing.T) {
	sock, l := quietListener(t)
	for _, args := range [][]string{
		{"exec", sock, "device_del", `{"id":`},
		{"exec", sock, "device_del", `[1, 2]`},
		{"exec", sock, "device_del", `"nic1"`},
		{"exec", sock, "device_del", `null`},
		{"exec", sock, "device_del", `{"id": "a"} {"id": "b"}`},
		{"exec", sock, "device_del", `id=nic1`},
		{"exec", sock, "device_del", `{"id": "a"}`, "extra"},
		{"exec", sock},
		{"exec", sock, ""},
		{"exec", sock, "query status"},
		{"exec", filepath.Dir(sock), "query-status"},
		{"exec", filepath.Dir(sock) + "/*.qmp", "query-status"},
	} {
		out, stderr, code := runCLI(t, args...)
		if code != exitUsage || out != "" || !strings.HasPrefix(stderr, "qmpdash: exec: ") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args[1:], code, out, stderr)
		}
	}
	// Nothing so much as connected: a dial would be waiting in the backlog.
	l.SetDeadline(time.Now())
	if c, err := l.Accept(); !errors.Is(err, os.ErrDeadlineExceeded) {
		if c != nil {
			c.Close()
		}
		t.Fatalf("something connected: %v", err)
	}
	_, stderr, _ := runCLI(t, "exec", sock, "device_del", `[1]`)
	if !strings.Contains(stderr, "want a JSON object") {
		t.Errorf("message: %q", stderr)
	}
}

// fakeMonitor greets, negotiates, then hands each command line to answer
// (which may write nothing, like a frozen QEMU).
func fakeMonitor(t *testing.T, answer func(c net.Conn, line []byte)) string {
	t.Helper()
	sock, l := quietListener(t)
	done := make(chan struct{})
	t.Cleanup(func() { l.Close(); <-done })
	go func() {
		defer close(done)
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.Write([]byte(`{"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7}, "package": ""}, "capabilities": []}}` + "\n"))
		r := bufio.NewReader(c)
		if _, err := r.ReadBytes('\n'); err != nil {
			return
		}
		c.Write([]byte(`{"return": {}, "id": 0}` + "\n"))
		for {
			line, err := r.ReadBytes('\n')
			if err != nil {
				return
			}
			answer(c, line)
		}
	}()
	return sock
}

func TestExecFailureKinds(t *testing.T) {
	missing := filepath.Join(qemutest.Dir(t), "missing.qmp")
	_, stderr, code := runCLI(t, "exec", missing, "query-status")
	if code != exitFail || !strings.Contains(stderr, "[connect]") || !strings.Contains(stderr, missing) {
		t.Errorf("missing socket: exit %d, %q", code, stderr)
	}

	frozen := fakeMonitor(t, func(net.Conn, []byte) {})
	_, stderr, code = runCLI(t, "exec", "--timeout", "300ms", frozen, "query-status")
	if code != exitFail || !strings.Contains(stderr, "[timeout]") {
		t.Errorf("frozen monitor: exit %d, %q", code, stderr)
	}

	garbled := fakeMonitor(t, func(c net.Conn, _ []byte) { c.Write([]byte("{\"return\": ]\n")) })
	_, stderr, code = runCLI(t, "exec", garbled, "query-status")
	if code != exitFail || !strings.Contains(stderr, "[protocol]") {
		t.Errorf("garbled reply: exit %d, %q", code, stderr)
	}
}

func TestExecOutputIsTerminalSafe(t *testing.T) {
	hostile := fakeMonitor(t, func(c net.Conn, line []byte) {
		var req struct{ ID json.RawMessage }
		json.Unmarshal(line, &req)
		reply, _ := json.Marshal(map[string]any{"id": req.ID, "return": "info\x1b]0;pwned\x07\r\nline2\u009b2J\r\n"})
		c.Write(append(reply, '\n'))
	})
	out, _, code := runCLI(t, "exec", hostile, "human-monitor-command", `{"command-line": "info x"}`)
	if code != exitOK || out != "info\nline2\n" {
		t.Fatalf("exit %d, %q", code, out)
	}
}
