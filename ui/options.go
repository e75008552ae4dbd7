package ui

import (
	"io"
	"log/slog"
	"time"

	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/ui/fleet"
	"github.com/qmpdash/qmpdash/ui/keys"
)

// Options configure the dashboard. The zero value works (but main passes
// Confirm: true so destructive actions ask first).
type Options struct {
	// Theme is a name from themes.Names(); "" is the default theme.
	Theme string
	// ReadOnly sends only what model.ReadOnlyAllows: other actions show as
	// disabled and other raw QMP commands are refused before sending.
	ReadOnly bool
	// NoMouse starts with mouse capture off so the terminal's own selection
	// (copy and paste) works; the mouse can still be toggled at run time.
	NoMouse bool
	// Confirm asks y/N before destructive actions.
	Confirm bool
	// HistoryFile keeps the palette's recently used actions across runs;
	// "" keeps them in memory only.
	HistoryFile string
	// Interval is the poll interval shown until the first snapshot reports one.
	Interval time.Duration
	// Keys rebinds actions: action name (see KeyActions) -> key names as
	// Bubble Tea prints them ("ctrl+x", "space", "f5").
	Keys map[string][]string
	// Columns picks the fleet columns to show (see ColumnNames); empty
	// shows all. Unknown names are an error from Run.
	Columns []string
	// Watching is a short human description of where VMs are looked for
	// (e.g. "/run/qemu/, $XDG_RUNTIME_DIR/qemu/"), shown while the fleet is
	// empty; "" shows a generic message.
	Watching string
	// Warnings (the config file's, e.g. unknown keys) are shown in the
	// status bar when the dashboard starts.
	Warnings []string
	// DemoNote is shown in the header when non-empty, e.g. "simulated VMs".
	DemoNote string
	// Logger receives diagnostics; nil discards them. The UI never writes to
	// stdout or stderr itself.
	Logger *slog.Logger
	// Input and Output replace the terminal (for tests); nil means the terminal.
	Input  io.Reader
	Output io.Writer
}

// Interval bounds accepted from the palette: the fleet's own.
const (
	MinInterval = model.MinInterval
	MaxInterval = model.MaxInterval
)

// KeyActions lists the action names Options.Keys may rebind.
func KeyActions() []string { return keys.Actions() }

// ColumnNames lists the fleet columns Options.Columns may name, in order.
func ColumnNames() []string { return fleet.ColumnNames() }
