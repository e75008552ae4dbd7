// Package render holds what every part of the dashboard draws with: the
// shared drawing context (styles, clock, time zone), cell arithmetic for
// styled strings (width, fit, boxes, side-by-side blocks), number and time
// formats, sparklines and bars, and the glyph-and-word texts of run states,
// connection states and error classes.
//
// It is plain functions over strings: no Bubble Tea model, no state, no
// I/O. It may import model (for snapshot types), themes and termsafe; it
// must never import ui or any of ui's parts, which all import it.
package render

import (
	"time"

	"github.com/qmpdash/qmpdash/themes"
)

// Context is what a part needs to draw beyond its own data: the styles in
// force and the clock. The root builds it once per theme change; parts
// keep a pointer, never a copy of the styles.
type Context struct {
	Styles *themes.Styles
	// Gen changes whenever Styles does, so a part can drop cached lines.
	Gen int
	Now func() time.Time
	Loc *time.Location
}
