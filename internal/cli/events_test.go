package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemutest"
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/qmp"
)

// waitLimit bounds every wait for output, so a broken feature fails the
// test instead of hanging it. Nothing is timed: lines are awaited.
const waitLimit = 30 * time.Second

// bgRun is a command running in the background through Run(), its stdout
// and stderr read line by line.
type bgRun struct {
	stdout, stderr <-chan string
	stop           func() int
}

// startRun runs qmpdash with args until stop cancels its context; stop
// returns the exit code once the command and its output readers are done.
// Cleanup stops it too.
func startRun(t *testing.T, args ...string) *bgRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	outR, outW := io.Pipe()
	errR, errW := io.Pipe()
	code := make(chan int, 1)
	go func() { code <- Run(ctx, args, outW, errW) }()
	stdout, outDone := lines(t, "stdout", outR)
	stderr, errDone := lines(t, "stderr", errR)
	var once sync.Once
	var exit int
	stop := func() int {
		once.Do(func() {
			cancel()
			select {
			case exit = <-code:
			case <-time.After(20 * time.Second):
				t.Errorf("qmpdash %v did not return within 20 s of its context ending", args)
				exit = -1
			}
			outW.Close()
			errW.Close()
			for _, d := range []<-chan struct{}{outDone, errDone} {
				select {
				case <-d:
				case <-time.After(10 * time.Second):
					t.Error("an output reader did not finish within 10 s of its pipe closing")
				}
			}
		})
		return exit
	}
	t.Cleanup(func() { stop() })
	return &bgRun{stdout: stdout, stderr: stderr, stop: stop}
}

// lines reads r line by line into a channel, closed at EOF; done is closed
// after that. It reads to the end so the writer never blocks (a line that
// finds the channel full is dropped).
func lines(t *testing.T, name string, r io.Reader) (_ <-chan string, done <-chan struct{}) {
	ch := make(chan string, 4096)
	fin := make(chan struct{})
	go func() {
		defer close(fin)
		defer close(ch)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			t.Logf("%s: %s", name, sc.Text())
			select {
			case ch <- sc.Text():
			default:
			}
		}
	}()
	return ch, fin
}

// waitFor returns the first line from ch that match accepts, discarding
// the others.
func waitFor(t *testing.T, ch <-chan string, what string, match func(string) bool) string {
	t.Helper()
	deadline := time.After(waitLimit)
	for {
		select {
		case l, ok := <-ch:
			if !ok {
				t.Fatalf("output ended before %s", what)
			}
			if match(l) {
				return l
			}
		case <-deadline:
			t.Fatalf("no %s within %s", what, waitLimit)
		}
	}
}

func contains(s string) func(string) bool {
	return func(l string) bool { return strings.Contains(l, s) }
}

// startVMWithControl starts a VM with a second monitor, NAME-ctl.qmp: one
// monitor serves one client, and the command under test holds the first.
// The control socket goes in ctlDir, apart from dir: a watched directory
// yields every socket in it.
func startVMWithControl(t *testing.T, name, dir, ctlDir string) (*qemutest.VM, string) {
	t.Helper()
	ctl := filepath.Join(ctlDir, name+"-ctl.qmp")
	vm := qemutest.Start(t, qemutest.Options{
		Name: name, Dir: dir,
		Extra: []string{"-qmp", "unix:" + ctl + ",server=on,wait=off"},
	})
	return vm, ctl
}

// control runs commands on the VM's second monitor.
func control(t *testing.T, ctl string, commands ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	c, err := qmp.Dial(ctx, ctl)
	if err != nil {
		t.Fatalf("control monitor: %v", err)
	}
	defer c.Close()
	for _, cmd := range commands {
		if _, err := c.ExecuteRaw(ctx, cmd, nil); err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
	}
}

