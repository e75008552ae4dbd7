package cli

import (
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/config"
	"github.com/qmpdash/qmpdash/ui"
)

// settingsFor parses args the way a command does and loads its settings.
func settingsFor(t *testing.T, args ...string) (config.Settings, []string, error) {
	t.Helper()
	return parseSettings(commandFlags("test"), args)
}

// dashboardOptions parses args as the dashboard does and returns the UI's
// options and the settings the fleet's config is built from.
func dashboardOptions(t *testing.T, args ...string) (ui.Options, config.Settings) {
	t.Helper()
	fs, noMouse := dashboardFlags("qmpdash")
	set, warnings, err := parseSettings(fs, args)
	if err != nil {
		t.Fatal(err)
	}
	return uiOptions(set, warnings, *noMouse, nil), set
}

func parseSettings(fs *flag.FlagSet, args []string) (config.Settings, []string, error) {
	pos, err := parseFlags(fs, "", args, &strings.Builder{})
	if err != nil {
		return config.Settings{}, nil, err
	}
	return loadSettings(fs, pos)
}

// configFile writes a config file for --config.
func configFile(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSettingsFlagsOverrideFile(t *testing.T) {
	file := configFile(t, `
targets = ["/from/file.qmp"]
interval = "250ms"
timeout = "2s"
theme = "dark"
read_only = true
`)
	// Flags not given leave the file's values alone, even though every
	// flag has a default of its own.
	set, _, err := settingsFor(t, "--config", file, "--timeout", "9s", "/from/args.qmp")
	if err != nil {
		t.Fatal(err)
	}
	if set.Timeout.Value != 9*time.Second || set.Interval.Value != 250*time.Millisecond || set.Theme.Value != "dark" || !set.ReadOnly.Value {
		t.Fatalf("%+v", set)
	}
	if set.Timeout.Source != config.Flag || set.Interval.Source != config.File || set.File != file {
		t.Fatalf("sources: %+v", set)
	}
	if !slices.Equal(set.Targets.Value, []string{"/from/args.qmp"}) {
		t.Fatalf("positional targets should replace the file's: %v", set.Targets)
	}
	set, _, err = settingsFor(t, "--config", file, "--interval", "3s", "--theme", "Light", "--read-only=false", "--log", "/tmp/x.log")
	if err != nil {
		t.Fatal(err)
	}
	if set.Interval.Value != 3*time.Second || set.Theme.Value != "light" || set.ReadOnly.Value || set.LogFile.Value != "/tmp/x.log" ||
		!slices.Equal(set.Targets.Value, []string{"/from/file.qmp"}) {
		t.Fatalf("%+v", set)
	}
}

func TestSettingsDefaultsThroughFlags(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // no qmpdash/config.toml in it
	set, warnings, err := settingsFor(t)
	if err != nil || len(warnings) > 0 || !reflect.DeepEqual(set, config.Defaults()) {
		t.Fatalf("%+v, warnings %v, err %v", set, warnings, err)
	}
}

func TestBadConfigFileIsAUsageError(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.toml")
	_, stderr, code := runCLI(t, "status", "--config", missing, "/nonexistent.qmp")
	if code != exitUsage || !strings.Contains(stderr, "nope.toml") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	// One bad file per way the config package finds fault; internal/config
	// tests each message in full.
	for _, text := range []string{
		"interval = \"1s\"\ntheme = \"dark\n",
		"\ninterval = \"10ms\"",
		"[keys]\nquit = [\"q\"]\nhelp = \"?\"",
		"mouse = true\nkeys = 5",
		"theme = \"neon\"",
		"\ncolumns = [\"name\", \"colour\"]",
	} {
		path := configFile(t, text)
		_, stderr, code := runCLI(t, "status", "--config", path, "/nonexistent.qmp")
		if code != exitUsage || !strings.HasPrefix(stderr, "qmpdash: config "+path+":") {
			t.Errorf("%q: exit %d, stderr %q", text, code, stderr)
		}
	}
	// The names checked are the dashboard's own.
	_, stderr, _ = runCLI(t, "status", "--config", configFile(t, `columns = ["colour"]`), "/nonexistent.qmp")
	if !strings.Contains(stderr, strings.Join(ui.ColumnNames(), ", ")) {
		t.Errorf("columns message should list ui's columns: %q", stderr)
	}
}

func TestConfigUnknownKeysAreWarnings(t *testing.T) {
	path := configFile(t, "colour = \"red\"\n\n[keys]\nfly = [\"f\"]\nquit = [\"q\"]\n")
	// Commands print them on stderr and carry on.
	_, stderr, code := runCLI(t, "status", "--config", path, "--timeout", "1s", "/nonexistent.qmp")
	want := []string{
		"qmpdash: warning: " + path + `:4: unknown key "keys.fly": no such action (actions: ` + strings.Join(ui.KeyActions(), ", ") + `)`,
		"qmpdash: warning: " + path + `:1: unknown key "colour" (ignored)`,
	}
	if code != exitFail || !strings.HasPrefix(stderr, strings.Join(want, "\n")+"\n") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

func TestFlagUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"events", "--interval", "50ms"},
		{"events", "--interval", "2h"},
		{"events", "--interval", "often"},
		{"exec", "--timeout", "0s", "/x.qmp", "query-status"},
		{"status", "--theme", "neon", "/x.qmp"},
		{"exec", "--nope", "/x.qmp", "query-status"},
		{"version", "--json"},
		{"version", "extra"},
	} {
		out, stderr, code := runCLI(t, args...)
		if code != exitUsage || !strings.HasPrefix(stderr, "qmpdash: ") || out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, stderr)
		}
	}
	_, stderr, _ := runCLI(t, "events", "--interval", "50ms")
	if !strings.HasPrefix(stderr, "qmpdash: events: --interval must be between 100ms and 1h, got 50ms\n") {
		t.Errorf("interval message: %q", stderr)
	}
	_, stderr, _ = runCLI(t, "status", "--theme", "neon")
	if !strings.HasPrefix(stderr, `qmpdash: status: --theme: unknown theme "neon" (valid: dark, default, high-contrast, light)`) {
		t.Errorf("theme message should list the themes: %q", stderr)
	}
}

func TestFlagsAfterPositionalArguments(t *testing.T) {
	fs := commandFlags("test")
	asJSON := fs.Bool("json", false, "")
	pos, err := parseFlags(fs, "", []string{"a.qmp", "--json", "b.qmp", "--timeout", "2s", "--", "--c.qmp"}, &strings.Builder{})
	if err != nil {
		t.Fatal(err)
	}
	if !*asJSON || !slices.Equal(pos, []string{"a.qmp", "b.qmp", "--c.qmp"}) {
		t.Fatalf("json %v pos %q", *asJSON, pos)
	}
	if d := fs.Lookup("timeout").Value.String(); d != "2s" {
		t.Fatalf("timeout %s", d)
	}
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
