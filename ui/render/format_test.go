package render

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestFmtBytes(t *testing.T) {
	cases := map[uint64]string{
		0: "0B", 1023: "1023B", 1024: "1.0K", 1536: "1.5K", 10 << 10: "10K",
		512 << 20: "512M", 1 << 30: "1.0G", 20 << 30: "20G", math.MaxUint64: "16E",
	}
	for in, want := range cases {
		if got := Bytes(in); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestFmtRateAndIOPS(t *testing.T) {
	if got := Rate(1.5 * (1 << 20)); got != "1.5M/s" {
		t.Errorf("fmtRate = %q", got)
	}
	for _, bad := range []float64{0, -5, math.NaN(), math.Inf(1)} {
		if got := Rate(bad); got != "0B/s" {
			t.Errorf("Rate(%v) = %q", bad, got)
		}
	}
	if Rate(math.MaxFloat64) == "" {
		t.Error("huge rate printed nothing")
	}
	for in, want := range map[float64]string{0: "0", 2.5: "2.5", 120: "120", 25000: "25k"} {
		if got := IOPS(in); got != want {
			t.Errorf("IOPS(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestFmtDurAndPct(t *testing.T) {
	cases := map[time.Duration]string{
		0: "0s", 300 * time.Millisecond: "300ms", 12 * time.Second: "12s", 312 * time.Second: "5m12s",
		3*time.Hour + 4*time.Minute: "3h04m", 52 * time.Hour: "2d04h", -time.Second: "0s",
	}
	for in, want := range cases {
		if got := Dur(in); got != want {
			t.Errorf("Dur(%v) = %q, want %q", in, got, want)
		}
	}
	if Pct(42) != "42.0%" || Pct(math.NaN()) != "—" {
		t.Errorf("fmtPct: %q %q", Pct(42), Pct(math.NaN()))
	}
}

func TestSparkline(t *testing.T) {
	if got := Sparkline([]float64{0, 50, 100}, 5, 100); got != "  ▁▄█" {
		t.Errorf("sparkline = %q", got)
	}
	// Newest values win when history is longer than the width.
	if got := Sparkline([]float64{100, 100, 0, 0}, 2, 100); got != "▁▁" {
		t.Errorf("sparkline kept old values: %q", got)
	}
	// Auto-scaling: the largest value is a full block.
	if got := Sparkline([]float64{1, 2, 4}, 3, 0); !strings.HasSuffix(got, "█") || Width(got) != 3 {
		t.Errorf("auto-scaled sparkline = %q", got)
	}
	// Any positive value shows at least the lowest bar; junk does not panic.
	if got := Sparkline([]float64{0.001, math.NaN(), -3, math.Inf(1)}, 4, 100); []rune(got)[0] != '▁' {
		t.Errorf("tiny value invisible: %q", got)
	}
	if Sparkline(nil, 0, 0) != "" || Width(Sparkline(nil, 4, 0)) != 4 {
		t.Error("empty sparkline has the wrong width")
	}
}

func TestBar(t *testing.T) {
	for _, c := range []struct {
		frac       float64
		w, full, e int
	}{{0.5, 10, 5, 5}, {0, 4, 0, 4}, {1, 4, 4, 0}, {2, 4, 4, 0}, {-1, 4, 0, 4}, {math.NaN(), 4, 0, 4}, {0.5, 0, 0, 0}} {
		full, empty := BarParts(c.frac, c.w)
		if strings.Count(full, "█") != c.full || strings.Count(empty, "░") != c.e {
			t.Errorf("BarParts(%v, %d) = %q %q", c.frac, c.w, full, empty)
		}
	}
}
