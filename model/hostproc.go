package model

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// Host figures of a local QEMU process, read from /proc. The proc root is a
// parameter so tests can point the readers at a fake tree.

// UserHZ is the unit of the CPU times in /proc/PID/stat (clock ticks per
// second, sysconf(_SC_CLK_TCK)). The kernel exports USER_HZ to userspace,
// which is 100 on every Linux architecture Go supports, whatever the
// kernel's internal HZ; it is a variable only so an exotic system can be
// accommodated without a code change. Values below 1 are treated as 100.
var UserHZ = 100

// ErrProcFormat is wrapped by errors about /proc files whose content is not
// what the kernel writes (truncated, garbled, or not a proc file at all).
var ErrProcFormat = errors.New("unexpected /proc file format")

// procMaxFile bounds how much of any /proc file is read: the files used
// here are a few KiB at most, and a fake or broken tree must not make the
// dashboard swallow something huge.
const procMaxFile = 1 << 20

// procPageSize converts statm's page counts to bytes.
var procPageSize = uint64(os.Getpagesize())

// HostFigures is what the host says about a process at one moment.
type HostFigures struct {
	// CPUPercent is user+system CPU of the whole process since the
	// previous Sample, as % of one core (so it may exceed 100 on a
	// multi-core host). Meaningful only when Valid.
	CPUPercent float64
	RSSBytes   uint64
	Threads    int
	// VCPUPercent is, per requested thread ID, the CPU that thread used
	// since the previous Sample as % of one core, clamped to [0,100]. A TID
	// seen for the first time, or one that has exited, has no entry; the map
	// is nil when no TIDs were asked for.
	VCPUPercent map[int]float64
	// CPUSeconds is the process's user+system CPU time so far, and
	// VCPUSeconds each sampled thread's (by TID): the kernel's cumulative
	// counters in seconds, known from the first Sample on.
	CPUSeconds  float64
	VCPUSeconds map[int]float64
	// Valid is false on the first Sample (no interval to measure over) and
	// after the baseline was lost (the pid now names a different process,
	// or the clock went backwards).
	Valid bool
	// At is when the figures were read: the poll's time for a local
	// process, the start of the batch's fetch for a remote one (remoteproc.go).
	At time.Time
	// repeat marks the figures of a sample already given (a remote host's
	// batch sampled twice): shown again, but no new point of any history.
	repeat bool
}

// ProcSampler samples one process by pid. It keeps the previous CPU times
// to turn the kernel's cumulative counters into percentages. It is not safe
// for concurrent use: one poller owns it.
type ProcSampler struct {
	root string
	pid  int
	read procFiles // procReadFile, or a remote host's batch (remoteproc.go)

	have      bool // a baseline exists
	prevTime  time.Time
	prevTicks uint64
	startTime uint64 // process start, to notice the pid being reused
	prevTID   map[int]uint64
}

// NewProcSampler returns a sampler for pid under procRoot ("" means /proc).
func NewProcSampler(procRoot string, pid int) *ProcSampler {
	if procRoot == "" {
		procRoot = "/proc"
	}
	return &ProcSampler{root: procRoot, pid: pid, read: procReadFile}
}

// procFiles reads one /proc file; a missing one wraps os.ErrNotExist.
type procFiles func(path string) ([]byte, error)

