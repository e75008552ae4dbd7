package model

import (
	"math"
	"testing"
	"time"
)

func fixedRnd(v float64) func() float64 { return func() float64 { return v } }

func TestDefaultBackoff(t *testing.T) {
	want := Backoff{Min: 250 * time.Millisecond, Max: 30 * time.Second, Factor: 2, Jitter: 0.2}
	if got := DefaultBackoff(); got != want {
		t.Errorf("DefaultBackoff() = %+v, want %+v", got, want)
	}
}

func TestBackoffDelay(t *testing.T) {
	noJitter := Backoff{Min: 250 * time.Millisecond, Max: 30 * time.Second, Factor: 2}
	tests := []struct {
		name    string
		b       Backoff
		attempt int
		rnd     func() float64
		want    time.Duration
	}{
		{"first attempt is Min", noJitter, 1, nil, 250 * time.Millisecond},
		{"second doubles", noJitter, 2, nil, 500 * time.Millisecond},
		{"fifth", noJitter, 5, nil, 4 * time.Second},
		{"capped at Max", noJitter, 9, nil, 30 * time.Second},
		{"attempt 1000 does not overflow", noJitter, 1000, nil, 30 * time.Second},
		{"attempt MaxInt does not overflow", noJitter, math.MaxInt, nil, 30 * time.Second},
		{"attempt 0 treated as 1", noJitter, 0, nil, 250 * time.Millisecond},
		{"negative attempt treated as 1", noJitter, -3, nil, 250 * time.Millisecond},

		{"jitter r=0 keeps full delay", DefaultBackoff(), 3, fixedRnd(0), time.Second},
		{"jitter r=0.5 takes off half the jitter", DefaultBackoff(), 3, fixedRnd(0.5), 900 * time.Millisecond},
		{"jitter at Max stays at or below Max", DefaultBackoff(), 1000, fixedRnd(0), 30 * time.Second},
		{"jitter at Max spreads below Max", DefaultBackoff(), 1000, fixedRnd(0.5), 27 * time.Second},
		{"nil rnd means no jitter", DefaultBackoff(), 3, nil, time.Second},
		{"rnd below 0 clamped to 0", DefaultBackoff(), 3, fixedRnd(-5), time.Second},
		{"rnd NaN clamped to 0", DefaultBackoff(), 3, fixedRnd(math.NaN()), time.Second},
		{"rnd above 1 clamped", DefaultBackoff(), 3, fixedRnd(7), 800 * time.Millisecond},
		{"jitter above 1 clamped to 1", Backoff{Min: time.Second, Max: time.Minute, Factor: 2, Jitter: 3}, 1, fixedRnd(0.5), 500 * time.Millisecond},
		{"negative jitter means none", Backoff{Min: time.Second, Max: time.Minute, Factor: 2, Jitter: -1}, 1, fixedRnd(0.5), time.Second},

		{"zero value uses defaults", Backoff{}, 2, nil, 500 * time.Millisecond},
		{"factor below 1 uses default", Backoff{Min: time.Second, Max: time.Minute, Factor: 0.5}, 3, nil, 4 * time.Second},
		{"factor NaN uses default", Backoff{Min: time.Second, Max: time.Minute, Factor: math.NaN()}, 2, nil, 2 * time.Second},
		{"factor Inf uses default", Backoff{Min: time.Second, Max: time.Minute, Factor: math.Inf(1)}, 2, nil, 2 * time.Second},
		{"factor 1 is constant", Backoff{Min: time.Second, Max: time.Minute, Factor: 1}, 50, nil, time.Second},
		{"Min above Max capped", Backoff{Min: time.Hour, Max: time.Second, Factor: 2}, 1, nil, time.Second},
		{"huge factor capped", Backoff{Min: time.Second, Max: time.Minute, Factor: 1e300}, 3, nil, time.Minute},
		{"Max near the Duration limit", Backoff{Min: time.Second, Max: time.Duration(math.MaxInt64), Factor: 2}, 1000, nil, time.Duration(math.MaxInt64)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.b.Delay(tt.attempt, tt.rnd); got != tt.want {
				t.Errorf("Delay(%d) = %v, want %v", tt.attempt, got, tt.want)
			}
		})
	}
}

// Over the whole range of attempts and random values, a delay stays within
// [(1-Jitter)*undisturbed, undisturbed] and never exceeds Max.
func TestBackoffJitterBounds(t *testing.T) {
	b := DefaultBackoff()
	for attempt := 1; attempt <= 1000; attempt++ {
		base := b.Delay(attempt, nil)
		lo := time.Duration(float64(base) * (1 - b.Jitter))
		for _, r := range []float64{0, 0.001, 0.25, 0.5, 0.75, 0.999, math.Nextafter(1, 0)} {
			d := b.Delay(attempt, fixedRnd(r))
			if d < lo-1 || d > base || d > b.Max || d < 0 {
				t.Fatalf("attempt %d r=%v: Delay = %v, want in [%v, %v] and <= Max %v", attempt, r, d, lo, base, b.Max)
			}
		}
	}
}

// Delays never shrink from one attempt to the next without jitter.
func TestBackoffMonotonic(t *testing.T) {
	b := DefaultBackoff()
	prev := time.Duration(0)
	for attempt := 1; attempt <= 100; attempt++ {
		d := b.Delay(attempt, nil)
		if d < prev {
			t.Fatalf("attempt %d: %v < previous %v", attempt, d, prev)
		}
		prev = d
	}
}
