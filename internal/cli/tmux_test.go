package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemutest"
)

// End-to-end tests drive the real binary in tmux, as a person would.

func requireTmux(t *testing.T) {
	t.Helper()
	qemutest.RequirePeer(t, "tmux", "tmux")
}

// tmuxSession is one detached tmux session running a command.
type tmuxSession struct {
	t    *testing.T
	name string
	sock string
	exit string // the file the pane's shell writes the command's exit status to
}

// startTmux runs command (a shell line) in a new session of the given size,
// on a private tmux server so tests never touch the user's, with state and
// config directories of its own (XDG_STATE_HOME, XDG_CONFIG_HOME).
func startTmux(t *testing.T, width, height int, command string) *tmuxSession {
	t.Helper()
	requireTmux(t)
	dir := shortDir(t)
	s := &tmuxSession{t: t, name: "qd", sock: filepath.Join(dir, "tmux.sock"), exit: filepath.Join(dir, "exit")}
	args := []string{"-S", s.sock, "-f", "/dev/null", "new-session", "-d", "-s", s.name,
		"-x", strconv.Itoa(width), "-y", strconv.Itoa(height),
		"-e", "XDG_STATE_HOME=" + shortDir(t), "-e", "XDG_CONFIG_HOME=" + shortDir(t)}
	// Keep the pane after the command exits so its last words can be read.
	// The exit status goes to a file too: a qmpdash killed mid-frame leaves
	// the cursor anywhere, and the line on screen may wrap.
	args = append(args, command+"; st=$?; echo $st >"+s.exit+"; echo QMPDASH-EXITED=$st; sleep 600")
	if out, err := exec.Command("tmux", args...).CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("tmux", "-S", s.sock, "kill-server").Run() })
	return s
}

func (s *tmuxSession) keys(keys ...string) {
	s.t.Helper()
	args := append([]string{"-S", s.sock, "send-keys", "-t", s.name}, keys...)
	if out, err := exec.Command("tmux", args...).CombinedOutput(); err != nil {
		s.t.Fatalf("send-keys %v: %v\n%s", keys, err, out)
	}
}

// typeText sends literal text.
func (s *tmuxSession) typeText(text string) {
	s.t.Helper()
	if out, err := exec.Command("tmux", "-S", s.sock, "send-keys", "-t", s.name, "-l", text).CombinedOutput(); err != nil {
		s.t.Fatalf("send-keys -l: %v\n%s", err, out)
	}
}

func (s *tmuxSession) screen() string {
	out, err := exec.Command("tmux", "-S", s.sock, "capture-pane", "-p", "-t", s.name).Output()
	if err != nil {
		return ""
	}
	return string(out)
}

// waitScreen waits until the screen satisfies cond. A terminal has no
// change signal to wait on, so this looks every 50 ms until the deadline.
func (s *tmuxSession) waitScreen(what string, limit time.Duration, cond func(string) bool) string {
	s.t.Helper()
	deadline := time.Now().Add(limit)
	for {
		scr := s.screen()
		if cond(scr) {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("timed out waiting for %s; screen:\n%s", what, scr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *tmuxSession) waitText(text string, limit time.Duration) string {
	s.t.Helper()
	return s.waitScreen(fmt.Sprintf("%q on screen", text), limit, func(scr string) bool {
		return strings.Contains(scr, text)
	})
}

// findAction opens the palette, types query and waits until label is
// listed.
func (s *tmuxSession) findAction(query, label string) {
	s.t.Helper()
	s.keys(":")
	s.waitText("type to search actions", 10*time.Second)
	s.typeText(query)
	s.waitText(label, 10*time.Second)
}

// quit presses q and fails unless the command then exits with status 0.
func (s *tmuxSession) quit() {
	s.t.Helper()
	s.keys("q")
	if code := s.waitExit(20 * time.Second); code != 0 {
		s.t.Fatalf("exit status %d; screen:\n%s", code, s.screen())
	}
}

// waitExit waits until the command in the pane has ended and returns its
// exit status.
func (s *tmuxSession) waitExit(limit time.Duration) int {
	s.t.Helper()
	deadline := time.Now().Add(limit)
	for {
		if b, err := os.ReadFile(s.exit); err == nil && strings.HasSuffix(string(b), "\n") {
			code, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err != nil {
				s.t.Fatalf("exit status file %q: %v", b, err)
			}
			return code
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("timed out after %v waiting for the command in tmux to exit; screen:\n%s", limit, s.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// panePID is the pid of the shell running in the pane.
func (s *tmuxSession) panePID() int {
	out, err := exec.Command("tmux", "-S", s.sock, "display-message", "-p", "-t", s.name, "#{pane_pid}").Output()
	if err != nil {
		s.t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	return pid
}

// childrenNamed lists the pids of processes whose parent is ppid and whose
// command name starts with name.
func childrenNamed(ppid int, name string) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		s := string(stat)
		open, closeIdx := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || closeIdx < open {
			continue
		}
		comm := s[open+1 : closeIdx]
		fields := strings.Fields(s[closeIdx+1:])
		if len(fields) < 2 {
			continue
		}
		if pp, _ := strconv.Atoi(fields[1]); pp == ppid && strings.HasPrefix(comm, name) {
			pids = append(pids, pid)
		}
	}
	return pids
}

func alive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// A zombie has exited; only its parent's wait is missing.
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || !strings.HasPrefix(s[i+1:], " Z")
}

func shortDir(t *testing.T) string {
	d, err := os.MkdirTemp("", "qd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}