// Sample reads the process's figures at now. vcpuTIDs are the host thread
// IDs of the VM's vCPUs (query-cpus-fast thread-id); only those are
// sampled, and only they are remembered for the next call.
//
// A process that does not exist gives an error wrapping os.ErrNotExist.
// On any error the previous baseline is kept, so the next successful
// Sample measures from the last good one.
func (s *ProcSampler) Sample(now time.Time, vcpuTIDs []int) (HostFigures, error) {
	var fig HostFigures
	if s.pid <= 0 {
		return fig, fmt.Errorf("hostproc: pid %d: %w", s.pid, os.ErrNotExist)
	}
	dir := filepath.Join(s.root, strconv.Itoa(s.pid))

	st, err := procReadStatWith(s.read, filepath.Join(dir, "stat"))
	if err != nil {
		return fig, err
	}
	if s.have && st.startTime != s.startTime {
		// The pid now belongs to a process started later: QEMU is gone,
		// and nothing of this one is the VM's.
		return HostFigures{}, fmt.Errorf("pid %d: %w (a new process has the pid)", s.pid, os.ErrNotExist)
	}
	rss, err := procReadRSS(s.read, dir)
	if err != nil {
		return fig, err
	}
	fig.RSSBytes = rss
	fig.Threads = st.threads
	fig.CPUSeconds = tickSeconds(st.ticks())

	// Read every thread before touching the baseline, so an error leaves
	// the sampler as it was.
	tidTicks := make(map[int]uint64, len(vcpuTIDs))
	for _, tid := range vcpuTIDs {
		if tid <= 0 {
			continue
		}
		ts, err := procReadStatWith(s.read, filepath.Join(dir, "task", strconv.Itoa(tid), "stat"))
		if errors.Is(err, os.ErrNotExist) {
			continue // thread exited (vCPU unplugged); not an error for the process
		}
		if err != nil {
			return HostFigures{}, err
		}
		tidTicks[tid] = ts.ticks()
	}

	dt := now.Sub(s.prevTime)
	fig.Valid = s.have && st.startTime == s.startTime && dt > 0
	fig.At = now
	if len(vcpuTIDs) > 0 {
		fig.VCPUPercent = make(map[int]float64, len(tidTicks))
		fig.VCPUSeconds = make(map[int]float64, len(tidTicks))
		for tid, ticks := range tidTicks {
			fig.VCPUSeconds[tid] = tickSeconds(ticks)
		}
	}
	if fig.Valid {
		fig.CPUPercent = procPercent(s.prevTicks, st.ticks(), dt)
		for tid, cur := range tidTicks {
			if prev, ok := s.prevTID[tid]; ok {
				fig.VCPUPercent[tid] = min(procPercent(prev, cur, dt), 100)
			}
		}
	}

	s.have = true
	s.prevTime = now
	s.prevTicks = st.ticks()
	s.startTime = st.startTime
	s.prevTID = tidTicks
	return fig, nil
}

// tickSeconds is a count of clock ticks in seconds.
func tickSeconds(ticks uint64) float64 {
	hz := UserHZ
	if hz < 1 {
		hz = 100
	}
	return float64(ticks) / float64(hz)
}

// procPercent is the CPU used between two tick counts dt apart, as % of
// one core. Counts that went backwards give 0.
func procPercent(prev, cur uint64, dt time.Duration) float64 {
	hz := UserHZ
	if hz < 1 {
		hz = 100
	}
	if cur < prev || dt <= 0 {
		return 0
	}
	return float64(cur-prev) * 100 / (float64(hz) * dt.Seconds())
}

// procStat holds the fields of /proc/PID/stat this package uses.
type procStat struct {
	utime, stime uint64
	threads      int
	startTime    uint64
}

func (p procStat) ticks() uint64 { return p.utime + p.stime }

func procReadStatWith(read procFiles, path string) (procStat, error) {
	b, err := read(path)
	if err != nil {
		return procStat{}, err
	}
	st, err := procParseStat(b)
	if err != nil {
		return procStat{}, fmt.Errorf("hostproc: %s: %w", path, err)
	}
	return st, nil
}

// procParseStat parses a /proc/PID/stat line. The second field is the
// command name in parentheses, and the name may itself contain spaces and
// parentheses (a process may call itself anything), so the fields after it
// begin after the LAST ')' in the line.
func procParseStat(b []byte) (procStat, error) {
	open := bytes.IndexByte(b, '(')
	closing := bytes.LastIndexByte(b, ')')
	if open < 0 || closing < open {
		return procStat{}, fmt.Errorf("%w: no (comm) field", ErrProcFormat)
	}
	rest := bytes.Fields(b[closing+1:])
	// rest[0] is field 3 (state), so field N (1-based, as in proc(5)) is
	// rest[N-3]. Needed: utime 14, stime 15, num_threads 20, starttime 22.
	field := func(n int) []byte { return rest[n-3] }
	if len(rest) < 22-2 {
		return procStat{}, fmt.Errorf("%w: stat has %d fields after comm, want at least 20", ErrProcFormat, len(rest))
	}
	var st procStat
	var err error
	if st.utime, err = procParseUint(field(14), "utime"); err != nil {
		return procStat{}, err
	}
	if st.stime, err = procParseUint(field(15), "stime"); err != nil {
		return procStat{}, err
	}
	if st.startTime, err = procParseUint(field(22), "starttime"); err != nil {
		return procStat{}, err
	}
	if math.MaxUint64-st.utime < st.stime {
		return procStat{}, fmt.Errorf("%w: utime+stime overflows", ErrProcFormat)
	}
	n, err := strconv.ParseInt(string(field(20)), 10, 32)
	if err != nil || n < 0 {
		return procStat{}, fmt.Errorf("%w: num_threads %q", ErrProcFormat, field(20))
	}
	st.threads = int(n)
	return st, nil
}

