package model

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Who listens on a unix socket, from /proc: the socket's inode from
// /proc/net/unix, the processes holding that inode from their
// /proc/PID/fd links, and their command lines. The proc root is a
// parameter so tests can point the readers at a fake tree.

// unixEntry is one bound unix socket of /proc/net/unix.
type unixEntry struct {
	inode uint64
	// path is the name the socket was bound to, as the process gave it
	// (relative if it was given relative).
	path string
}

// procUnixSockets lists the bound, non-abstract unix sockets of the
// reader's network namespace.
func procUnixSockets(root string) ([]unixEntry, error) {
	b, err := procReadFile(filepath.Join(root, "net", "unix"))
	if err != nil {
		return nil, err
	}
	var out []unixEntry
	first := true
	for line := range bytes.SplitSeq(b, []byte{'\n'}) {
		if first { // the header
			first = false
			continue
		}
		if e, ok := parseUnixLine(string(line)); ok {
			out = append(out, e)
		}
	}
	return out, nil
}

// parseUnixLine reads "Num RefCount Protocol Flags Type St Inode Path".
// The path is everything after the inode and one space, so a path with
// spaces in it survives; lines without a path or with an abstract one
// ('@') are not wanted.
func parseUnixLine(line string) (unixEntry, bool) {
	rest := line
	var tok string
	for range 7 {
		rest = strings.TrimLeft(rest, " ")
		i := strings.IndexByte(rest, ' ')
		if i < 0 {
			return unixEntry{}, false // no path
		}
		tok, rest = rest[:i], rest[i+1:]
	}
	ino, err := strconv.ParseUint(tok, 10, 64)
	if err != nil || rest == "" || rest[0] == '@' {
		return unixEntry{}, false
	}
	return unixEntry{inode: ino, path: rest}, true
}

// boundAs lists the entries that may be the socket file at abs: bound to
// that absolute path, or to a relative path that abs ends with (QEMU
// binds the path it was given, relative to a working directory that
// -daemonize changes, so the directory cannot be checked).
func boundAs(entries []unixEntry, abs string) []unixEntry {
	var out []unixEntry
	for _, e := range entries {
		p := filepath.Clean(e.path)
		if p == abs || (!filepath.IsAbs(p) && strings.HasSuffix(abs, "/"+p)) {
			out = append(out, e)
		}
	}
	return out
}

// procSocketOwners walks every process's fd links once and returns, per
// wanted inode, the pids holding it. Processes whose fds cannot be read
// (another user's, or gone) are passed over.
func procSocketOwners(root string, inodes map[uint64]bool) map[uint64][]int {
	out := make(map[uint64][]int)
	if len(inodes) == 0 {
		return out
	}
	procs, err := os.ReadDir(root)
	if err != nil {
		return out
	}
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil || pid <= 0 {
			continue
		}
		fdDir := filepath.Join(root, p.Name(), "fd")
		fds, err := os.ReadDir(fdDir)
		if err != nil {
			continue
		}
		for _, fd := range fds {
			link, err := os.Readlink(filepath.Join(fdDir, fd.Name()))
			if err != nil || !strings.HasPrefix(link, "socket:[") || !strings.HasSuffix(link, "]") {
				continue
			}
			ino, err := strconv.ParseUint(link[len("socket:["):len(link)-1], 10, 64)
			if err == nil && inodes[ino] && !slices.Contains(out[ino], pid) {
				out[ino] = append(out[ino], pid)
			}
		}
	}
	return out
}

// procCmdline reads a process's argv; the exe link's base name is
// returned too ("" when it cannot be read), since argv[0] is whatever
// the process was started as.
func procCmdline(root string, pid int) (argv []string, exe string, err error) {
	dir := filepath.Join(root, strconv.Itoa(pid))
	b, err := procReadFile(filepath.Join(dir, "cmdline"))
	if err != nil {
		return nil, "", err
	}
	b = bytes.TrimSuffix(b, []byte{0})
	if len(b) > 0 {
		for a := range bytes.SplitSeq(b, []byte{0}) {
			argv = append(argv, string(a))
		}
	}
	if l, err := os.Readlink(filepath.Join(dir, "exe")); err == nil {
		exe = filepath.Base(strings.TrimSuffix(l, " (deleted)"))
	}
	return argv, exe, nil
}

// qemuKind tells a QEMU system emulator from qemu-storage-daemon from
// anything else, by the executable's or argv[0]'s base name.
func qemuKind(argv []string, exe string) (system, storageDaemon bool) {
	names := []string{exe}
	if len(argv) > 0 {
		names = append(names, filepath.Base(argv[0]))
	}
	for _, n := range names {
		switch {
		case n == "qemu-storage-daemon":
			return false, true
		case strings.HasPrefix(n, "qemu-system-"), n == "qemu-kvm", n == "kvm":
			return true, false
		}
	}
	return false, false
}

// qemuProcess says whether pid may be taken for a VM's own process: it is
// a QEMU or a storage daemon, or what it is cannot be read (another user's
// process), in which case it is given the benefit of the doubt as before.
func qemuProcess(root string, pid int) bool {
	if pid <= 0 {
		return false
	}
	argv, exe, err := procCmdline(root, pid)
	if err != nil {
		return true
	}
	system, storageDaemon := qemuKind(argv, exe)
	return system || storageDaemon
}
