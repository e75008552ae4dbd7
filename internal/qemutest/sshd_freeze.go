package qemutest

import (
	"syscall"
	"testing"
	"time"
)

// Freeze stops (SIGSTOP) every process serving the server's connections:
// the descendants of the listener, not the listener itself. To a client
// this is a host whose sshd hangs or whose network is cut: the TCP
// connection stays open and the kernel still acknowledges, but nothing
// answers. It returns once every one of them is stopped (failing the test
// if none serves a connection, or by 20 s), and continues them (SIGCONT)
// in t.Cleanup, which runs before the server's own Kill since StartSSHD
// registered that earlier.
func (s *SSHD) Freeze(t testing.TB) {
	t.Helper()
	s.mu.Lock()
	cmd := s.cmd
	s.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		t.Fatal("Freeze: sshd is not running")
	}
	root := cmd.Process.Pid
	seen := map[int]proc{}
	t.Cleanup(func() {
		for pid, p := range seen {
			if !p.dead() { // not a process that reused the pid
				_ = syscall.Kill(pid, syscall.SIGCONT)
			}
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	// As in killTree: stop what is listed until a listing finds nothing
	// new and everything stopped, so no session forks a child left running.
	for {
		fresh := false
		for _, pid := range descendants(root) {
			if _, ok := seen[pid]; ok {
				continue
			}
			f := statFields(pid)
			if len(f) < 20 {
				continue
			}
			seen[pid] = proc{pid, f[19]}
			_ = syscall.Kill(pid, syscall.SIGSTOP)
			fresh = true
		}
		if !fresh && allOf(seen, proc.halted) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Freeze: could not stop sshd's sessions: %s", describeProcs(seen, proc.halted))
		}
		time.Sleep(time.Millisecond) // SIGSTOP takes effect asynchronously; /proc is polled
	}
	if len(seen) == 0 {
		t.Fatal("Freeze: sshd serves no connection")
	}
}
