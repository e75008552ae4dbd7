package ui

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
		if got := fmtBytes(in); got != want {
			t.Errorf("fmtBytes(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestFmtRateAndIOPS(t *testing.T) {
	if got := fmtRate(1.5 * (1 << 20)); got != "1.5M/s" {
		t.Errorf("fmtRate = %q", got)
	}
	for _, bad := range []float64{0, -5, math.NaN(), math.Inf(1)} {
		if got := fmtRate(bad); got != "0B/s" {
			t.Errorf("fmtRate(%v) = %q", bad, got)
		}
	}
	if fmtRate(math.MaxFloat64) == "" {
		t.Error("huge rate printed nothing")
	}
	for in, want := range map[float64]string{0: "0", 2.5: "2.5", 120: "120", 25000: "25k"} {
		if got := fmtIOPS(in); got != want {
			t.Errorf("fmtIOPS(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestFmtDurAndPct(t *testing.T) {
	cases := map[time.Duration]string{
		0: "0s", 300 * time.Millisecond: "300ms", 12 * time.Second: "12s", 312 * time.Second: "5m12s",
		3*time.Hour + 4*time.Minute: "3h04m", 52 * time.Hour: "2d04h", -time.Second: "0s",
	}
	for in, want := range cases {
		if got := fmtDur(in); got != want {
			t.Errorf("fmtDur(%v) = %q, want %q", in, got, want)
		}
	}
	if fmtPct(42) != "42.0%" || fmtPct(math.NaN()) != "—" {
		t.Errorf("fmtPct: %q %q", fmtPct(42), fmtPct(math.NaN()))
	}
}

func TestParseSize(t *testing.T) {
	good := map[string]uint64{
		"512M": 512 << 20, "512m": 512 << 20, "1G": 1 << 30, "1.5G": 3 << 29, "2048MiB": 2 << 30,
		"1024": 1 << 30, "1048576K": 1 << 30, " 2g ": 2 << 30, "1T": 1 << 40,
	}
	for in, want := range good {
		got, err := parseSize(in)
		if err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "abc", "12Q", "0.5", "100K", "-1G", "NaN", "Inf", "99999999T"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) accepted", in)
		}
	}
}

func TestParseInterval(t *testing.T) {
	for in, want := range map[string]time.Duration{"100ms": 100 * time.Millisecond, "2s": 2 * time.Second, "1h": time.Hour} {
		if got, err := parseInterval(in); err != nil || got != want {
			t.Errorf("parseInterval(%q) = %v, %v", in, got, err)
		}
	}
	for in, msg := range map[string]string{
		"50ms": "between 100ms and 1h0m0s (got 50ms)",
		"2h":   "between 100ms and 1h0m0s (got 2h0m0s)",
		"fast": "not a duration",
		"-1s":  "between",
	} {
		_, err := parseInterval(in)
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("parseInterval(%q) error = %v, want it to say %q", in, err, msg)
		}
	}
}

func TestSparkline(t *testing.T) {
	if got := sparkline([]float64{0, 50, 100}, 5, 100); got != "  ▁▄█" {
		t.Errorf("sparkline = %q", got)
	}
	// Newest values win when history is longer than the width.
	if got := sparkline([]float64{100, 100, 0, 0}, 2, 100); got != "▁▁" {
		t.Errorf("sparkline kept old values: %q", got)
	}
	// Auto-scaling: the largest value is a full block.
	if got := sparkline([]float64{1, 2, 4}, 3, 0); !strings.HasSuffix(got, "█") || width(got) != 3 {
		t.Errorf("auto-scaled sparkline = %q", got)
	}
	// Any positive value shows at least the lowest bar; junk does not panic.
	if got := sparkline([]float64{0.001, math.NaN(), -3, math.Inf(1)}, 4, 100); []rune(got)[0] != '▁' {
		t.Errorf("tiny value invisible: %q", got)
	}
	if sparkline(nil, 0, 0) != "" || width(sparkline(nil, 4, 0)) != 4 {
		t.Error("empty sparkline has the wrong width")
	}
}

func TestBar(t *testing.T) {
	for _, c := range []struct {
		frac       float64
		w, full, e int
	}{{0.5, 10, 5, 5}, {0, 4, 0, 4}, {1, 4, 4, 0}, {2, 4, 4, 0}, {-1, 4, 0, 4}, {math.NaN(), 4, 0, 4}, {0.5, 0, 0, 0}} {
		full, empty := bar(c.frac, c.w)
		if strings.Count(full, "█") != c.full || strings.Count(empty, "░") != c.e {
			t.Errorf("bar(%v, %d) = %q %q", c.frac, c.w, full, empty)
		}
	}
}
