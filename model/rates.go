package model

import (
	"math"
	"time"
)

// QEMU reports block I/O as counters that only grow while the same QEMU
// process and device live. A counter that is lower than the previous sample
// means it was reset (QEMU restarted, device re-added), not that the device
// "un-read" bytes: the unsigned difference would be a huge bogus rate, so
// such a sample yields 0 and the caller simply keeps the new value as the
// base for the next delta.

// BlockCounters are the query-blockstats counters a rate is derived from.
type BlockCounters struct {
	RdBytes, WrBytes uint64
	RdOps, WrOps     uint64
}

// BlockRate is per-second throughput derived from two BlockCounters.
type BlockRate struct {
	ReadBps, WriteBps   float64
	ReadIOPS, WriteIOPS float64
}

// CounterRate is the per-second rate of a monotonically increasing counter
// that went from prev to cur over dt. It is 0 when dt is not positive or the
// counter went backwards (a reset); it is never negative.
func CounterRate(prev, cur uint64, dt time.Duration) float64 {
	if dt <= 0 || cur < prev {
		return 0
	}
	return float64(cur-prev) / dt.Seconds()
}

// ComputeBlockRate derives the rates between two samples dt apart. Each
// counter is judged on its own, so a reset of one does not zero the others.
// The caller stores cur as the next prev either way.
func ComputeBlockRate(prev, cur BlockCounters, dt time.Duration) BlockRate {
	return BlockRate{
		ReadBps:   CounterRate(prev.RdBytes, cur.RdBytes, dt),
		WriteBps:  CounterRate(prev.WrBytes, cur.WrBytes, dt),
		ReadIOPS:  CounterRate(prev.RdOps, cur.RdOps, dt),
		WriteIOPS: CounterRate(prev.WrOps, cur.WrOps, dt),
	}
}

// JobProgress is how far a block job (query-block-jobs offset/len) has got.
type JobProgress struct {
	Fraction float64       // done, in [0,1]
	Rate     float64       // bytes per second over the last interval
	ETA      time.Duration // time left at Rate; meaningful only if ETAKnown
	ETAKnown bool
}

// ComputeJobProgress derives a job's progress from its offset at two
// samples dt apart and its total length. QEMU may grow len while a job runs
// (mirror with a busy guest) and offset may exceed len briefly, so the
// fraction is clamped. A length of 0 means QEMU does not know the size yet:
// the fraction is 0 and no ETA is given. The ETA needs a positive rate;
// an ETA too long for a time.Duration is capped at the largest one.
func ComputeJobProgress(prevOffset, curOffset, length uint64, dt time.Duration) JobProgress {
	p := JobProgress{Rate: CounterRate(prevOffset, curOffset, dt)}
	if length == 0 {
		return p
	}
	p.Fraction = rateClamp01(float64(curOffset) / float64(length))
	if p.Rate > 0 {
		p.ETAKnown = true
		if curOffset < length {
			secs := float64(length-curOffset) / p.Rate
			if secs >= float64(math.MaxInt64)/float64(time.Second) {
				p.ETA = time.Duration(math.MaxInt64)
			} else {
				p.ETA = time.Duration(secs * float64(time.Second))
			}
		}
	}
	return p
}

// ComputeMigrationProgress is the fraction of a live migration done, from
// query-migrate's ram figures. Transferred counts pages sent more than once
// (the guest keeps dirtying memory), so it can exceed total; progress is
// therefore measured by what remains: (total-remaining)/total. Without a
// total, transferred/(transferred+remaining) is the best estimate. The
// result is always in [0,1]; with nothing known it is 0.
func ComputeMigrationProgress(transferred, remaining, total uint64) float64 {
	if total > 0 {
		if remaining >= total {
			return 0
		}
		return rateClamp01(float64(total-remaining) / float64(total))
	}
	sum := float64(transferred) + float64(remaining) // float: the uint64 sum may overflow
	if sum == 0 {
		return 0
	}
	return rateClamp01(float64(transferred) / sum)
}

// rateClamp01 clamps f to [0,1], mapping NaN to 0.
func rateClamp01(f float64) float64 {
	switch {
	case !(f > 0): // also catches NaN
		return 0
	case f > 1:
		return 1
	}
	return f
}
