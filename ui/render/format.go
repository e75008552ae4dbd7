package render

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/qmpdash/qmpdash/themes"
)

// Number and time formatting shared by every pane. Widths are kept short
// and stable so columns line up.

// fmtBytes prints a byte count in binary units: 512B, 1.5K, 12M, 1.0G.
func Bytes(n uint64) string {
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
func Rate(bps float64) string {
	if !(bps > 0) || math.IsInf(bps, 0) {
		return "0B/s"
	}
	if bps > math.MaxUint64/2 {
		bps = math.MaxUint64 / 2
	}
	return Bytes(uint64(bps)) + "/s"
}

// fmtIOPS prints operations per second.
func IOPS(v float64) string {
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
func Pct(p float64) string {
	if math.IsNaN(p) || math.IsInf(p, 0) {
		return "—"
	}
	return strconv.FormatFloat(p, 'f', 1, 64) + "%"
}

// fmtDur prints a duration coarsely: 12s, 5m12s, 3h04m, 2d04h.
func Dur(d time.Duration) string {
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

// Age prints how long ago something was, in one unit so it stays short
// in a table cell: 0s, 12s, 5m, 3h, 2d.
func Age(d time.Duration) string {
	s := int64(max(d, 0) / time.Second)
	switch {
	case s < 60:
		return strconv.FormatInt(s, 10) + "s"
	case s < 3600:
		return strconv.FormatInt(s/60, 10) + "m"
	case s < 2*86400:
		return strconv.FormatInt(s/3600, 10) + "h"
	}
	return strconv.FormatInt(s/86400, 10) + "d"
}

// fmtClock prints a time of day in loc.
func Clock(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(loc).Format("15:04:05")
}

// Moment is t as a time of day when it falls on now's day, else with its
// date: a login from last week read as a bare "22:13:20" would say today.
func Moment(t, now time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	t, now = t.In(loc), now.In(loc)
	if y, m, d := t.Date(); y == now.Year() && m == now.Month() && d == now.Day() {
		return t.Format("15:04:05")
	}
	return t.Format("2006-01-02 15:04")
}

// fmtStamp prints an event's timestamp with milliseconds.
func Stamp(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "--:--:--.---"
	}
	return t.In(loc).Format("15:04:05.000")
}

// YesNo is a boolean as a word.
func YesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// barWidth sizes a bar to what is left of w after other cells.
func BarWidth(w, used, lo, hi int) int {
	return max(lo, min(hi, w-used))
}

// Bar is a progress bar w cells wide, frac full, in the theme's colours.
func Bar(st *themes.Styles, frac float64, w int) string {
	full, empty := BarParts(frac, w)
	return st.BarFull.Render(full) + st.BarEmpty.Render(empty)
}

// Itoa is strconv.Itoa, short for the many counts drawn.
func Itoa(n int) string { return strconv.Itoa(n) }
