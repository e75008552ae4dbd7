package palette

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/qmpdash/qmpdash/model"
)

// Parsing what the palette's prompts take.

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
	if d < model.MinInterval || d > model.MaxInterval {
		return 0, fmt.Errorf("interval must be between %v and %v (got %v)", model.MinInterval, model.MaxInterval, d)
	}
	return d, nil
}
