package model

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// One remote VM connection's sampling of its host's batches (remoteproc.go).

// remoteSampler is one VM connection's view of its host's /proc.
type remoteSampler struct {
	host    *procHost
	pid     int
	refused int // a pid found to be no QEMU: nothing more is asked
	sampler *ProcSampler
	started time.Time
	seq     uint64 // the batch last sampled
	last    HostFigures
	lastErr error
}

// errPidPending says the pid is still being found.
var errPidPending = fmt.Errorf("remote pid not known yet: %w", os.ErrNotExist)

// sample asks for what the next batch should hold and samples the latest
// one. A batch already sampled gives the previous figures again, marked
// repeat (they are no new sample) and with their own time (At): when the
// host's batches stop arriving, that time stops, and the poll marks them
// stale (hostStale). None yet, or no pid yet, gives an error (no figures).
func (rs *remoteSampler) sample(tids []int) (HostFigures, error) {
	paths := rs.paths(tids)
	rs.host.want(rs, paths)
	b := rs.host.last()
	if b == nil {
		return HostFigures{}, errPidPending
	}
	if b.seq == rs.seq {
		last := rs.last
		last.repeat = true
		return last, rs.lastErr
	}
	rs.seq = b.seq
	rs.last, rs.lastErr = rs.sampleBatch(b, tids, paths)
	return rs.last, rs.lastErr
}

// paths are the files the next batch should hold for this VM: a vCPU
// thread's status and cmdline until the pid is known, then the process's
// and its vCPU threads' figures. RSS comes from status's VmRSS (in kB),
// not statm (in pages of a size only the remote host knows).
func (rs *remoteSampler) paths(tids []int) []string {
	var paths []string
	switch {
	case rs.refused != 0:
		return nil
	case rs.pid == 0:
		for _, t := range tids {
			if t > 0 {
				dir := "/proc/" + strconv.Itoa(t)
				paths = append(paths, dir+"/status", dir+"/cmdline")
				break
			}
		}
	default:
		dir := "/proc/" + strconv.Itoa(rs.pid)
		paths = append(paths, dir+"/stat", dir+"/status")
		for _, t := range tids {
			if t > 0 {
				paths = append(paths, fmt.Sprintf("%s/task/%d/stat", dir, t))
			}
		}
		if rs.started.IsZero() {
			paths = append(paths, "/proc/stat")
		}
	}
	slices.Sort(paths)
	return paths
}

func (rs *remoteSampler) sampleBatch(b *procBatch, tids []int, paths []string) (HostFigures, error) {
	if b.err != nil {
		return HostFigures{}, b.err
	}
	if rs.refused != 0 {
		return HostFigures{}, fmt.Errorf("remote pid %d is no QEMU: %w", rs.refused, os.ErrNotExist)
	}
	if rs.pid == 0 {
		return HostFigures{}, rs.findPID(b, paths)
	}
	if b.up <= 0 {
		return HostFigures{}, fmt.Errorf("hostproc: remote %s: %w", procUptime, ErrProcFormat)
	}
	rs.sampler.read = remoteRead(b)
	// The remote uptime as a time: the sampler needs only differences.
	fig, err := rs.sampler.Sample(time.Time{}.Add(b.up), tids)
	fig.At = b.at
	if err == nil && rs.started.IsZero() {
		if t, err := procStartTime(b.read, "/proc", rs.pid); err == nil {
			rs.started = t
		}
	}
	return fig, err
}

// findPID takes the Tgid of the vCPU thread asked for, if that thread's
// cmdline is QEMU's, as the local path does (vm.go connected): a peer
// that is no QEMU (qmpdash sim, which makes thread IDs up) would
// otherwise show some unrelated process's figures as the VM's.
func (rs *remoteSampler) findPID(b *procBatch, paths []string) error {
	for _, p := range paths {
		dir, ok := strings.CutSuffix(p, "/status")
		if !ok {
			continue
		}
		st, err := b.read(p)
		if err != nil {
			continue
		}
		pid, err := procParseTgid(st)
		if err != nil {
			continue
		}
		cmd, err := b.read(dir + "/cmdline")
		if err != nil {
			continue // gone between the reads; try again next batch
		}
		if system, storage := qemuKind(procSplitCmdline(cmd), ""); !system && !storage {
			rs.refused = pid
			return fmt.Errorf("remote pid %d is no QEMU: %w", pid, os.ErrNotExist)
		}
		rs.pid = pid
		rs.sampler = &ProcSampler{root: "/proc", pid: pid}
	}
	return errPidPending
}

// remoteRead reads a batch, without statm: its pages are the remote
// host's size, so RSS is read from status's VmRSS (procReadRSS's fallback).
func remoteRead(b *procBatch) procFiles {
	return func(p string) ([]byte, error) {
		if strings.HasSuffix(p, "/statm") {
			return nil, fmt.Errorf("hostproc: remote %s not read: %w", p, os.ErrNotExist)
		}
		return b.read(p)
	}
}

// procSplitCmdline splits a batch's cmdline (NUL-separated, and ended by
// the newline parseProcBatch adds) into argv.
func procSplitCmdline(b []byte) []string {
	b = bytes.TrimSuffix(bytes.TrimSuffix(b, []byte{'\n'}), []byte{0})
	if len(b) == 0 {
		return nil
	}
	var argv []string
	for a := range bytes.SplitSeq(b, []byte{0}) {
		argv = append(argv, string(a))
	}
	return argv
}

// procParseTgid reads the Tgid (the process a thread belongs to) from a
// /proc/TID/status file.
func procParseTgid(b []byte) (int, error) {
	for line := range bytes.SplitSeq(b, []byte{'\n'}) {
		if v, ok := bytes.CutPrefix(line, []byte("Tgid:")); ok {
			n, err := strconv.Atoi(string(bytes.TrimSpace(v)))
			if err != nil || n <= 0 {
				return 0, fmt.Errorf("%w: Tgid %q", ErrProcFormat, v)
			}
			return n, nil
		}
	}
	return 0, fmt.Errorf("%w: no Tgid", ErrProcFormat)
}