func TestEventsJSONWithDiscovery(t *testing.T) {
	base := qemutest.Dir(t)
	// No TARGET: discovery looks in $XDG_RUNTIME_DIR/qemu first.
	t.Setenv("XDG_RUNTIME_DIR", base)
	dir := filepath.Join(base, "qemu")
	if err := mkdir(dir); err != nil {
		t.Fatal(err)
	}
	vm, ctl := startVMWithControl(t, "alpha", dir, qemutest.Dir(t))
	started := time.Now()

	ev := startRun(t, "events", "--json", "--interval", "100ms")
	waitFor(t, ev.stderr, "watching note", contains(vm.Socket+": watching"))
	control(t, ctl, "stop", "system_reset", "cont")

	got := map[string]eventRecord{}
	var order []string
	for _, want := range []string{"STOP", "RESET", "RESUME"} {
		line := waitFor(t, ev.stdout, want+" line", func(l string) bool {
			var r eventRecord
			if err := json.Unmarshal([]byte(l), &r); err != nil {
				t.Errorf("not a JSON line: %q: %v", l, err)
				return false
			}
			if _, seen := got[r.Event]; !seen {
				got[r.Event] = r
				order = append(order, r.Event)
			}
			return r.Event == want
		})
		_ = line
	}
	if i, j := indexOf(order, "STOP"), indexOf(order, "RESUME"); i > j {
		t.Errorf("STOP after RESUME: %v", order)
	}
	for name, r := range got {
		if r.Target != vm.Socket || r.VM != "alpha" {
			t.Errorf("%s: target %q vm %q", name, r.Target, r.VM)
		}
		ts, err := time.Parse(time.RFC3339Nano, r.Timestamp)
		if err != nil || !strings.HasSuffix(r.Timestamp, "Z") {
			t.Errorf("%s: timestamp %q: %v", name, r.Timestamp, err)
		}
		// QEMU stamps events with the host clock, so they fall in the test.
		if ts.Before(started.Add(-time.Minute)) || ts.After(time.Now().Add(time.Minute)) {
			t.Errorf("%s: timestamp %s is not QEMU's", name, ts)
		}
	}
	if got["STOP"].Data != nil {
		t.Errorf("STOP has no data, got %s", got["STOP"].Data)
	}
	var reset struct {
		Guest  bool   `json:"guest"`
		Reason string `json:"reason"`
	}
	if err := json.Unmarshal(got["RESET"].Data, &reset); err != nil || reset.Guest || reset.Reason != "host-qmp-system-reset" {
		t.Errorf("RESET data %s: %v", got["RESET"].Data, err)
	}
	if code := ev.stop(); code != exitOK {
		t.Errorf("exit %d after interrupt", code)
	}
}

var humanLine = regexp.MustCompile(`^\d\d:\d\d:\d\d\.\d{6} alpha (STOP|RESUME|RESET)( \{.*\})?$`)

func TestEventsHumanLinesAndReconnect(t *testing.T) {
	dir, ctlDir := qemutest.Dir(t), qemutest.Dir(t)
	vm, ctl := startVMWithControl(t, "alpha", dir, ctlDir)

	ev := startRun(t, "events", "--interval", "100ms", vm.Socket)
	waitFor(t, ev.stderr, "watching note", contains(vm.Socket+": watching"))
	control(t, ctl, "stop")
	stop := waitFor(t, ev.stdout, "STOP line", contains(" STOP"))
	if m := humanLine.FindStringSubmatch(stop); m == nil || m[2] != "" {
		t.Errorf("STOP line %q", stop)
	}
	control(t, ctl, "system_reset")
	reset := waitFor(t, ev.stdout, "RESET line", contains(" RESET"))
	if !humanLine.MatchString(reset) || !strings.HasSuffix(reset, ` {"guest":false,"reason":"host-qmp-system-reset"}`) {
		t.Errorf("RESET line %q", reset)
	}

	// The VM dies and a new one takes its socket: events resume.
	vm.Kill()
	waitFor(t, ev.stderr, "unreachable note", contains(vm.Socket+": unreachable, retrying"))
	vm2, ctl2 := startVMWithControl(t, "alpha", dir, ctlDir)
	if vm2.Socket != vm.Socket || ctl2 != ctl {
		t.Fatalf("new VM at %s, want %s", vm2.Socket, vm.Socket)
	}
	waitFor(t, ev.stderr, "watching note after reconnect", contains(vm.Socket+": watching"))
	control(t, ctl2, "stop")
	if l := waitFor(t, ev.stdout, "STOP after reconnect", contains(" STOP")); !humanLine.MatchString(l) {
		t.Errorf("STOP line %q", l)
	}
	if code := ev.stop(); code != exitOK {
		t.Errorf("exit %d", code)
	}
}

func TestEventsUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"events", "/tmp/[bad"},
		{"events", "tcp:nohost"},
		{"events", "--json=maybe"},
	} {
		if _, stderr, code := runCLI(t, args...); code != exitUsage || !strings.Contains(stderr, "qmpdash: ") {
			t.Errorf("%v: exit %d %q", args, code, stderr)
		}
	}
}

func TestEventsWaitsForSocketsToAppear(t *testing.T) {
	dir := qemutest.Dir(t)
	ev := startRun(t, "events", "--json", dir)
	waitFor(t, ev.stderr, "waiting note", contains("no QMP sockets in "+dir+" yet"))
	// A VM started later in the watched directory is picked up.
	vm, ctl := startVMWithControl(t, "late", dir, qemutest.Dir(t))
	waitFor(t, ev.stderr, "watching note", contains(vm.Socket+": watching"))
	control(t, ctl, "stop")
	l := waitFor(t, ev.stdout, "STOP line", contains(`"event":"STOP"`))
	var r eventRecord
	if err := json.Unmarshal([]byte(l), &r); err != nil || r.VM != "late" || r.Target != vm.Socket {
		t.Errorf("%q: %+v %v", l, r, err)
	}
	if code := ev.stop(); code != exitOK {
		t.Errorf("exit %d", code)
	}
}

func TestEventLinesAreTerminalSafe(t *testing.T) {
	// A hostile VM name and event data must not reach the terminal raw,
	// in either form.
	snap := model.FleetSnapshot{VMs: []model.VMSnapshot{{ID: "unix:/run/x.qmp", Name: "ev\x1b]0;t\x07il\u009b2J"}}}
	e := model.LoggedEvent{Seq: 1, Source: "unix:/run/x.qmp", Name: "BAD\x1b[31m", Data: json.RawMessage("{\"s\":\"\u009b2J\x7f\"}"),
		Time: time.Date(2024, 5, 1, 13, 4, 5, 123456000, time.UTC)}
	for _, asJSON := range []bool{false, true} {
		var buf bytes.Buffer
		(&eventPrinter{json: asJSON}).format(&buf, snap, e)
		out := buf.String()
		if strings.ContainsAny(out, "\x1b\x07\x7f\u009b") || !strings.HasSuffix(out, "\n") || strings.Count(out, "\n") != 1 {
			t.Errorf("json=%v: %q", asJSON, out)
		}
		if asJSON {
			var r eventRecord
			if err := json.Unmarshal(buf.Bytes(), &r); err != nil || r.Target != "/run/x.qmp" || r.Timestamp != "2024-05-01T13:04:05.123456Z" {
				t.Errorf("%+v %v", r, err)
			}
			// Escaping keeps the meaning: the data decodes to what QEMU sent.
			var d struct{ S string }
			if err := json.Unmarshal(r.Data, &d); err != nil || d.S != "\u009b2J\x7f" {
				t.Errorf("data %q %v", d.S, err)
			}
		} else if !strings.Contains(out, " evil BAD {\"s\":\"") || strings.Contains(out, "2J") {
			// The whole sequence goes (CSI 2 J), not just its first byte.
			t.Errorf("human: %q", out)
		}
	}
	if got := string(safeJSON([]byte("\"\xff\""))); got != `"\ufffd"` {
		t.Errorf("safeJSON invalid UTF-8: %s", got)
	}
}

func mkdir(dir string) error { return os.MkdirAll(dir, 0o755) }

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}
