package model

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/qmp"
	"github.com/qmpdash/qmpdash/remote"
)

// A host batcher with no goroutine: tests set its latest batch by hand.
func testProcHost() *procHost {
	rp := &remoteProcs{interval: func() time.Duration { return time.Second }, now: time.Now,
		logf: func(string, ...any) {}, hosts: map[string]*procHost{}}
	return &procHost{rp: rp, kick: make(chan struct{}, 1), wants: map[*remoteSampler]procWant{}}
}

const (
	rsTID = 4242
	rsPID = 4240
)

// rsBatch is a remote batch for a QEMU of pid rsPID with vCPU thread
// rsTID: the process has used ticks (of which the thread half), at remote
// uptime up. Its statm says 7 pages, its status 12345 kB: RSS must be the
// latter (the remote page size is unknown here).
func rsBatch(seq uint64, up time.Duration, ticks uint64) *procBatch {
	return &procBatch{seq: seq, up: up, files: map[string][]byte{
		"/proc/4242/status":         []byte("Name:\tCPU 0/TCG\nTgid:\t4240\nPid:\t4242\n"),
		"/proc/4242/cmdline":        []byte("/usr/bin/qemu-system-x86_64\x00-m\x0064\x00\n"),
		"/proc/4240/stat":           []byte(fakeStat(rsPID, "qemu-system-x86", ticks, 0, 5, 900)),
		"/proc/4240/statm":          []byte("1000 7 3 1 0 50 0\n"),
		"/proc/4240/status":         []byte("Name:\tqemu-system-x86\nVmRSS:\t   12345 kB\nThreads:\t5\n"),
		"/proc/4240/task/4242/stat": []byte(fakeStat(rsTID, "CPU 0/TCG", ticks/2, 0, 5, 900)),
		"/proc/stat":                []byte("cpu 1 2 3\nbtime 1700000000\n"),
	}}
}

// The pid is found, figures follow, and CPU % is measured over the REMOTE
// uptime between batches (100 ticks = 1 s of CPU in 2 s of remote time is
// 50 %), whatever the local clock did: here the batches arrive at once.
func TestRemoteSamplerRemoteClockAndVmRSS(t *testing.T) {
	h := testProcHost()
	rs := &remoteSampler{host: h}
	tids := []int{rsTID}
	h.latest = rsBatch(1, 100*time.Second, 0)
	if _, err := rs.sample(tids); !errors.Is(err, errPidPending) || rs.pid != rsPID {
		t.Fatalf("pid %d, err %v", rs.pid, err)
	}
	if got := rs.paths(tids); slices.Contains(got, "/proc/4240/statm") || !slices.Contains(got, "/proc/4240/status") {
		t.Fatalf("paths %q: RSS must come from status, not statm", got)
	}
	h.latest = rsBatch(2, 100*time.Second, 0)
	if fig, err := rs.sample(tids); err != nil || fig.Valid {
		t.Fatalf("first sample %+v, %v", fig, err)
	}
	h.latest = rsBatch(3, 102*time.Second, 100)
	fig, err := rs.sample(tids)
	if err != nil || !fig.Valid {
		t.Fatalf("second sample %+v, %v", fig, err)
	}
	if fig.CPUPercent != 50 || fig.VCPUPercent[rsTID] != 25 {
		t.Errorf("CPU %v%%, vCPU %v%%: want 50 and 25 over 2 s of remote uptime", fig.CPUPercent, fig.VCPUPercent[rsTID])
	}
	if fig.RSSBytes != 12345*1024 {
		t.Errorf("RSS %d, want VmRSS 12345 kB (statm's pages are the remote host's size)", fig.RSSBytes)
	}
	if want := time.Unix(1700000000+9, 0); !rs.started.Equal(want) {
		t.Errorf("started %v, want %v", rs.started, want)
	}
	// A batch without the remote uptime gives no CPU % rather than a guess.
	b := rsBatch(4, 0, 200)
	h.latest = b
	if _, err := rs.sample(tids); !errors.Is(err, ErrProcFormat) {
		t.Errorf("no uptime: err %v", err)
	}
}

// A poll that finds no new batch since its last sample adds no point to
// any history and keeps the previous figures (the batcher's period and the
// poll's drift apart, so this happens).
func TestRemoteSamplerRepeatIsNoNewSample(t *testing.T) {
	h := testProcHost()
	rs := &remoteSampler{host: h}
	v := &vmWatcher{figs: newFigures(10, "", 0)}
	v.figs.remote = rs
	cpus := []qmp.CPUInfoFast{{ThreadID: rsTID}}
	poll := func() {
		fig, err := rs.sample([]int{rsTID})
		r := pollResult{host: fig, hostErr: err, remotePID: rs.pid}
		v.applyHost(r)
		v.cur.VCPUs = v.figs.updateVCPUs(cpus, r.host)
	}
	for seq, ticks := range []uint64{0, 0, 100} {
		h.latest = rsBatch(uint64(seq+1), time.Duration(100+seq)*time.Second, ticks)
		poll()
	}
	if !v.cur.Host.Valid || len(v.cur.Host.CPUHistory) != 1 || len(v.cur.VCPUs[0].History) != 1 {
		t.Fatalf("after one valid sample: %+v, vCPU %+v", v.cur.Host, v.cur.VCPUs)
	}
	want := v.cur.Host
	poll() // the same batch again
	got := v.cur.Host
	if len(got.CPUHistory) != 1 || len(v.cur.VCPUs[0].History) != 1 {
		t.Fatalf("a batch sampled twice became two points: host %v, vCPU %v", got.CPUHistory, v.cur.VCPUs[0].History)
	}
	if !got.Valid || got.CPUPercent != want.CPUPercent || got.RSSBytes != want.RSSBytes || !v.cur.VCPUs[0].HasCPU {
		t.Fatalf("repeat lost the previous figures: %+v, want %+v", got, want)
	}
}

