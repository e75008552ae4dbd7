package model

// Ring is a fixed-capacity ring buffer that keeps the most recent values
// pushed into it, for history graphs and sparklines. Once full, each Push
// overwrites the oldest value, so memory stays at Cap() elements for the
// life of the ring and Push never allocates.
//
// A Ring is not safe for concurrent use: the fleet owns one per series and
// hands readers copies (Values) inside immutable snapshots.
type Ring[T any] struct {
	buf   []T
	start int // index of the oldest value
	n     int // number of values held, <= len(buf)
}

// NewRing returns an empty ring holding at most capacity values. A capacity
// below 1 is raised to 1 so a misconfigured history length cannot make Push
// index out of range.
func NewRing[T any](capacity int) *Ring[T] {
	if capacity < 1 {
		capacity = 1
	}
	return &Ring[T]{buf: make([]T, capacity)}
}

// Push appends v, evicting the oldest value when the ring is full.
func (r *Ring[T]) Push(v T) {
	if r.n < len(r.buf) {
		r.buf[(r.start+r.n)%len(r.buf)] = v
		r.n++
		return
	}
	r.buf[r.start] = v
	r.start = (r.start + 1) % len(r.buf)
}

// Len is the number of values held.
func (r *Ring[T]) Len() int { return r.n }

// Cap is the most values the ring holds.
func (r *Ring[T]) Cap() int { return len(r.buf) }

// Values returns a fresh copy of the held values, oldest first. The copy is
// the caller's: later Pushes do not change it. An empty ring gives an empty,
// non-nil slice so callers can range or JSON-encode it without a nil check.
func (r *Ring[T]) Values() []T {
	out := make([]T, r.n)
	// The held values are at most two contiguous runs of buf.
	first := copy(out, r.buf[r.start:min(r.start+r.n, len(r.buf))])
	copy(out[first:], r.buf[:r.n-first])
	return out
}

// Last returns the newest value, or false when the ring is empty.
func (r *Ring[T]) Last() (T, bool) {
	if r.n == 0 {
		var zero T
		return zero, false
	}
	return r.buf[(r.start+r.n-1)%len(r.buf)], true
}

// Reset empties the ring, keeping its capacity. Held values are zeroed so a
// ring of pointers or slices does not keep their targets alive.
func (r *Ring[T]) Reset() {
	clear(r.buf)
	r.start, r.n = 0, 0
}
