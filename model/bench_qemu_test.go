package model

import (
	"sync"

	"context"
	"fmt"
	"github.com/qmpdash/qmpdash/qmp"
	"syscall"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemutest"
)

// BenchmarkFleetPollCycle50 measures one poll cycle over 50 real QEMU VMs:
// the wall time from "poll now" until every VM has a new snapshot, and the
// CPU this process spends per cycle (user+sys from getrusage), reported as
// "%core@1s": the share of one core the fleet costs at the default 1 s
// interval. QEMU's own CPU is not counted (RUSAGE_SELF).
//
// "direct" is the baseline: the same six queries per VM sent straight
// through 50 qmp clients, 50 goroutines at once, with no fleet (no
// snapshots, rates, history or /proc). The ratio fleet/direct is what the
// fleet's bookkeeping costs.
func BenchmarkFleetPollCycle50(b *testing.B) {
	const n = 50
	dir := qemutest.Dir(b)
	sockets := make([]string, n)
	for i := range sockets {
		sockets[i] = qemutest.Start(b, qemutest.Options{Name: fmt.Sprintf("vm%02d", i), Dir: dir}).Socket
	}
	b.Run("direct", func(b *testing.B) { benchDirectPoll(b, sockets) })
	b.Run("fleet", func(b *testing.B) { benchFleetPoll(b, sockets) })
}

func benchDirectPoll(b *testing.B, sockets []string) {
	clients := make([]*qmp.Client, len(sockets))
	for i, s := range sockets {
		c, err := qmp.Dial(context.Background(), s)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		clients[i] = c
	}
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		var wg sync.WaitGroup
		for _, c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				_, _ = c.QueryStatus(ctx)
				_, _ = c.QueryCPUsFast(ctx)
				_, _ = c.QueryBlockStats(ctx)
				_, _ = c.QueryBlockJobs(ctx)
				_, _ = c.QueryBalloon(ctx)
				_, _ = c.QueryMigrate(ctx)
			}()
		}
		wg.Wait()
	}
	b.StopTimer()
	reportCPU(b, cpuTime()-cpu0)
}

func benchFleetPoll(b *testing.B, sockets []string) {
	f := NewFleet(Config{Interval: time.Hour, Timeout: 10 * time.Second})
	for _, s := range sockets {
		f.Add(canonical(mustParse(b, s)))
	}
	stop := f.Start(b.Context())
	defer func() {
		if err := stop(20 * time.Second); err != nil {
			b.Error(err)
		}
	}()

	polls := waitAll(b, f, len(sockets), 1)
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		f.SetInterval(time.Hour) // pokes every VM: poll now
		polls = waitAll(b, f, len(sockets), polls+1)
	}
	b.StopTimer()
	reportCPU(b, cpuTime()-cpu0)
}

func reportCPU(b *testing.B, cpu time.Duration) {
	perCycle := cpu / time.Duration(b.N)
	b.ReportMetric(float64(perCycle.Microseconds())/1000, "cpu-ms/cycle")
	b.ReportMetric(100*perCycle.Seconds()/1.0, "%core@1s")
}

// waitAll waits until every VM has at least min polls; it returns min.
func waitAll(b *testing.B, f *Fleet, n int, min uint64) uint64 {
	deadline := time.After(60 * time.Second)
	for {
		s := f.Snapshot()
		ok := len(s.VMs) == n
		for _, v := range s.VMs {
			if v.Polls < min {
				ok = false
				break
			}
		}
		if ok {
			return min
		}
		select {
		case <-f.Changed():
		case <-deadline:
			b.Fatalf("VMs did not reach %d polls:\n%s", min, describe(s))
		}
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
