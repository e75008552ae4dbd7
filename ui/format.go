package ui

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Number and time formatting shared by every pane. Widths are kept short
// and stable so columns line up.

// fmtBytes prints a byte count in binary units: 512B, 1.5K, 12M, 1.0G.
func fmtBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return strconv.FormatUint(n, 10) + "B"
	}
	v := float64(n)
	units := "KMGTPE"
	i := -1
	for v >= unit && i < len(units)-1 {
		v /= unit
		i++
	}
	if v < 10 {
		return strconv.FormatFloat(v, 'f', 1, 64) + units[i:i+1]
	}
	return strconv.FormatFloat(math.Floor(v), 'f', 0, 64) + units[i:i+1]
}

// fmtRate prints bytes per second.
func fmtRate(bps float64) string {
	if !(bps > 0) || math.IsInf(bps, 0) {
		return "0B/s"
	}
	if bps > math.MaxUint64/2 {
		bps = math.MaxUint64 / 2
	}
	return fmtBytes(uint64(bps)) + "/s"
}

// fmtIOPS prints operations per second.
func fmtIOPS(v float64) string {
	switch {
	case !(v > 0):
		return "0"
	case v < 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case v < 10000:
		return strconv.FormatFloat(v, 'f', 0, 64)
	default:
		return strconv.FormatFloat(v/1000, 'f', 0, 64) + "k"
	}
}

// fmtPct prints a percentage with one decimal.
func fmtPct(p float64) string {
	if math.IsNaN(p) || math.IsInf(p, 0) {
		return "—"
	}
	return strconv.FormatFloat(p, 'f', 1, 64) + "%"
}

// fmtDur prints a duration coarsely: 12s, 5m12s, 3h04m, 2d04h.
func fmtDur(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int64(d / time.Second)
	switch {
	case d < time.Second:
		if d == 0 {
			return "0s"
		}
		return strconv.FormatInt(int64(d/time.Millisecond), 10) + "ms"
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	case s < 86400:
		return fmt.Sprintf("%dh%02dm", s/3600, (s%3600)/60)
	default:
		return fmt.Sprintf("%dd%02dh", s/86400, (s%86400)/3600)
	}
}

// fmtClock prints a time of day in loc.
func fmtClock(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(loc).Format("15:04:05")
}

// fmtStamp prints an event's timestamp with milliseconds.
func fmtStamp(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "--:--:--.---"
	}
	return t.In(loc).Format("15:04:05.000")
}

// parseSize reads a memory size for the balloon: 512M, 1G, 1.5G, 2048MiB.
// A bare number is MiB, as in HMP's balloon command.
func parseSize(s string) (uint64, error) {
	t := strings.TrimSpace(strings.ToUpper(s))
	if t == "" {
		return 0, errors.New("size is empty (e.g. 512M or 1G)")
	}
	t = strings.TrimSuffix(strings.TrimSuffix(t, "B"), "I")
	mult := float64(1 << 20)
	if n := len(t); n > 0 {
		switch t[n-1] {
		case 'K':
			mult, t = 1<<10, t[:n-1]
		case 'M':
			mult, t = 1<<20, t[:n-1]
		case 'G':
			mult, t = 1<<30, t[:n-1]
		case 'T':
			mult, t = 1<<40, t[:n-1]
		}
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a size (e.g. 512M or 1G)", s)
	}
	b := v * mult
	if b < 1<<20 {
		return 0, fmt.Errorf("size %q is below 1M", s)
	}
	if b > 1<<50 {
		return 0, fmt.Errorf("size %q is too large", s)
	}
	return uint64(b), nil
}

// parseInterval reads a poll interval and keeps it within bounds.
func parseInterval(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration (e.g. 500ms, 2s, 1m)", s)
	}
	if d < MinInterval || d > MaxInterval {
		return 0, fmt.Errorf("interval must be between %v and %v (got %v)", MinInterval, MaxInterval, d)
	}
	return d, nil
}
