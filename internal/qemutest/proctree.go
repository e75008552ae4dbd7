package qemutest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// This file ends a server and everything it forked, for certain: the
// sessions of sshd call setsid, so killing its process group misses them,
// and a session forked between a listing of /proc and the kill would live
// on and serve the next login while the test believes the host is down.

// markerEnv names the variable every process of one test server carries
// (the server itself, and through SetEnv the sessions' shells), so a child
// whose parent exited on its own, and so was reparented away from the
// server's tree, is still found.
const markerEnv = "QMPDASH_TEST_SERVER"

// proc identifies one process across pid reuse: pid and start time.
type proc struct {
	pid   int
	start string
}

// statFields is /proc/PID/stat after the command name (whose parentheses
// may hold anything): field 0 is the state, 1 the parent's pid, 19 the
// start time. Nil when the process is gone.
func statFields(pid int) []string {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return nil
	}
	rest := string(b)
	if i := strings.LastIndexByte(rest, ')'); i >= 0 {
		rest = rest[i+1:]
	}
	return strings.Fields(rest)
}

// pids are the numeric entries of /proc.
func pids() []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		if p, err := strconv.Atoi(e.Name()); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// descendants are pid's children, theirs, and so on, from /proc.
func descendants(pid int) []int {
	children := map[int][]int{}
	for _, p := range pids() {
		f := statFields(p)
		if len(f) < 2 {
			continue
		}
		if pp, err := strconv.Atoi(f[1]); err == nil {
			children[pp] = append(children[pp], p)
		}
	}
	var out []int
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			out = append(out, c)
			queue = append(queue, c)
		}
	}
	return out
}

// marked are the processes whose environment holds markerEnv=value.
func marked(value string) []int {
	want := []byte(markerEnv + "=" + value + "\x00")
	var out []int
	for _, p := range pids() {
		b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(p), "environ"))
		if err == nil && bytes.Contains(b, want) {
			out = append(out, p)
		}
	}
	return out
}

// dead says a process no longer runs: gone, a zombie (it holds no file or
// socket any more; its new parent reaps it), or its pid reused.
func (p proc) dead() bool {
	f := statFields(p.pid)
	if len(f) < 20 || f[19] != p.start {
		return true
	}
	return f[0] == "Z" || f[0] == "X"
}

// halted says a process can neither fork nor exit on its own: stopped, or dead.
func (p proc) halted() bool {
	f := statFields(p.pid)
	if len(f) < 20 || f[19] != p.start {
		return true
	}
	switch f[0] {
	case "T", "t", "Z", "X":
		return true
	}
	return false
}

// killTree ends root (if not 0), every descendant of it and every process
// marked with marker, and waits until all are dead, by deadline.
//
// First everything is stopped, top down, until a listing of /proc finds no
// process of the tree that is not stopped: a stopped process can neither
// fork a session nor exit and orphan its children, so the tree is whole and
// still. Only then is each one sent SIGKILL (a stopped process dies of it
// too). It returns an error naming what outlived the deadline.
func killTree(root int, marker string, deadline time.Time) error {
	seen := map[int]proc{}
	add := func(pid int) bool {
		if _, ok := seen[pid]; ok {
			return false
		}
		f := statFields(pid)
		if len(f) < 20 {
			return false // already gone
		}
		seen[pid] = proc{pid, f[19]}
		_ = syscall.Kill(pid, syscall.SIGSTOP)
		return true
	}
	for {
		fresh := false
		if root > 0 { // 0 is the kernel's: its descendants are everything
			fresh = add(root)
			for _, p := range descendants(root) {
				fresh = add(p) || fresh
			}
		}
		for _, p := range marked(marker) {
			fresh = add(p) || fresh
		}
		if !fresh && allOf(seen, proc.halted) {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("could not stop the server's processes: %s", describeProcs(seen, proc.halted))
		}
		time.Sleep(time.Millisecond) // SIGSTOP takes effect asynchronously; /proc is polled
	}
	for pid, p := range seen {
		if !p.dead() {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	if root > 0 {
		_ = syscall.Kill(-root, syscall.SIGKILL)
	}
	for !allOf(seen, proc.dead) {
		if time.Now().After(deadline) {
			return fmt.Errorf("SIGKILL did not end: %s", describeProcs(seen, proc.dead))
		}
		time.Sleep(time.Millisecond)
	}
	return nil
}

func allOf(ps map[int]proc, ok func(proc) bool) bool {
	for _, p := range ps {
		if !ok(p) {
			return false
		}
	}
	return true
}

// describeProcs names the processes that fail ok, with state and command.
func describeProcs(ps map[int]proc, ok func(proc) bool) string {
	var out []string
	for pid, p := range ps {
		if ok(p) {
			continue
		}
		state := "?"
		if f := statFields(pid); len(f) > 0 {
			state = f[0]
		}
		cmd, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
		out = append(out, fmt.Sprintf("pid %d state %s %q", pid, state, bytes.ReplaceAll(cmd, []byte{0}, []byte{' '})))
	}
	return strings.Join(out, "; ")
}
