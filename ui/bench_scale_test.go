package ui

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/sim"
	"github.com/qmpdash/qmpdash/model"
)

// scaleFleet is what a real fleet saw of 500 simulated VMs (`qmpdash sim`'s
// mix: disks doing I/O, paused ones, jobs, resets) after polling each of
// them a few times: their snapshots and events, taken once per test binary
// and replayed by the benchmarks below without the fleet or the simulator
// running, so only the UI is measured.
var scaleFleet = sync.OnceValues(func() (model.FleetSnapshot, []model.LoggedEvent) {
	const n = 500
	dir, err := os.MkdirTemp("", "qmpdash-scale")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	vms, err := sim.StartFleet(dir, sim.ManyVMs(n, 1))
	if err != nil {
		panic(err)
	}
	defer vms.Close()
	spec, err := model.ParseSpec(dir)
	if err != nil {
		panic(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	f := model.NewFleet(model.Config{Interval: 200 * time.Millisecond, Timeout: 30 * time.Second})
	stop := f.Start(ctx)
	defer func() { _ = stop(30 * time.Second) }()
	defer cancel()
	if err := f.Watch(ctx, []model.Spec{spec}); err != nil {
		panic(err)
	}
	deadline := time.Now().Add(5 * time.Minute)
	for {
		s := f.Snapshot()
		ready := len(s.VMs) == n
		for _, v := range s.VMs {
			ready = ready && v.Conn == model.ConnConnected && v.Polls >= 3
		}
		if ready {
			return s, f.EventsSince(0)
		}
		if time.Now().After(deadline) {
			panic("500 simulated VMs not all polled three times within 5 minutes")
		}
		select {
		case <-f.Changed():
		case <-time.After(time.Second):
		}
	}
})

// BenchmarkScale500 measures the dashboard's own work for 500 VMs at
// 160x48 with the detail panes open. view: a frame where one VM changed
// (snapshots arrive one VM at a time); view-all-changed: every row's
// figures changed, so no cached row is reused; key-down: a key's Update
// plus the frame it causes (the latency of a key); snapshot: taking in a
// new 500-VM snapshot plus its frame (once per poll wave).
func BenchmarkScale500(b *testing.B) {
	snap, events := scaleFleet()
	setup := func(b *testing.B) *harness {
		src := newFakeSource(snap.VMs...)
		src.addEvents(events...)
		h := newHarness(b, src, Options{}, 160, 48)
		h.sync()
		h.press("enter")
		return h
	}
	b.Run("view", func(b *testing.B) {
		h := setup(b)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			h.a.snap.VMs[i%20].Host.CPUPercent = float64(i % 100)
			_ = h.a.View()
		}
	})
	b.Run("view-all-changed", func(b *testing.B) {
		h := setup(b)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			for j := range h.a.snap.VMs {
				h.a.snap.VMs[j].Host.CPUPercent = float64((i + j) % 100)
			}
			_ = h.a.View()
		}
	})
	b.Run("key-down", func(b *testing.B) {
		h := setup(b)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if i%400 < 200 {
				h.press("down")
			} else {
				h.press("up")
			}
			_ = h.a.View()
		}
	})
	b.Run("snapshot", func(b *testing.B) {
		h := setup(b)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			s := snap
			s.VMs = append([]model.VMSnapshot(nil), snap.VMs...)
			s.Version = uint64(i + 2)
			s.VMs[i%len(s.VMs)].Polls++
			h.send(fleetMsg{snap: s})
			_ = h.a.View()
		}
	})
}
