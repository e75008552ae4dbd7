package model

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/qmp"
	"github.com/qmpdash/qmpdash/remote"
)

// sedOutput is files as procReadCommand's sed prints them: each name on a
// line, then its lines escaped ('l 0') and ended by '$'.
func sedOutput(files map[string][]byte) []byte {
	var b strings.Builder
	for _, p := range slices.Sorted(func(yield func(string) bool) {
		for p := range files {
			if !yield(p) {
				return
			}
		}
	}) {
		b.WriteString(p + "\n")
		for line := range strings.SplitSeq(strings.TrimSuffix(string(files[p]), "\n"), "\n") {
			for _, c := range []byte(line) {
				if c < ' ' || c > '~' || c == '\\' {
					fmt.Fprintf(&b, "\\%03o", c)
				} else {
					b.WriteByte(c)
				}
			}
			b.WriteString("$\n")
		}
	}
	return []byte(b.String())
}

// scriptedHost is a host batcher whose fetches are answered by the test,
// one at a time, on the test's clock.
type scriptedHost struct {
	t       *testing.T
	h       *procHost
	mu      sync.Mutex
	now     time.Time
	replies chan func() ([]byte, error)
	ticks   chan time.Time
}

func newScriptedHost(t *testing.T, interval time.Duration) *scriptedHost {
	sh := &scriptedHost{t: t, now: time.Unix(1_000_000, 0),
		replies: make(chan func() ([]byte, error)), ticks: make(chan time.Time)}
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); wg.Wait() })
	rp := &remoteProcs{interval: func() time.Duration { return interval }, timeout: time.Hour,
		now: sh.clock, logf: func(string, ...any) {}, hosts: map[string]*procHost{}, wg: &wg, ctx: ctx,
		fetch: func(ctx context.Context, _ remote.Target, _ string) ([]byte, error) {
			select {
			case reply := <-sh.replies:
				return reply()
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		},
		after: func(time.Duration) <-chan time.Time { return sh.ticks },
	}
	tg, err := remote.ParseTarget("ssh://vmhost/run/a.qmp")
	if err != nil {
		t.Fatal(err)
	}
	sh.h = rp.host(tg)
	return sh
}

func (sh *scriptedHost) clock() time.Time {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return sh.now
}

func (sh *scriptedHost) advance(d time.Duration) {
	sh.mu.Lock()
	sh.now = sh.now.Add(d)
	sh.mu.Unlock()
}

// answer has the next fetch answered by reply (starting one if none is
// under way) and, when wait, waits for its batch to be the host's latest.
func (sh *scriptedHost) answer(reply func() ([]byte, error), wait bool) {
	sh.t.Helper()
	var seq uint64
	if b := sh.h.last(); b != nil {
		seq = b.seq
	}
	deadline := time.After(10 * time.Second)
	for sent := false; !sent; {
		select {
		case sh.replies <- reply:
			sent = true
		case sh.ticks <- time.Time{}:
		case <-deadline:
			sh.t.Fatal("no fetch took the answer")
		}
	}
	for wait {
		if b := sh.h.last(); b != nil && b.seq > seq {
			return
		}
		select {
		case <-deadline:
			sh.t.Fatal("the answer never became the host's batch")
		case <-time.After(time.Millisecond):
		}
	}
}

