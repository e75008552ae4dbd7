package model

import (
	"math"
	"time"
)

// Backoff is a capped exponential backoff with jitter for reconnecting to a
// monitor socket. Attempt n waits Min*Factor^(n-1), capped at Max, and then
// up to Jitter of that delay is taken off at random so that many VMs that
// lost their sockets together (host suspend, qemu restarts) do not all
// redial in the same instant. Jitter only ever shortens the delay, which
// keeps the spread even once every VM has reached Max.
type Backoff struct {
	Min, Max time.Duration
	Factor   float64
	Jitter   float64 // 0..1, fraction of the delay randomised
}

// DefaultBackoff is the reconnect policy used unless configured otherwise.
func DefaultBackoff() Backoff {
	return Backoff{Min: 250 * time.Millisecond, Max: 30 * time.Second, Factor: 2, Jitter: 0.2}
}

// Delay is how long to wait before attempt (1 for the first retry). rnd
// returns a value in [0,1): pass rand.Float64 in production and a fixed
// function in tests; a nil rnd means no jitter.
//
// Bad settings are made safe rather than trusted, because a zero or
// negative delay would turn reconnecting into a busy loop: a Min or Max
// that is not positive, or a Factor that is not a finite number >= 1, takes
// the DefaultBackoff value; Min above Max is capped to Max; Jitter is
// clamped to [0,1]; rnd values outside [0,1) are clamped. The result is
// always in [0, Max].
func (b Backoff) Delay(attempt int, rnd func() float64) time.Duration {
	def := DefaultBackoff()
	if b.Min <= 0 {
		b.Min = def.Min
	}
	if b.Max <= 0 {
		b.Max = def.Max
	}
	if math.IsNaN(b.Factor) || math.IsInf(b.Factor, 0) || b.Factor < 1 {
		b.Factor = def.Factor
	}
	if attempt < 1 {
		attempt = 1
	}

	// Float arithmetic so a large attempt saturates instead of wrapping;
	// math.Pow gives +Inf rather than overflowing, and +Inf > Max.
	d := float64(b.Min) * math.Pow(b.Factor, float64(attempt-1))
	if d > float64(b.Max) {
		d = float64(b.Max)
	}

	j := rateClamp01(b.Jitter)
	if j > 0 && rnd != nil {
		r := rnd()
		if !(r >= 0) { // negative or NaN
			r = 0
		}
		if r >= 1 {
			r = math.Nextafter(1, 0)
		}
		d -= d * j * r
	}

	// float64(Max) may round up past the largest Duration, and converting
	// an out-of-range float is implementation-defined, so cap before it.
	if d >= float64(b.Max) {
		return b.Max
	}
	if d <= 0 {
		return 0
	}
	return time.Duration(d)
}
