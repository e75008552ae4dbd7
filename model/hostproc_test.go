package model

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fakeStat builds a /proc/PID/stat line as the kernel writes it (52
// fields) with the given comm, CPU ticks, thread count and start time.
func fakeStat(pid int, comm string, utime, stime uint64, threads int, start uint64) string {
	f := make([]string, 52)
	for i := range f {
		f[i] = "0"
	}
	f[0] = strconv.Itoa(pid)
	f[1] = "(" + comm + ")"
	f[2] = "S"
	f[13] = strconv.FormatUint(utime, 10)
	f[14] = strconv.FormatUint(stime, 10)
	f[19] = strconv.Itoa(threads)
	f[21] = strconv.FormatUint(start, 10)
	return strings.Join(f, " ") + "\n"
}

// fakeProc is a writable proc tree in a temporary directory.
type fakeProc struct {
	t    *testing.T
	root string
}

func newFakeProc(t *testing.T) *fakeProc {
	return &fakeProc{t: t, root: t.TempDir()}
}

func (p *fakeProc) write(rel, content string) {
	p.t.Helper()
	path := filepath.Join(p.root, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		p.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		p.t.Fatal(err)
	}
}

func (p *fakeProc) remove(rel string) {
	p.t.Helper()
	if err := os.RemoveAll(filepath.Join(p.root, rel)); err != nil {
		p.t.Fatal(err)
	}
}

// proc writes a process's stat and statm.
func (p *fakeProc) proc(pid int, utime, stime uint64, threads int, rssPages uint64) {
	p.write(fmt.Sprintf("%d/stat", pid), fakeStat(pid, "qemu-system-x86", utime, stime, threads, 5000))
	p.write(fmt.Sprintf("%d/statm", pid), fmt.Sprintf("100000 %d 300 400 0 500 0\n", rssPages))
}

// task writes a thread's stat.
func (p *fakeProc) task(pid, tid int, utime, stime uint64) {
	p.write(fmt.Sprintf("%d/task/%d/stat", pid, tid), fakeStat(tid, "CPU 0/KVM", utime, stime, 1, 5000))
}

func TestProcParseStat(t *testing.T) {
	tests := []struct {
		name    string
		line    string
		want    procStat
		wantErr bool
	}{
		{"plain", fakeStat(1, "qemu", 10, 20, 7, 99), procStat{utime: 10, stime: 20, threads: 7, startTime: 99}, false},
		{"comm with spaces", fakeStat(1, "CPU 0/KVM", 1, 2, 3, 4), procStat{utime: 1, stime: 2, threads: 3, startTime: 4}, false},
		{"comm with close paren", fakeStat(1, "a) 9 9 9 9 9 9 9 9 9 9 9 9 9 (b", 5, 6, 2, 8), procStat{utime: 5, stime: 6, threads: 2, startTime: 8}, false},
		{"comm is just parens", fakeStat(1, ")(", 5, 6, 2, 8), procStat{utime: 5, stime: 6, threads: 2, startTime: 8}, false},
		{"empty comm", fakeStat(1, "", 5, 6, 2, 8), procStat{utime: 5, stime: 6, threads: 2, startTime: 8}, false},
		{"comm with newline", fakeStat(1, "a\nb", 5, 6, 2, 8), procStat{utime: 5, stime: 6, threads: 2, startTime: 8}, false},
		{"exactly 22 fields", "1 (x) S " + strings.Repeat("0 ", 10) + "3 4 0 0 0 0 9 0 77", procStat{utime: 3, stime: 4, threads: 9, startTime: 77}, false},
		{"empty", "", procStat{}, true},
		{"no parens", "1 qemu S 0 0", procStat{}, true},
		{"close before open", "1 )qemu( S " + strings.Repeat("0 ", 30), procStat{}, true},
		{"truncated after comm", "1 (qemu) S 1 2 3", procStat{}, true},
		{"21 fields", "1 (x) S " + strings.Repeat("0 ", 10) + "3 4 0 0 0 0 9 0", procStat{}, true},
		{"utime not a number", strings.Replace(fakeStat(1, "q", 11111, 2, 3, 4), "11111", "x", 1), procStat{}, true},
		{"utime negative", strings.Replace(fakeStat(1, "q", 11111, 2, 3, 4), "11111", "-5", 1), procStat{}, true},
		{"threads negative", strings.Replace(fakeStat(1, "q", 1, 2, 33333, 4), "33333", "-1", 1), procStat{}, true},
		{"threads too large", strings.Replace(fakeStat(1, "q", 1, 2, 33333, 4), "33333", "99999999999999", 1), procStat{}, true},
		{"utime+stime overflow", fakeStat(1, "q", 1<<63, 1<<63, 1, 4), procStat{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := procParseStat([]byte(tt.line))
			if tt.wantErr {
				if err == nil || !errors.Is(err, ErrProcFormat) {
					t.Fatalf("err = %v, want an ErrProcFormat error (got %+v)", err, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func FuzzProcParseStat(f *testing.F) {
	f.Add([]byte(fakeStat(1, "CPU 0/KVM", 1, 2, 3, 4)))
	f.Add([]byte("1 (a) b) S"))
	f.Add([]byte(")("))
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := procParseStat(b) // must not panic
		if err == nil && (st.threads < 0 || st.utime+st.stime < st.utime) {
			t.Fatalf("parsed %+v from %q", st, b)
		}
	})
}

// FuzzProcParseStatRoundTrip: whatever the process calls itself (spaces,
// parentheses and all) and whatever its counters, a stat line written as
// the kernel writes it parses back to the same figures.
func FuzzProcParseStatRoundTrip(f *testing.F) {
	f.Add("qemu-system-x86", uint64(1), uint64(2), uint16(3), uint64(4))
	f.Add("CPU 0/KVM", uint64(0), uint64(0), uint16(0), uint64(0))
	f.Add(") (x) S 1 2 (", uint64(1)<<40, uint64(7), uint16(9), uint64(123456))
	f.Fuzz(func(t *testing.T, comm string, utime, stime uint64, threads uint16, start uint64) {
		if strings.ContainsAny(comm, "\x00\n") || len(comm) > 64 || stime > ^uint64(0)-utime {
			return // the kernel's comm has neither; counters that overflow are refused by design
		}
		st, err := procParseStat([]byte(fakeStat(1, comm, utime, stime, int(threads), start)))
		if err != nil {
			t.Fatalf("comm %q: %v", comm, err)
		}
		if st.utime != utime || st.stime != stime || st.threads != int(threads) || st.startTime != start {
			t.Fatalf("comm %q: parsed %+v, want utime %d stime %d threads %d start %d", comm, st, utime, stime, threads, start)
		}
	})
}

func TestProcSamplerTwoSamples(t *testing.T) {
	const pid = 4242
	p := newFakeProc(t)
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

	p.proc(pid, 1000, 500, 9, 2560)
	p.task(pid, 101, 100, 0)  // steady vCPU
	p.task(pid, 103, 0, 0)    // vCPU whose ticks exceed one core (clamped)
	p.task(pid, 104, 500, 50) // counter went backwards (clamped to 0)
	p.task(pid, 105, 10, 10)  // exits before the second sample
	s := NewProcSampler(p.root, pid)

	fig := mustSample(t, s, t0, 101, 103, 104, 105)
	wantRSS := 2560 * uint64(os.Getpagesize())
	if fig.Valid || fig.CPUPercent != 0 || len(fig.VCPUPercent) != 0 {
		t.Errorf("first sample: %+v, want Valid=false, CPU 0, no vCPU figures", fig)
	}
	if fig.RSSBytes != wantRSS || fig.Threads != 9 {
		t.Errorf("first sample RSS=%d Threads=%d, want %d, 9", fig.RSSBytes, fig.Threads, wantRSS)
	}

	// 2 s later: 150 ticks of user+sys = 1.5 s of CPU in 2 s = 75% of a core.
	p.proc(pid, 1100, 550, 10, 5120)
	p.task(pid, 101, 150, 50)  // +100 ticks = 1 s in 2 s = 50%
	p.task(pid, 102, 900, 0)   // new TID: no figure yet
	p.task(pid, 103, 250, 250) // +500 ticks in 2 s = 250% -> 100
	p.task(pid, 104, 1, 1)     // backwards -> 0
	p.remove(fmt.Sprintf("%d/task/105", pid))
	fig = mustSample(t, s, t0.Add(2*time.Second), 101, 102, 103, 104, 105)
	want := HostFigures{
		CPUPercent:  75,
		RSSBytes:    5120 * uint64(os.Getpagesize()),
		Threads:     10,
		VCPUPercent: map[int]float64{101: 50, 103: 100, 104: 0},
		Valid:       true,
	}
	checkFigures(t, "second sample", fig, want)
	// The cumulative times need no baseline: every TID read has one.
	hz := float64(UserHZ)
	if hz < 1 {
		hz = 100
	}
	if fig.CPUSeconds != 1650/hz || fig.VCPUSeconds[101] != 200/hz || fig.VCPUSeconds[102] != 900/hz || len(fig.VCPUSeconds) != 4 {
		t.Errorf("second sample CPUSeconds=%v VCPUSeconds=%v, want %v and 101:%v 102:%v of 4 TIDs",
			fig.CPUSeconds, fig.VCPUSeconds, 1650/hz, 200/hz, 900/hz)
	}

	// Multi-core: 400 ticks in 1 s is 400% (the process figure is not
	// clamped); 102 now has a baseline.
	p.proc(pid, 1400, 650, 10, 5120)
	p.task(pid, 102, 925, 0)
	fig = mustSample(t, s, t0.Add(3*time.Second), 102)
	want.CPUPercent = 400
	want.VCPUPercent = map[int]float64{102: 25}
	checkFigures(t, "third sample", fig, want)
}

// mustSample samples s at at, failing the test on an error.
func mustSample(t *testing.T, s *ProcSampler, at time.Time, tids ...int) HostFigures {
	t.Helper()
	fig, err := s.Sample(at, tids)
	if err != nil {
		t.Fatal(err)
	}
	return fig
}

func checkFigures(t *testing.T, label string, got, want HostFigures) {
	t.Helper()
	if got.Valid != want.Valid || got.CPUPercent != want.CPUPercent || got.RSSBytes != want.RSSBytes || got.Threads != want.Threads {
		t.Errorf("%s: got Valid=%v CPU=%v RSS=%d Threads=%d, want Valid=%v CPU=%v RSS=%d Threads=%d", label,
			got.Valid, got.CPUPercent, got.RSSBytes, got.Threads, want.Valid, want.CPUPercent, want.RSSBytes, want.Threads)
	}
	if len(got.VCPUPercent) != len(want.VCPUPercent) {
		t.Errorf("%s: VCPUPercent = %v, want %v", label, got.VCPUPercent, want.VCPUPercent)
	}
	for tid, w := range want.VCPUPercent {
		if g, ok := got.VCPUPercent[tid]; !ok || g != w {
			t.Errorf("%s: VCPUPercent[%d] = %v (present %v), want %v", label, tid, g, ok, w)
		}
	}
}

func TestProcSamplerBaselineLost(t *testing.T) {
	const pid = 77
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	start := func(t *testing.T) (*fakeProc, *ProcSampler) {
		p := newFakeProc(t)
		p.proc(pid, 100, 0, 1, 1)
		return p, NewProcSampler(p.root, pid)
	}

	t.Run("pid reused by another process", func(t *testing.T) {
		p, s := start(t)
		mustSample(t, s, t0)
		// QEMU died and another process got its pid: nothing of that
		// process is the VM's, now or later.
		p.write("77/stat", fakeStat(pid, "other", 5, 0, 1, 6000)) // new start time
		for i := range 2 {
			fig, err := s.Sample(t0.Add(time.Duration(i+1)*time.Second), nil)
			if !errors.Is(err, os.ErrNotExist) || fig.RSSBytes != 0 || fig.Threads != 0 {
				t.Fatalf("sample %d after pid reuse: %+v, %v; want the process gone", i, fig, err)
			}
		}
	})

	t.Run("same or earlier time", func(t *testing.T) {
		_, s := start(t)
		for i, at := range []time.Time{t0, t0, t0.Add(-time.Second)} {
			fig := mustSample(t, s, at)
			if fig.Valid || fig.CPUPercent != 0 {
				t.Errorf("sample %d at non-advancing time: %+v, want Valid=false", i, fig)
			}
		}
	})

	t.Run("process ticks went backwards", func(t *testing.T) {
		p, s := start(t)
		mustSample(t, s, t0)
		p.proc(pid, 50, 0, 1, 1)
		fig := mustSample(t, s, t0.Add(time.Second))
		if fig.CPUPercent != 0 {
			t.Errorf("CPU = %v, want 0", fig.CPUPercent)
		}
	})
}

// An error leaves the baseline alone: the next good sample measures from
// the last good one.
func TestProcSamplerErrorKeepsBaseline(t *testing.T) {
	const pid = 88
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	p := newFakeProc(t)
	p.proc(pid, 0, 0, 1, 1)
	p.task(pid, 200, 0, 0)
	s := NewProcSampler(p.root, pid)
	mustSample(t, s, t0, 200)
	p.write("88/stat", "88 (qemu) S garbage")
	if _, err := s.Sample(t0.Add(time.Second), []int{200}); !errors.Is(err, ErrProcFormat) {
		t.Fatalf("malformed stat: err = %v, want ErrProcFormat", err)
	}
	p.proc(pid, 0, 0, 1, 1)
	p.write("88/task/200/stat", "nonsense")
	if _, err := s.Sample(t0.Add(time.Second), []int{200}); !errors.Is(err, ErrProcFormat) {
		t.Fatalf("malformed task stat: err = %v, want ErrProcFormat", err)
	}
	p.proc(pid, 200, 0, 1, 1)
	p.task(pid, 200, 100, 0)
	fig := mustSample(t, s, t0.Add(4*time.Second), 200)
	checkFigures(t, "after errors", fig, HostFigures{
		Valid: true, CPUPercent: 50, RSSBytes: uint64(os.Getpagesize()), Threads: 1,
		VCPUPercent: map[int]float64{200: 25},
	})
}

func TestProcSamplerErrors(t *testing.T) {
	const pid = 99
	tests := []struct {
		name     string
		setup    func(p *fakeProc)
		pid      int
		notExist bool // want errors.Is(err, os.ErrNotExist), else ErrProcFormat
	}{
		{"missing process", func(p *fakeProc) {}, pid, true},
		{"zero pid", func(p *fakeProc) {}, 0, true},
		{"negative pid", func(p *fakeProc) {}, -1, true},
		{"empty stat", func(p *fakeProc) { p.proc(pid, 1, 1, 1, 1); p.write("99/stat", "") }, pid, false},
		{"statm too short", func(p *fakeProc) { p.proc(pid, 1, 1, 1, 1); p.write("99/statm", "100") }, pid, false},
		{"statm not numbers", func(p *fakeProc) { p.proc(pid, 1, 1, 1, 1); p.write("99/statm", "a b c") }, pid, false},
		{"statm overflows", func(p *fakeProc) {
			p.proc(pid, 1, 1, 1, 1)
			p.write("99/statm", "1 18446744073709551615 1")
		}, pid, false},
		{"no statm and no VmRSS", func(p *fakeProc) {
			p.proc(pid, 1, 1, 1, 1)
			p.remove("99/statm")
			p.write("99/status", "Name:\tqemu\nVmSize:\t 100 kB\n")
		}, pid, false},
		{"no statm and no status", func(p *fakeProc) { p.proc(pid, 1, 1, 1, 1); p.remove("99/statm") }, pid, true},
		{"stat larger than the read bound", func(p *fakeProc) {
			p.proc(pid, 1, 1, 1, 1)
			p.write("99/stat", strings.Repeat("x", procMaxFile+1))
		}, pid, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newFakeProc(t)
			tt.setup(p)
			fig, err := NewProcSampler(p.root, tt.pid).Sample(time.Now(), []int{1})
			if err == nil {
				t.Fatalf("no error, figures %+v", fig)
			}
			if tt.notExist && !errors.Is(err, os.ErrNotExist) {
				t.Errorf("err = %v, want one wrapping os.ErrNotExist", err)
			}
			if !tt.notExist && !errors.Is(err, ErrProcFormat) {
				t.Errorf("err = %v, want one wrapping ErrProcFormat", err)
			}
		})
	}
}

func TestProcSamplerStatusFallback(t *testing.T) {
	p := newFakeProc(t)
	p.proc(5, 1, 1, 3, 1)
	p.remove("5/statm")
	p.write("5/status", "Name:\tqemu\nState:\tS (sleeping)\nVmRSS:\t    2048 kB\nThreads:\t3\n")
	fig, err := NewProcSampler(p.root, 5).Sample(time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if fig.RSSBytes != 2048*1024 {
		t.Errorf("RSS = %d, want %d", fig.RSSBytes, 2048*1024)
	}
}

func TestProcNotExistMapsESRCH(t *testing.T) {
	err := procNotExist(fmt.Errorf("read: %w", syscall.ESRCH))
	if !errors.Is(err, os.ErrNotExist) || !errors.Is(err, syscall.ESRCH) {
		t.Errorf("ESRCH error %v should match both os.ErrNotExist and ESRCH", err)
	}
	other := fmt.Errorf("read: %w", syscall.EACCES)
	if procNotExist(other) != other {
		t.Error("non-ESRCH error was changed")
	}
}

// The real /proc: sample this test process, with its current OS thread
// standing in for a vCPU thread.
func TestProcSamplerRealProcess(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs Linux /proc")
	}
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skipf("no /proc: %v", err)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	tid := syscall.Gettid()

	s := NewProcSampler("", os.Getpid())
	t0 := time.Now()
	first := mustSample(t, s, t0, tid)
	if first.Valid {
		t.Error("first sample is Valid")
	}
	// Burn CPU on this thread until enough time has passed for tick
	// granularity to matter little; this bounds the interval from below,
	// it asserts nothing about speed.
	const minInterval = 200 * time.Millisecond
	x := 0
	for time.Since(t0) < minInterval {
		for i := range 10000 {
			x += i
		}
	}
	_ = x
	t1 := time.Now()
	fig := mustSample(t, s, t1, tid)
	if !fig.Valid {
		t.Fatal("second sample not Valid")
	}
	if fig.Threads < 1 || fig.RSSBytes == 0 {
		t.Errorf("Threads=%d RSS=%d, want >=1, >0", fig.Threads, fig.RSSBytes)
	}
	// The kernel reports whole ticks, so allow a couple of ticks of
	// rounding over the interval on top of every CPU being busy.
	slack := 2 * 100 / (float64(UserHZ) * t1.Sub(t0).Seconds())
	if fig.CPUPercent < 0 || fig.CPUPercent > 100*float64(runtime.NumCPU())+slack {
		t.Errorf("CPUPercent = %v, want in [0, %v]", fig.CPUPercent, 100*runtime.NumCPU())
	}
	v, ok := fig.VCPUPercent[tid]
	if !ok || v < 0 || v > 100 {
		t.Errorf("VCPUPercent[%d] = %v (present %v), want in [0,100]", tid, v, ok)
	}
}
