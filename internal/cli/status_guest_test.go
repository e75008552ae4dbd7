package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemutest"
	"github.com/qmpdash/qmpdash/internal/sim"
)

// guestJSON is a status record with its "guest" object decoded.
type guestJSON struct {
	Name  string
	Error *statusError
	Guest *struct {
		Agent, Hostname, OS, Kernel string
		Interfaces                  []statusIface
		Filesystems                 []statusFS
		Error                       *statusError
	}
}

// runStatusJSON runs status --json with a hang detector (not a speed
// check: a silent agent must cost about one timeout, never forever).
func runStatusJSON(t *testing.T, args ...string) ([]guestJSON, int, string) {
	t.Helper()
	type result struct {
		out, errs string
		code      int
	}
	done := make(chan result, 1)
	go func() {
		out, errs, code := runCLI(t, append([]string{"status", "--json"}, args...)...)
		done <- result{out, errs, code}
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("status hung")
	}
	var recs []guestJSON
	if err := json.Unmarshal([]byte(r.out), &recs); err != nil {
		t.Fatalf("not JSON (exit %d, %s): %v\n%s", r.code, r.errs, err, r.out)
	}
	return recs, r.code, r.out
}

// A real qemu-ga beside a real VM's monitor: its facts (this host's)
// under "guest", in the shape; the table shows hostname and IP.
func TestStatusGuestFromRealAgent(t *testing.T) {
	dir := qemutest.Dir(t)
	vm := qemutest.Start(t, qemutest.Options{Name: "vm", Dir: dir})
	qemutest.StartAgent(t, filepath.Join(dir, "vm.qga"))
	recs, code, out := runStatusJSON(t, vm.Socket)
	host, _ := os.Hostname()
	g := recs[0].Guest
	if code != exitOK || g == nil || g.Error != nil || g.Hostname != host || g.Agent == "" || g.OS == "" || g.Kernel == "" ||
		len(g.Interfaces) == 0 || len(g.Filesystems) == 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	for _, k := range []string{`"agent"`, `"hostname"`, `"os"`, `"kernel"`, `"interfaces"`, `"name"`, `"mac"`, `"addresses"`,
		`"filesystems"`, `"mountpoint"`, `"type"`, `"used"`, `"total"`} {
		if !strings.Contains(out, k) {
			t.Errorf("no %s in\n%s", k, out)
		}
	}
	table, _, code := runCLI(t, "status", vm.Socket)
	if code != exitOK || !strings.Contains(table, "GUEST") || !strings.Contains(table, host) {
		t.Fatalf("exit %d table:\n%s", code, table)
	}
}

// A real VM whose virtserialport's guest runs no agent (the VM serves the
// chardev; QOM names it): "guest" says so, the VM is fine, exit 0. A VM
// with no agent channel has no "guest" at all.
func TestStatusGuestNoAgentInside(t *testing.T) {
	dir := qemutest.Dir(t)
	vm := qemutest.Start(t, qemutest.Options{Name: "vm", Dir: dir, Extra: qemutest.AgentPort(filepath.Join(dir, "x-agent.sock"))})
	plain := qemutest.Start(t, qemutest.Options{Name: "plain", Dir: qemutest.Dir(t)})
	recs, code, out := runStatusJSON(t, "--timeout", "5s", vm.Socket, plain.Socket)
	if code != exitOK || recs[0].Error != nil || recs[0].Guest == nil || recs[0].Guest.Error == nil ||
		recs[0].Guest.Error.Kind != guestKindPortClosed || !strings.Contains(recs[0].Guest.Error.Message, "x-agent.sock") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if recs[1].Guest != nil || strings.Count(out, `"guest"`) != 1 {
		t.Fatalf("a VM without an agent channel has a guest:\n%s", out)
	}
}

// An agent that accepts and never answers (a scripted fake: a real one
// always answers): an error of kind timeout under "guest", the VM still
// fine, exit 0, and no hang.
func TestStatusGuestSilentAgent(t *testing.T) {
	dir := qemutest.Dir(t)
	vm := qemutest.Start(t, qemutest.Options{Name: "vm", Dir: dir})
	a, err := sim.ListenAgent(filepath.Join(dir, "vm.qga"), sim.AgentFacts{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	a.SetSilent(true)
	recs, code, out := runStatusJSON(t, "--timeout", "2s", vm.Socket)
	if code != exitOK || recs[0].Error != nil || recs[0].Name != "vm" || recs[0].Guest == nil || recs[0].Guest.Error == nil ||
		recs[0].Guest.Error.Kind != "timeout" {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

// The config's [agents] names the agent of a target: found anywhere.
func TestStatusGuestFromConfig(t *testing.T) {
	dir := qemutest.Dir(t)
	vm := qemutest.Start(t, qemutest.Options{Name: "vm", Dir: dir})
	sock := filepath.Join(qemutest.Dir(t), "elsewhere.sock")
	qemutest.StartAgent(t, sock)
	cfg := filepath.Join(t.TempDir(), "config.toml")
	text := "[agents]\n\"unix:" + vm.Socket + "\" = \"" + sock + "\"\n"
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	recs, code, out := runStatusJSON(t, "--config", cfg, vm.Socket)
	host, _ := os.Hostname()
	if code != exitOK || recs[0].Guest == nil || recs[0].Guest.Hostname != host {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}