// A remote host whose batch stops arriving (its sed hangs): the VM's
// polls keep sampling the last batch, and once that is more than two
// intervals old the figures are marked stale, with the batch's time, and
// no new point enters any history; when the fetch finally fails, they are
// unknown. On the fleet's clock throughout, with no sleeps.
func TestRemoteHostFiguresGoStaleWhenTheBatchStops(t *testing.T) {
	const interval = time.Second
	sh := newScriptedHost(t, interval)
	env := watcherEnv{interval: func() time.Duration { return interval }, now: sh.clock}
	rs := &remoteSampler{host: sh.h}
	v := &vmWatcher{env: env, figs: newFigures(10, "", 0)}
	v.figs.remote = rs
	cpus := []qmp.CPUInfoFast{{ThreadID: rsTID}}
	poll := func() {
		r := pollResult{at: env.now(), cpus: cpus}
		env.sampleHost(&r, nil, rs)
		v.applyHost(r)
		v.cur.VCPUs = v.figs.updateVCPUs(cpus, r.host)
	}
	up, ticks := 100*time.Second, uint64(0)
	poll() // says what the batches should hold
	for i := 0; !v.cur.Host.Valid; i++ {
		if i == 10 {
			t.Fatalf("no valid figures after 10 batches: %+v", v.cur.Host)
		}
		b := rsBatch(0, 0, ticks)
		b.files[procUptime] = fmt.Appendf(nil, "%.2f 1.00\n", up.Seconds())
		out := sedOutput(b.files)
		sh.answer(func() ([]byte, error) { return out, nil }, true)
		up, ticks = up+interval, ticks+50
		sh.advance(interval / 2)
		poll()
		if v.cur.Host.Stale {
			t.Fatalf("figures half an interval old marked stale: %+v", v.cur.Host)
		}
	}
	last := sh.h.last()
	if !v.cur.Host.At.Equal(last.at) || last.at.IsZero() {
		t.Fatalf("figures at %v, want the batch's fetch start %v", v.cur.Host.At, last.at)
	}
	want := v.cur.Host
	// The next fetch hangs: no batch arrives while the polls go on.
	release := make(chan struct{})
	end := sync.OnceFunc(func() { close(release) })
	t.Cleanup(end) // before the batcher is waited for, should the test fail first
	sh.answer(func() ([]byte, error) {
		<-release
		return nil, errors.New("remote command timed out")
	}, false)
	for _, age := range []time.Duration{interval, 2 * interval} {
		sh.advance(last.at.Add(age).Sub(sh.clock()))
		poll()
		if got := v.cur.Host; got.Stale || !got.Valid {
			t.Fatalf("figures %v old (not past two intervals) marked stale or dropped: %+v", age, got)
		}
	}
	sh.advance(interval)
	poll()
	got := v.cur.Host
	if !got.Stale || !got.Valid || !got.At.Equal(last.at) {
		t.Fatalf("figures 3 intervals old: %+v, want stale, as of %v", got, last.at)
	}
	if age := sh.clock().Sub(got.At); age != 3*interval {
		t.Fatalf("stale figures' age %v, want 3s", age)
	}
	if got.CPUPercent != want.CPUPercent || got.RSSBytes != want.RSSBytes || len(got.CPUHistory) != len(want.CPUHistory) {
		t.Fatalf("stale figures %+v changed from the last batch's %+v (or grew a history point)", got, want)
	}
	// The hung fetch ends in an error: nothing is known now.
	end()
	for deadline := time.Now().Add(10 * time.Second); sh.h.last().seq == last.seq; {
		if time.Now().After(deadline) {
			t.Fatal("the failed fetch never became a batch")
		}
		time.Sleep(time.Millisecond)
	}
	sh.advance(interval)
	poll()
	if got := v.cur.Host; got.Valid || got.RSSBytes != 0 || got.Stale {
		t.Fatalf("after a failed fetch: %+v, want no figures", got)
	}
}

// A local VM's figures are read at the poll's own time (At), so however
// far apart two polls are, they are never stale.
func TestLocalHostFiguresCarryThePollTime(t *testing.T) {
	const pid = 4242
	p := newFakeProc(t)
	p.proc(pid, 1000, 500, 9, 2560)
	now := time.Unix(2_000_000, 0)
	env := watcherEnv{interval: func() time.Duration { return time.Second }, now: func() time.Time { return now }}
	v := &vmWatcher{env: env, figs: newFigures(10, p.root, pid)}
	for _, gap := range []time.Duration{0, time.Hour} {
		now = now.Add(gap)
		p.proc(pid, 1000+uint64(gap/time.Second), 500, 9, 2560)
		r := pollResult{at: env.now()}
		env.sampleHost(&r, v.figs.proc, nil)
		v.applyHost(r)
		if h := v.cur.Host; !h.At.Equal(now) || h.Stale || h.RSSBytes == 0 {
			t.Fatalf("after a %v gap: %+v, want figures read at %v, not stale", gap, h, now)
		}
	}
	if !v.cur.Host.Valid {
		t.Fatalf("second sample not valid: %+v", v.cur.Host)
	}
}
