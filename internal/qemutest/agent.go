package qemutest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// agentAllowed are the only commands a host qemu-ga started by StartAgent
// runs: it answers about this machine, so everything that changes it
// (guest-shutdown, suspend, exec, files, time, passwords, freezing) is
// blocked.
var agentAllowed = map[string]bool{
	"guest-sync-delimited": true, "guest-sync": true, "guest-ping": true,
	"guest-info": true, "guest-get-osinfo": true, "guest-get-host-name": true,
	"guest-network-get-interfaces": true, "guest-get-fsinfo": true,
	"guest-get-users": true, "guest-get-timezone": true, "guest-get-time": true,
}

// Agent is one real qemu-ga listening on a unix socket on the host.
type Agent struct {
	Socket string
	Cmd    *exec.Cmd
	done   chan struct{}
}

// StartAgent runs `qemu-ga -m unix-listen -p SOCK` with every command that
// could change this machine blocked, and waits until the socket exists.
// It skips (or fails, when peers are required) without qemu-guest-agent.
func StartAgent(t testing.TB, sock string) *Agent {
	t.Helper()
	bin := RequirePeer(t, "qemu-ga", "qemu-guest-agent")
	out, err := exec.Command(bin, "-b", "help").CombinedOutput()
	if err != nil {
		t.Fatalf("qemu-ga -b help: %v\n%s", err, out)
	}
	var blocked []string
	for _, name := range strings.Fields(string(out)) {
		if !agentAllowed[name] {
			blocked = append(blocked, name)
		}
	}
	dir := filepath.Dir(sock)
	state := shortTempDir(t)
	logf, err := os.Create(filepath.Join(state, "qga.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-m", "unix-listen", "-p", sock,
		"-f", filepath.Join(state, "qga.pid"), "-t", state,
		"-b", strings.Join(blocked, ","))
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("start qemu-ga: %v", err)
	}
	a := &Agent{Socket: sock, Cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); logf.Close(); close(a.done) }()
	t.Cleanup(a.Kill)
	for end := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(sock); err == nil {
			return a
		}
		select {
		case <-a.done:
			log, _ := os.ReadFile(filepath.Join(state, "qga.log"))
			t.Fatalf("qemu-ga exited before listening on %s (dir %s)\n%s", sock, dir, log)
		default:
		}
		if time.Now().After(end) {
			t.Fatalf("qemu-ga did not listen on %s within 10 s", sock)
		}
	}
}

// Kill ends the agent with SIGKILL and waits for it; safe to call again.
func (a *Agent) Kill() {
	_ = a.Cmd.Process.Signal(syscall.SIGKILL)
	select {
	case <-a.done:
	case <-time.After(10 * time.Second):
	}
}

// Exited is closed when the agent has exited.
func (a *Agent) Exited() <-chan struct{} { return a.done }
