package ui

import (
	"fmt"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/model"
)

// manyVMs builds a fleet of n VMs cycling through the demo's states.
func manyVMs(n int) []model.VMSnapshot {
	base := demoVMs()
	out := make([]model.VMSnapshot, n)
	for i := range out {
		v := base[i%len(base)]
		v.ID = fmt.Sprintf("unix:/run/qemu/vm-%03d.qmp", i)
		v.Name = fmt.Sprintf("vm-%03d", i)
		v.Host.CPUHistory = make([]float64, 60)
		for j := range v.Host.CPUHistory {
			v.Host.CPUHistory[j] = float64((i + j) % 100)
		}
		v.Host.Valid = true
		v.Updated = t0.Add(time.Duration(i) * time.Millisecond)
		out[i] = v
	}
	return out
}

// BenchmarkView200VMs measures a full frame of a 200-VM fleet at 200x60.
// "one-changed": one VM changes between frames, as under polling where
// VMs' snapshots arrive one at a time; "all-changed" is the baseline with
// every visible row redrawn each frame (no row cache hits).
func BenchmarkView200VMs(b *testing.B) {
	for _, tc := range []struct {
		name string
		all  bool
	}{{"one-changed", false}, {"all-changed", true}} {
		b.Run(tc.name, func(b *testing.B) {
			src := newFakeSource(manyVMs(200)...)
			src.addEvents(demoEvents()...)
			h := newHarness(b, src, Options{}, 200, 60)
			h.press("enter")
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if tc.all {
					for j := range h.a.snap.VMs {
						h.a.snap.VMs[j].Host.CPUPercent = float64((i + j) % 100)
					}
				} else {
					h.a.snap.VMs[i%20].Host.CPUPercent = float64(i % 100)
				}
				_ = h.a.View()
			}
		})
	}
}
