package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/qmpdash/qmpdash/internal/qemutest"
)

func TestStatusUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"status", "/tmp/[bad"},
		{"status", "--bogus", "x"},
		{"status", "--timeout", "soon", "x"},
		{"status", "--timeout", "-1s", "x"},
		{"status", "tcp:nohost"},
		{"frobnicate"},
	} {
		_, stderr, code := runCLI(t, args...)
		if code != exitUsage || !strings.Contains(stderr, "qmpdash") {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
	if _, _, code := runCLI(t, "status", "--help"); code != exitOK {
		t.Errorf("--help exit %d", code)
	}
}

func TestStatusJSONAgainstRealQEMU(t *testing.T) {
	dir := qemutest.Dir(t)
	running := qemutest.Start(t, qemutest.Options{Name: "alpha", Dir: dir})
	paused := qemutest.Start(t, qemutest.Options{Name: "beta", Dir: dir, Paused: true})

	out, stderr, code := runCLI(t, "status", "--json", running.Socket, "unix:"+paused.Socket)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	var recs []statusRecord
	if err := json.Unmarshal([]byte(out), &recs); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(recs) != 2 {
		t.Fatalf("%d records", len(recs))
	}
	a, b := recs[0], recs[1]
	if a.Name != "alpha" || a.Status != "running" || !a.Running || a.PID != running.PID() || !strings.HasPrefix(a.QEMU, "7.") || a.Error != nil {
		t.Errorf("alpha: %+v", a)
	}
	if b.Name != "beta" || b.Status != "prelaunch" || b.Running || b.PID != paused.PID() || b.Target != "unix:"+paused.Socket {
		t.Errorf("beta: %+v", b)
	}
}

func TestStatusOfAStorageDaemon(t *testing.T) {
	dir := qemutest.Dir(t)
	vm := qemutest.Start(t, qemutest.Options{Name: "delta", Dir: dir})
	sd := qemutest.StartStorageDaemon(t, qemutest.StorageOptions{Name: "store", Dir: dir})
	out, stderr, code := runCLI(t, "status", "--json", vm.Socket, sd.Socket)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s\n%s", code, stderr, out)
	}
	var recs []statusRecord
	if err := json.Unmarshal([]byte(out), &recs); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if v := recs[0]; v.Kind != "vm" || v.Status != "running" || v.Error != nil {
		t.Errorf("VM: %+v", v)
	}
	if d := recs[1]; d.Kind != "storage-daemon" || d.Status != "storage-daemon" || !d.Running || d.Name != "store" ||
		d.PID != sd.PID() || !strings.HasPrefix(d.QEMU, "7.") || d.Error != nil {
		t.Errorf("storage daemon: %+v", d)
	}
	table, _, code := runCLI(t, "status", sd.Socket)
	if code != exitOK || !strings.Contains(table, "storage-daemon") || strings.Contains(table, "CommandNotFound") {
		t.Fatalf("exit %d, table:\n%s", code, table)
	}
}

func TestStatusReportsFailuresWithKind(t *testing.T) {
	dir := qemutest.Dir(t)
	vm := qemutest.Start(t, qemutest.Options{Name: "gamma", Dir: dir})
	out, _, code := runCLI(t, "status", "--json", "--timeout", "10s", vm.Socket, dir+"/missing.qmp")
	if code != exitFail {
		t.Fatalf("exit %d, want 1", code)
	}
	var recs []statusRecord
	if err := json.Unmarshal([]byte(out), &recs); err != nil {
		t.Fatal(err)
	}
	if recs[0].Error != nil || recs[1].Error == nil || recs[1].Error.Kind != "connect" || recs[1].Error.Message == "" {
		t.Fatalf("records %+v %+v", recs[0], recs[1].Error)
	}
	// The table names the kind too.
	table, _, _ := runCLI(t, "status", vm.Socket, dir+"/missing.qmp")
	if !strings.Contains(table, "gamma") || !strings.Contains(table, "[connect]") {
		t.Fatalf("table:\n%s", table)
	}
}

func TestStatusExpandsDirectoriesAndGlobs(t *testing.T) {
	dir := qemutest.Dir(t)
	qemutest.Start(t, qemutest.Options{Name: "one", Dir: dir})
	qemutest.Start(t, qemutest.Options{Name: "two", Dir: dir, Paused: true})
	for _, arg := range []string{dir, dir + "/*.qmp"} {
		out, stderr, code := runCLI(t, "status", "--json", arg)
		if code != exitOK {
			t.Fatalf("%s: exit %d %s", arg, code, stderr)
		}
		var recs []statusRecord
		if err := json.Unmarshal([]byte(out), &recs); err != nil {
			t.Fatal(err)
		}
		if len(recs) != 2 || recs[0].Name != "one" || recs[1].Name != "two" || recs[1].Status != "prelaunch" {
			t.Fatalf("%s: %+v", arg, recs)
		}
	}
	empty := qemutest.Dir(t)
	if _, stderr, code := runCLI(t, "status", empty); code != exitFail || !strings.Contains(stderr, "no QMP sockets") {
		t.Fatalf("empty dir: exit %d %q", code, stderr)
	}
}
