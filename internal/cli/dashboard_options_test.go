package cli

import (
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/config"
	"github.com/qmpdash/qmpdash/ui"
)

// dashboardOptions parses args as the dashboard does and returns the UI's
// options and the fleet's config built from the settings.
func dashboardOptions(t *testing.T, args ...string) (ui.Options, config.Settings) {
	t.Helper()
	fs, noMouse := dashboardFlags("qmpdash")
	pos, err := parseFlags(fs, "", args, &strings.Builder{})
	if err != nil {
		t.Fatal(err)
	}
	set, warnings, err := loadSettings(fs, pos)
	if err != nil {
		t.Fatal(err)
	}
	return uiOptions(set, warnings, *noMouse, nil), set
}

// What a config file says reaches the dashboard: theme, columns, keys,
// confirm, mouse, interval, read-only (the UI's and the fleet's), and its
// warnings; flags override it.
func TestDashboardOptionsFromConfigFile(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	file := configFile(t, `
interval  = "750ms"
timeout   = "7s"
theme     = "high-contrast"
read_only = true
mouse     = false
confirm   = false
columns   = ["name", "state", "cpu"]
colour    = "blue"

[keys]
palette = ["ctrl+k", ":"]
quit    = ["Q"]
`)
	opts, set := dashboardOptions(t, "--config", file)
	if opts.Theme != "high-contrast" || !opts.ReadOnly || !opts.NoMouse || opts.Confirm || opts.Interval != 750*time.Millisecond {
		t.Errorf("theme %q read-only %v no-mouse %v confirm %v interval %v", opts.Theme, opts.ReadOnly, opts.NoMouse, opts.Confirm, opts.Interval)
	}
	if !slices.Equal(opts.Columns, []string{"name", "state", "cpu"}) {
		t.Errorf("columns %v", opts.Columns)
	}
	if want := map[string][]string{"palette": {"ctrl+k", ":"}, "quit": {"Q"}}; !reflect.DeepEqual(opts.Keys, want) {
		t.Errorf("keys %v, want %v", opts.Keys, want)
	}
	if len(opts.Warnings) != 1 || !strings.Contains(opts.Warnings[0], "colour") {
		t.Errorf("warnings %q, want the unknown key's", opts.Warnings)
	}
	if opts.HistoryFile != filepath.Join(state, "qmpdash", "history") {
		t.Errorf("history file %q", opts.HistoryFile)
	}
	if fc := fleetConfig(set, nil); !fc.ReadOnly || fc.Interval != 750*time.Millisecond || fc.Timeout != 7*time.Second {
		t.Errorf("fleet config %+v", fc)
	}

	// Flags win over the file.
	opts, set = dashboardOptions(t, "--config", file, "--theme", "light", "--interval", "2s", "--read-only=false")
	if opts.Theme != "light" || opts.Interval != 2*time.Second || opts.ReadOnly || fleetConfig(set, nil).ReadOnly {
		t.Errorf("flags over the file: theme %q interval %v read-only %v", opts.Theme, opts.Interval, opts.ReadOnly)
	}

	// Defaults: mouse on and confirm on; --no-mouse turns the mouse off
	// even when the file asks for it.
	on := configFile(t, "mouse = true\n")
	if opts, _ = dashboardOptions(t, "--config", on); opts.NoMouse || !opts.Confirm || opts.ReadOnly || opts.Theme != "" || opts.Columns != nil {
		t.Errorf("defaults: %+v", opts)
	}
	if opts, _ = dashboardOptions(t, "--config", on, "--no-mouse"); !opts.NoMouse {
		t.Error("--no-mouse did not turn the mouse off")
	}
}