// A remote peer whose vCPU thread is no QEMU's (qmpdash sim makes thread
// ids up) gets no pid and no figures, and the host stops being asked.
func TestRemoteSamplerRefusesNonQEMU(t *testing.T) {
	for _, tc := range []struct {
		cmdline string
		pid     int
	}{
		{"qmpdash\x00sim\x00-n\x00100\x00\n", 0},
		{"\n", 0}, // a kernel thread or zombie
		{"/usr/bin/qemu-system-aarch64\x00-M\x00virt\x00\n", rsPID},
		{"qemu-storage-daemon\x00--blockdev\x00x\x00\n", rsPID},
	} {
		h := testProcHost()
		rs := &remoteSampler{host: h}
		b := rsBatch(1, time.Second, 0)
		b.files["/proc/4242/cmdline"] = []byte(tc.cmdline)
		h.latest = b
		_, err := rs.sample([]int{rsTID})
		if rs.pid != tc.pid || !errors.Is(err, os.ErrNotExist) {
			t.Errorf("cmdline %q: pid %d (want %d), err %v", tc.cmdline, rs.pid, tc.pid, err)
		}
		if tc.pid == 0 && rs.paths([]int{rsTID}) != nil {
			t.Errorf("cmdline %q: still asks for %q", tc.cmdline, rs.paths([]int{rsTID}))
		}
	}
	// No cmdline in the batch (the thread ended between the reads): no
	// pid yet, and it is asked again.
	h := testProcHost()
	rs := &remoteSampler{host: h}
	b := rsBatch(1, time.Second, 0)
	delete(b.files, "/proc/4242/cmdline")
	h.latest = b
	if _, err := rs.sample([]int{rsTID}); rs.pid != 0 || !errors.Is(err, errPidPending) ||
		!slices.Contains(rs.paths([]int{rsTID}), "/proc/4242/cmdline") {
		t.Errorf("no cmdline: pid %d, err %v", rs.pid, err)
	}
}

// Two connections with the same VM id (a forgotten VM's watcher still
// winding down, and the new one) each keep their own wants.
func TestProcHostWantsPerConnection(t *testing.T) {
	h := testProcHost()
	old, cur := &remoteSampler{host: h}, &remoteSampler{host: h}
	h.want(cur, []string{"/proc/2/stat"})
	h.want(old, []string{"/proc/1/stat"})
	if got := h.paths(); !slices.Equal(got, []string{"/proc/1/stat", "/proc/2/stat"}) {
		t.Fatalf("paths %q", got)
	}
}

// The batcher fetches once per interval measured from one fetch's START:
// a fetch that took 300 ms of a 1 s interval is followed by a 700 ms wait.
// Each batch carries the remote uptime.
func TestProcHostPeriodFromFetchStart(t *testing.T) {
	var mu sync.Mutex
	now := time.Unix(1000, 0)
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	waits := make(chan time.Duration, 10)
	cmds := make(chan string, 10)
	never := make(chan time.Time)
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); wg.Wait() })
	rp := &remoteProcs{interval: func() time.Duration { return time.Second }, timeout: time.Second,
		now: clock, logf: func(string, ...any) {}, hosts: map[string]*procHost{}, wg: &wg, ctx: ctx,
		fetch: func(_ context.Context, _ remote.Target, cmd string) ([]byte, error) {
			mu.Lock()
			now = now.Add(300 * time.Millisecond)
			mu.Unlock()
			cmds <- cmd
			return []byte("/proc/uptime\n1234.56 99.00$\n"), nil
		},
		after: func(d time.Duration) <-chan time.Time { waits <- d; return never },
	}
	tg, err := remote.ParseTarget("ssh://vmhost/run/a.qmp")
	if err != nil {
		t.Fatal(err)
	}
	h := rp.host(tg)
	h.want(&remoteSampler{host: h}, []string{"/proc/1/stat"}) // new paths: fetch at once
	deadline := time.After(10 * time.Second)
	next := func(what string) time.Duration {
		select {
		case d := <-waits:
			return d
		case <-deadline:
			t.Fatalf("no %s", what)
		}
		return 0
	}
	if d := next("first wait"); d != time.Second {
		t.Fatalf("first wait %v", d)
	}
	select {
	case cmd := <-cmds:
		if !strings.Contains(cmd, "/proc/1/stat") || !strings.Contains(cmd, procUptime) {
			t.Fatalf("command %q", cmd)
		}
	case <-deadline:
		t.Fatal("no fetch")
	}
	if d := next("wait after the fetch"); d != 700*time.Millisecond {
		t.Fatalf("wait after a 300 ms fetch %v, want 700ms (the period runs from the fetch's start)", d)
	}
	if b := h.last(); b == nil || b.up != 1234560*time.Millisecond {
		t.Fatalf("batch %+v: want uptime 1234.56 s", b)
	}
}