func procParseUint(b []byte, name string) (uint64, error) {
	v, err := strconv.ParseUint(string(b), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %s %q", ErrProcFormat, name, b)
	}
	return v, nil
}

// procReadRSS gives the resident set size from statm (resident pages), or
// from status's VmRSS line where statm is absent.
func procReadRSS(read procFiles, dir string) (uint64, error) {
	path := filepath.Join(dir, "statm")
	b, err := read(path)
	if errors.Is(err, os.ErrNotExist) {
		return procReadVmRSS(read, filepath.Join(dir, "status"))
	}
	if err != nil {
		return 0, err
	}
	f := bytes.Fields(b)
	if len(f) < 2 {
		return 0, fmt.Errorf("hostproc: %s: %w: %d fields", path, ErrProcFormat, len(f))
	}
	pages, err := procParseUint(f[1], "resident")
	if err != nil {
		return 0, fmt.Errorf("hostproc: %s: %w", path, err)
	}
	if pages > math.MaxUint64/procPageSize {
		return 0, fmt.Errorf("hostproc: %s: %w: resident pages overflow", path, ErrProcFormat)
	}
	return pages * procPageSize, nil
}

func procReadVmRSS(read procFiles, path string) (uint64, error) {
	b, err := read(path)
	if err != nil {
		return 0, err
	}
	kv, err := procParseKB(b)
	if err != nil {
		return 0, fmt.Errorf("hostproc: %s: %w", path, err)
	}
	rss, ok := kv["VmRSS"]
	if !ok {
		return 0, fmt.Errorf("hostproc: %s: %w: no VmRSS", path, ErrProcFormat)
	}
	return rss, nil
}

// procParseKB parses "Key:   1234 kB" lines (status, meminfo) into bytes.
// Lines of other shapes (no kB unit, text values) are skipped, since both
// files mix them in; a kB line with a bad number is an error.
func procParseKB(b []byte) (map[string]uint64, error) {
	out := make(map[string]uint64)
	for line := range bytes.SplitSeq(b, []byte{'\n'}) {
		key, val, ok := bytes.Cut(line, []byte{':'})
		if !ok {
			continue
		}
		f := bytes.Fields(val)
		if len(f) != 2 || string(f[1]) != "kB" {
			continue
		}
		n, err := procParseUint(f[0], string(key))
		if err != nil {
			return nil, err
		}
		if n > math.MaxUint64/1024 {
			return nil, fmt.Errorf("%w: %s overflows", ErrProcFormat, key)
		}
		out[string(key)] = n * 1024
	}
	return out, nil
}

// procReadFile reads at most procMaxFile bytes of path. A process that
// exits while its files are being read gives ESRCH rather than ENOENT;
// both are reported as os.ErrNotExist so callers have one case to handle.
func procReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, procNotExist(fmt.Errorf("hostproc: %w", err))
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, procMaxFile+1))
	if err != nil {
		return nil, procNotExist(fmt.Errorf("hostproc: read %s: %w", path, err))
	}
	if len(b) > procMaxFile {
		return nil, fmt.Errorf("hostproc: %s: %w: larger than %d bytes", path, ErrProcFormat, procMaxFile)
	}
	return b, nil
}

func procNotExist(err error) error {
	if errors.Is(err, syscall.ESRCH) && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w (%w)", os.ErrNotExist, err)
	}
	return err
}
