package model

import (
	"math"
	"testing"
	"time"
)

func TestCounterRate(t *testing.T) {
	tests := []struct {
		name      string
		prev, cur uint64
		dt        time.Duration
		want      float64
	}{
		{"steady", 1000, 3000, 2 * time.Second, 1000},
		{"sub-second interval", 0, 500, 500 * time.Millisecond, 1000},
		{"no change", 42, 42, time.Second, 0},
		{"reset to lower value", 1 << 40, 10, time.Second, 0},
		{"reset to zero", 5000, 0, time.Second, 0},
		{"dt zero", 0, 1000, 0, 0},
		{"dt negative", 0, 1000, -time.Second, 0},
		{"full range", 0, math.MaxUint64, time.Second, float64(uint64(math.MaxUint64))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CounterRate(tt.prev, tt.cur, tt.dt)
			if got != tt.want {
				t.Errorf("CounterRate(%d, %d, %v) = %v, want %v", tt.prev, tt.cur, tt.dt, got, tt.want)
			}
		})
	}
}

func TestComputeBlockRate(t *testing.T) {
	tests := []struct {
		name      string
		prev, cur BlockCounters
		dt        time.Duration
		want      BlockRate
	}{
		{
			name: "all counters grow",
			prev: BlockCounters{RdBytes: 1000, WrBytes: 2000, RdOps: 10, WrOps: 20},
			cur:  BlockCounters{RdBytes: 5000, WrBytes: 2000 + 8192, RdOps: 14, WrOps: 28},
			dt:   2 * time.Second,
			want: BlockRate{ReadBps: 2000, WriteBps: 4096, ReadIOPS: 2, WriteIOPS: 4},
		},
		{
			name: "one counter reset leaves the others",
			prev: BlockCounters{RdBytes: 1 << 30, WrBytes: 100, RdOps: 50, WrOps: 5},
			cur:  BlockCounters{RdBytes: 512, WrBytes: 1100, RdOps: 1, WrOps: 15},
			dt:   time.Second,
			want: BlockRate{ReadBps: 0, WriteBps: 1000, ReadIOPS: 0, WriteIOPS: 10},
		},
		{
			name: "dt zero",
			prev: BlockCounters{},
			cur:  BlockCounters{RdBytes: 1, WrBytes: 1, RdOps: 1, WrOps: 1},
			dt:   0,
			want: BlockRate{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ComputeBlockRate(tt.prev, tt.cur, tt.dt); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// A reset sample gives 0, and the sample after it is measured from the new
// (lower) base rather than from the value before the reset.
func TestBlockRateResetSequence(t *testing.T) {
	samples := []uint64{1000, 3000, 200, 1200, 2200}
	want := []float64{2000, 0, 1000, 1000}
	prev := BlockCounters{RdBytes: samples[0]}
	for i, s := range samples[1:] {
		cur := BlockCounters{RdBytes: s}
		if got := ComputeBlockRate(prev, cur, time.Second).ReadBps; got != want[i] {
			t.Errorf("sample %d (%d -> %d): ReadBps = %v, want %v", i+1, prev.RdBytes, s, got, want[i])
		}
		prev = cur
	}
}

func TestComputeJobProgress(t *testing.T) {
	tests := []struct {
		name              string
		prev, cur, length uint64
		dt                time.Duration
		want              JobProgress
	}{
		{
			name: "half way at 100 B/s",
			prev: 400, cur: 500, length: 1000, dt: time.Second,
			want: JobProgress{Fraction: 0.5, Rate: 100, ETA: 5 * time.Second, ETAKnown: true},
		},
		{
			name: "no progress means no ETA",
			prev: 500, cur: 500, length: 1000, dt: time.Second,
			want: JobProgress{Fraction: 0.5},
		},
		{
			name: "length zero",
			prev: 0, cur: 100, length: 0, dt: time.Second,
			want: JobProgress{Rate: 100},
		},
		{
			name: "offset past length clamps to 1",
			prev: 900, cur: 1200, length: 1000, dt: time.Second,
			want: JobProgress{Fraction: 1, Rate: 300, ETA: 0, ETAKnown: true},
		},
		{
			name: "complete",
			prev: 900, cur: 1000, length: 1000, dt: time.Second,
			want: JobProgress{Fraction: 1, Rate: 100, ETA: 0, ETAKnown: true},
		},
		{
			name: "offset went backwards (job restarted)",
			prev: 900, cur: 100, length: 1000, dt: time.Second,
			want: JobProgress{Fraction: 0.1},
		},
		{
			name: "dt zero",
			prev: 0, cur: 500, length: 1000, dt: 0,
			want: JobProgress{Fraction: 0.5},
		},
		{
			name: "ETA beyond time.Duration is capped",
			prev: 0, cur: 1, length: math.MaxUint64, dt: time.Hour,
			want: JobProgress{Fraction: 1 / float64(uint64(math.MaxUint64)), Rate: 1.0 / 3600, ETA: time.Duration(math.MaxInt64), ETAKnown: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ComputeJobProgress(tt.prev, tt.cur, tt.length, tt.dt)
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestComputeMigrationProgress(t *testing.T) {
	tests := []struct {
		name                          string
		transferred, remaining, total uint64
		want                          float64
	}{
		{"not started", 0, 0, 0, 0},
		{"quarter done", 256, 768, 1024, 0.25},
		{"done", 1024, 0, 1024, 1},
		{"retransmits: transferred beyond total", 4096, 512, 1024, 0.5},
		{"remaining above total", 0, 2048, 1024, 0},
		{"no total, estimate from the parts", 300, 100, 0, 0.75},
		{"no total, huge parts do not overflow", math.MaxUint64, math.MaxUint64, 0, 0.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ComputeMigrationProgress(tt.transferred, tt.remaining, tt.total)
			if got != tt.want {
				t.Errorf("ComputeMigrationProgress(%d, %d, %d) = %v, want %v", tt.transferred, tt.remaining, tt.total, got, tt.want)
			}
		})
	}
}

func TestRateClamp01(t *testing.T) {
	for _, tt := range []struct{ in, want float64 }{
		{-1, 0}, {0, 0}, {0.3, 0.3}, {1, 1}, {2, 1}, {math.NaN(), 0}, {math.Inf(1), 1}, {math.Inf(-1), 0},
	} {
		if got := rateClamp01(tt.in); got != tt.want {
			t.Errorf("rateClamp01(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
