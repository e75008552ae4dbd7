package render

import (
	"math"
	"strings"
)

// Sparklines and bars are plain glyphs, so they read without colour.

var sparkGlyphs = []rune(" ▁▂▃▄▅▆▇█")

// sparkline draws the last width values of vals, scaled so that top is a
// full block; top <= 0 scales to the largest value shown. Zero is the
// baseline (▁), so a quiet stretch does not read as missing data; missing
// history is left blank on the left, so the newest sample is always at the
// right edge.
func Sparkline(vals []float64, width int, top float64) string {
	if width <= 0 {
		return ""
	}
	if len(vals) > width {
		vals = vals[len(vals)-width:]
	}
	if top <= 0 {
		for _, v := range vals {
			if v > top {
				top = v
			}
		}
	}
	var b strings.Builder
	b.Grow(width * 3)
	for i := len(vals); i < width; i++ {
		b.WriteByte(' ')
	}
	last := len(sparkGlyphs) - 1
	for _, v := range vals {
		idx := 1
		if top > 0 && v > 0 && !math.IsNaN(v) {
			idx = int(math.Ceil(v / top * float64(last)))
			idx = max(1, min(idx, last))
		}
		b.WriteRune(sparkGlyphs[idx])
	}
	return b.String()
}

// bar splits width cells into a filled and an empty run for frac (0..1).
// The caller styles the two halves; the glyphs differ so the bar reads
// without colour.
func BarParts(frac float64, width int) (full, empty string) {
	if width <= 0 {
		return "", ""
	}
	if math.IsNaN(frac) || frac < 0 {
		frac = 0
	}
	if frac > 1 {
		frac = 1
	}
	n := int(math.Round(frac * float64(width)))
	return strings.Repeat("█", n), strings.Repeat("░", width-n)
}
