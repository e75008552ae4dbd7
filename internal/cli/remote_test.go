package cli

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemutest"
)

// sshHome points the ssh client qmpdash runs as OpenSSH would at a home of
// the test's own (known_hosts with sshd's key, a key it accepts), with no
// agent: the machine's ~/.ssh is never read.
func sshHome(t *testing.T, sshd *qemutest.SSHD) string {
	t.Helper()
	home := sshd.ClientHome(t)
	t.Setenv("HOME", home)
	t.Setenv("SSH_AUTH_SOCK", "")
	t.Setenv("USER", sshd.User)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	return home
}

func TestStatusAndExecOverSSH(t *testing.T) {
	sshd := qemutest.StartSSHD(t)
	sshHome(t, sshd)
	dir := qemutest.Dir(t)
	run := qemutest.Start(t, qemutest.Options{Name: "east", Dir: dir})
	qemutest.Start(t, qemutest.Options{Name: "west", Dir: dir, Paused: true})

	out, stderr, code := runCLI(t, "status", "--json", sshd.Target(dir))
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	var recs []statusRecord
	if err := json.Unmarshal([]byte(out), &recs); err != nil || len(recs) != 2 {
		t.Fatalf("records %s: %v", out, err)
	}
	for _, r := range recs {
		want := map[string]string{"east": "running", "west": "prelaunch"}[r.Name]
		if want == "" || r.Status != want || r.Error != nil || !strings.HasPrefix(r.Target, "ssh://") || r.PID != 0 {
			t.Errorf("record %+v", r)
		}
	}

	out, stderr, code = runCLI(t, "exec", sshd.Target(run.Socket), "query-status")
	if code != exitOK || !strings.Contains(out, `"running"`) {
		t.Fatalf("exec: exit %d, out %q, stderr %q", code, out, stderr)
	}
	out, _, code = runCLI(t, "exec", sshd.Target(run.Socket), "stop")
	if code != exitOK {
		t.Fatalf("exec stop: exit %d %s", code, out)
	}
	out, _, _ = runCLI(t, "exec", sshd.Target(run.Socket), "query-status")
	if !strings.Contains(out, `"paused"`) {
		t.Fatalf("stop over ssh did not stop the VM: %s", out)
	}
}

func TestUnknownHostKeyRefusedByStatus(t *testing.T) {
	sshd := qemutest.StartSSHD(t)
	home := sshHome(t, sshd)
	if err := os.WriteFile(filepath.Join(home, ".ssh", "known_hosts"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	vm := qemutest.Start(t, qemutest.Options{Name: "x"})
	out, _, code := runCLI(t, "status", "--json", sshd.Target(vm.Socket))
	if code == exitOK || !strings.Contains(out, "not in known_hosts") || !strings.Contains(out, "ssh-keyscan") {
		t.Fatalf("exit %d, out %s", code, out)
	}
	if strings.Contains(sshd.Log(), "Accepted") {
		t.Fatal("logged in to a host whose key is unknown")
	}
	// Only the explicit flag connects, and it says so.
	out, stderr, code := runCLI(t, "status", "--json", "--insecure-ignore-host-key", sshd.Target(vm.Socket))
	if code != exitOK || !strings.Contains(out, `"running"`) || !strings.Contains(stderr, "NOT checked") {
		t.Fatalf("insecure: exit %d out %s stderr %s", code, out, stderr)
	}
}

func TestEventsAndHostTableOverSSH(t *testing.T) {
	sshd := qemutest.StartSSHD(t)
	home := sshHome(t, sshd)
	dir, ctlDir := qemutest.Dir(t), qemutest.Dir(t)
	vm, ctl := startVMWithControl(t, "north", dir, ctlDir)
	conf := fmt.Sprintf("[hosts.lab]\nssh = \"%s@127.0.0.1:%d\"\ntargets = [%q]\n", sshd.User, sshd.Port, dir)
	if err := os.MkdirAll(filepath.Join(home, ".config", "qmpdash"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".config", "qmpdash", "config.toml"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	ev := startRun(t, "events", "--json", "--host", "lab")
	waitFor(t, ev.stderr, "watching note", contains(": watching"))
	control(t, ctl, "stop")
	line := waitFor(t, ev.stdout, "STOP over ssh", contains(`"STOP"`))
	var r eventRecord
	if err := json.Unmarshal([]byte(line), &r); err != nil || r.VM != "north" || r.Target != sshd.Target(vm.Socket) {
		t.Fatalf("event %s: %+v %v", line, r, err)
	}
	if code := ev.stop(); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if _, stderr, code := runCLI(t, "status", "--host", "nosuch"); code != exitUsage || !strings.Contains(stderr, "hosts: lab") {
		t.Fatalf("unknown --host: exit %d stderr %s", code, stderr)
	}
}

func TestExporterOverSSH(t *testing.T) {
	sshd := qemutest.StartSSHD(t)
	sshHome(t, sshd)
	dir := qemutest.Dir(t)
	qemutest.Start(t, qemutest.Options{Name: "far", Dir: dir})
	client := &http.Client{Timeout: 5 * time.Second}
	addr := startExporter(t, client, "http", "--interval", "200ms", sshd.Target(dir))
	waitScrape(t, client, "http://"+addr+"/metrics", 30*time.Second, map[string]string{
		`qemu_vm_up{vm="far"}`:                      "1",
		`qemu_vm_status{status="running",vm="far"}`: "1",
	})
}
