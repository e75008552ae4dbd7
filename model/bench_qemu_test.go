package model

import (
	"context"
	"fmt"
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
func BenchmarkFleetPollCycle50(b *testing.B) {
	const n = 50
	dir := qemutest.Dir(b)
	sockets := make([]string, n)
	for i := range sockets {
		sockets[i] = qemutest.Start(b, qemutest.Options{Name: fmt.Sprintf("vm%02d", i), Dir: dir}).Socket
	}
	f := NewFleet(Config{Interval: time.Hour, Timeout: 10 * time.Second})
	for _, s := range sockets {
		f.Add(canonical(mustParse(b, s)))
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	polls := waitAll(b, f, n, 1)
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		f.SetInterval(time.Hour) // pokes every VM: poll now
		polls = waitAll(b, f, n, polls+1)
	}
	b.StopTimer()
	cpu := cpuTime() - cpu0
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
