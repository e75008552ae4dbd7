package main

import (
	"fmt"
	"github.com/qmpdash/qmpdash/ui"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestMain points the default config file at an empty directory, so a
// developer's own ~/.config/qmpdash/config.toml cannot change any test,
// and checks that no test leaves goroutines behind.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "qmpdash-config")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("XDG_CONFIG_HOME", dir)
	code := m.Run()
	os.RemoveAll(dir)
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goroutine leak: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// settingsFor parses args the way a command does and loads its settings.
func settingsFor(t *testing.T, args ...string) (Settings, []string, error) {
	t.Helper()
	fs := newFlagSet("test")
	addCommonFlags(fs)
	pos, err := parseFlags(fs, "", args, &strings.Builder{})
	if err != nil {
		return Settings{}, nil, err
	}
	return loadSettings(fs, pos)
}

// writeConfig writes the default config file under a fresh XDG_CONFIG_HOME.
func writeConfig(t *testing.T, text string) string {
	t.Helper()
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", home)
	path := filepath.Join(home, "qmpdash", "config.toml")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSettingsDefaultsWithoutConfigFile(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // no qmpdash/config.toml in it
	set, warnings, err := settingsFor(t)
	if err != nil || len(warnings) > 0 {
		t.Fatalf("err %v warnings %v", err, warnings)
	}
	want := Settings{Interval: time.Second, Timeout: 5 * time.Second, Mouse: true, Confirm: true}
	if !reflect.DeepEqual(set, want) {
		t.Fatalf("got %+v\nwant %+v", set, want)
	}
}

func TestSettingsFromGoodFile(t *testing.T) {
	path := writeConfig(t, `
# every key there is
targets = ["/run/qemu/", "tcp:127.0.0.1:4444"]
interval = "250ms"
timeout = "2s"
theme = "High-Contrast"
read_only = true
mouse = false
confirm = false
columns = ["name", "state", "cpu"]

[keys]
quit = ["q", "ctrl+c"]
palette = ["p"]
`)
	set, warnings, err := settingsFor(t)
	if err != nil || len(warnings) > 0 {
		t.Fatalf("err %v warnings %v", err, warnings)
	}
	want := Settings{
		Targets:    []string{"/run/qemu/", "tcp:127.0.0.1:4444"},
		Interval:   250 * time.Millisecond,
		Timeout:    2 * time.Second,
		Theme:      "high-contrast",
		ReadOnly:   true,
		Mouse:      false,
		Confirm:    false,
		Keys:       map[string][]string{"quit": {"q", "ctrl+c"}, "palette": {"p"}},
		Columns:    []string{"name", "state", "cpu"},
		ConfigFile: path,
	}
	if !reflect.DeepEqual(set, want) {
		t.Fatalf("got  %+v\nwant %+v", set, want)
	}
}

func TestSettingsFlagsOverrideFile(t *testing.T) {
	writeConfig(t, `
targets = ["/from/file.qmp"]
interval = "250ms"
timeout = "2s"
theme = "dark"
read_only = true
`)
	// Flags not given leave the file's values alone, even though every
	// flag has a default of its own.
	set, _, err := settingsFor(t, "--timeout", "9s", "/from/args.qmp")
	if err != nil {
		t.Fatal(err)
	}
	if set.Timeout != 9*time.Second || set.Interval != 250*time.Millisecond || set.Theme != "dark" || !set.ReadOnly {
		t.Fatalf("%+v", set)
	}
	if !reflect.DeepEqual(set.Targets, []string{"/from/args.qmp"}) {
		t.Fatalf("positional targets should replace the file's: %v", set.Targets)
	}
	set, _, err = settingsFor(t, "--interval", "3s", "--theme", "light", "--read-only=false", "--log", "/tmp/x.log")
	if err != nil {
		t.Fatal(err)
	}
	if set.Interval != 3*time.Second || set.Theme != "light" || set.ReadOnly || set.LogFile != "/tmp/x.log" ||
		!reflect.DeepEqual(set.Targets, []string{"/from/file.qmp"}) {
		t.Fatalf("%+v", set)
	}
}

func TestSettingsExplicitConfigFile(t *testing.T) {
	writeConfig(t, `theme = "dark"`)
	other := filepath.Join(t.TempDir(), "other.toml")
	if err := os.WriteFile(other, []byte(`theme = "light"`), 0o644); err != nil {
		t.Fatal(err)
	}
	set, _, err := settingsFor(t, "--config", other)
	if err != nil || set.Theme != "light" || set.ConfigFile != other {
		t.Fatalf("%+v %v", set, err)
	}
	// An explicit file must exist; the default one need not.
	missing := filepath.Join(t.TempDir(), "nope.toml")
	if _, _, err := settingsFor(t, "--config", missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Fatalf("missing --config: %v", err)
	}
	_, stderr, code := runCLI(t, "status", "--config", missing, "/nonexistent.qmp")
	if code != exitUsage || !strings.Contains(stderr, "nope.toml") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

func TestConfigErrorsNameFileLineAndKey(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       []string // all must appear in the error
	}{
		{"syntax", "interval = \"1s\"\ntheme = \"dark\n", []string{":2:", "syntax error"}},
		{"syntax in table", "[keys]\nquit = [\"q\"\nhelp = 3\n", []string{":3:", "syntax error"}},
		{"duration not a string", "theme = \"dark\"\n\ninterval = 5\n", []string{":3:", "interval", "duration", "an integer"}},
		{"bad duration", "timeout = \"soon\"", []string{":1:", "timeout", `"soon"`}},
		{"interval too short", "\ninterval = \"10ms\"", []string{":2:", "interval", "100ms"}},
		{"timeout not positive", "timeout = \"-1s\"", []string{":1:", "timeout", "positive"}},
		{"bool as string", "mouse = true\nread_only = \"yes\"", []string{":2:", "read_only", "true or false", "a string"}},
		{"unknown theme", "theme = \"neon\"", []string{":1:", "theme", "neon", "high-contrast"}},
		{"targets not strings", "targets = [\"/a.qmp\", 7]", []string{":1:", "targets", "index 1"}},
		{"targets not array", "targets = \"/a.qmp\"", []string{":1:", "targets", "array"}},
		{"columns empty name", "columns = [\"\"]", []string{":1:", "columns", "empty"}},
		{"keys entry not array", "[keys]\nquit = [\"q\"]\nhelp = \"?\"", []string{":3:", "keys.help", "array"}},
		{"keys not table", "mouse = true\nkeys = 5", []string{":2:", "keys", "table"}},
		{"unknown column", "\ncolumns = [\"name\", \"colour\"]", []string{":2:", "columns", `"colour"`, "cpu-history"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeConfig(t, tc.text)
			_, _, err := settingsFor(t)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.Contains(msg, path) {
				t.Errorf("%q does not name %s", msg, path)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("%q lacks %q", msg, w)
				}
			}
			// Through the CLI, a bad config file is a usage error.
			if _, stderr, code := runCLI(t, "status", "/nonexistent.qmp"); code != exitUsage || !strings.Contains(stderr, path) {
				t.Errorf("cli: exit %d, stderr %q", code, stderr)
			}
		})
	}
}

func TestConfigUnknownKeysAreWarnings(t *testing.T) {
	path := writeConfig(t, `
theme = "dark"
colour = "red"

[keys]
quit = ["q"]
fly = ["f"]

[extras]
a = 1
b.c = 2
`)
	set, warnings, err := settingsFor(t)
	if err != nil || set.Theme != "dark" || len(set.Keys) != 1 || set.Keys["quit"][0] != "q" {
		t.Fatalf("%+v %v", set, err)
	}
	want := []string{
		path + `:7: unknown key "keys.fly": no such action (actions: ` + strings.Join(ui.KeyActions(), ", ") + `)`,
		path + `:3: unknown key "colour" (ignored)`,
		path + `:9: unknown key "extras" (ignored)`,
	}
	if !reflect.DeepEqual(warnings, want) {
		t.Fatalf("warnings\n%q\nwant\n%q", warnings, want)
	}
	// Commands print them on stderr and carry on.
	_, stderr, code := runCLI(t, "status", "--timeout", "1s", "/nonexistent.qmp")
	if code != exitFail || !strings.Contains(stderr, "warning: "+path+`:3: unknown key "colour"`) {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

func TestKeyLine(t *testing.T) {
	text := "a = 1\n[t]\n  x.y = 2\n\"q k\" = 3\n[[arr]]\nz = {}\n"
	for _, tc := range []struct {
		key  []string
		line int
	}{
		{[]string{"a"}, 1},
		{[]string{"t"}, 2},
		{[]string{"t", "x"}, 3},
		{[]string{"t", "x", "y"}, 3},
		{[]string{"t", "q k"}, 4},
		{[]string{"arr"}, 5},
		{[]string{"arr", "z"}, 6},
		{[]string{"missing"}, 0},
	} {
		if got := keyLine(text, tc.key); got != tc.line {
			t.Errorf("keyLine(%v) = %d, want %d", tc.key, got, tc.line)
		}
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
	if !strings.Contains(stderr, "between 100ms and 1h") {
		t.Errorf("interval message: %q", stderr)
	}
	_, stderr, _ = runCLI(t, "status", "--theme", "neon")
	if !strings.Contains(stderr, "dark, default, high-contrast, light") {
		t.Errorf("theme message should list the themes: %q", stderr)
	}
}

func TestHelpForEveryCommand(t *testing.T) {
	for _, cmd := range []string{"status", "events", "exec", "version"} {
		out, stderr, code := runCLI(t, cmd, "--help")
		if code != exitOK || stderr != "" {
			t.Errorf("%s --help: exit %d stderr %q", cmd, code, stderr)
		}
		if !strings.HasPrefix(out, "Usage: qmpdash "+cmd) || !strings.Contains(out, "Examples:\n  qmpdash "+cmd) {
			t.Errorf("%s --help:\n%s", cmd, out)
		}
		if cmd != "version" {
			for _, f := range []string{"--interval D", "--timeout D", "--read-only", "--theme NAME", "--config FILE", "--log FILE"} {
				if !strings.Contains(out, f) {
					t.Errorf("%s --help lacks %s", cmd, f)
				}
			}
		}
	}
	out, _, code := runCLI(t, "help")
	if code != exitOK || !strings.Contains(out, "qmpdash events") || !strings.Contains(out, "qmpdash exec") {
		t.Errorf("help: %d\n%s", code, out)
	}
}

func TestFlagsAfterPositionalArguments(t *testing.T) {
	fs := newFlagSet("test")
	addCommonFlags(fs)
	asJSON := fs.Bool("json", false, "")
	pos, err := parseFlags(fs, "", []string{"a.qmp", "--json", "b.qmp", "--timeout", "2s", "--", "--c.qmp"}, &strings.Builder{})
	if err != nil {
		t.Fatal(err)
	}
	if !*asJSON || !reflect.DeepEqual(pos, []string{"a.qmp", "b.qmp", "--c.qmp"}) {
		t.Fatalf("json %v pos %q", *asJSON, pos)
	}
	if d := fs.Lookup("timeout").Value.String(); d != "2s" {
		t.Fatalf("timeout %s", d)
	}
}
