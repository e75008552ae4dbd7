package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
)

// valid stands in for the names ui and themes pass in.
var valid = Valid{
	Actions:     []string{"help", "palette", "quit"},
	Columns:     []string{"name", "state", "cpu", "cpu-history"},
	Themes:      []string{"dark", "default", "high-contrast", "light"},
	MinInterval: 100 * time.Millisecond,
	MaxInterval: time.Hour,
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

func TestDefaultsWithoutConfigFile(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // no qmpdash/config.toml in it
	set, warnings, err := Load("", Settings{}, valid)
	if err != nil || len(warnings) > 0 {
		t.Fatalf("err %v warnings %v", err, warnings)
	}
	if want := Defaults(); !reflect.DeepEqual(set, want) {
		t.Fatalf("got %+v\nwant %+v", set, want)
	}
	if set.Interval.Value != time.Second || set.Timeout.Value != 5*time.Second || !set.Mouse.Value || !set.Confirm.Value ||
		set.ReadOnly.Value || set.Theme.Value != "" || set.Targets.Value != nil || set.Interval.Source != Default {
		t.Fatalf("defaults %+v", set)
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
	set, warnings, err := Load("", Settings{}, valid)
	if err != nil || len(warnings) > 0 {
		t.Fatalf("err %v warnings %v", err, warnings)
	}
	want := Settings{
		Targets:  From([]string{"/run/qemu/", "tcp:127.0.0.1:4444"}, File),
		Interval: From(250*time.Millisecond, File),
		Timeout:  From(2*time.Second, File),
		Theme:    From("high-contrast", File),
		ReadOnly: From(true, File),
		Mouse:    From(false, File),
		Confirm:  From(false, File),
		Keys:     From(map[string][]string{"quit": {"q", "ctrl+c"}, "palette": {"p"}}, File),
		Columns:  From([]string{"name", "state", "cpu"}, File),
		LogFile:  From("", Default),
		File:     path,
	}
	if !reflect.DeepEqual(set, want) {
		t.Fatalf("got  %+v\nwant %+v", set, want)
	}
}

func TestFlagsOverrideFile(t *testing.T) {
	writeConfig(t, `
targets = ["/from/file.qmp"]
interval = "250ms"
timeout = "2s"
theme = "dark"
read_only = true
`)
	// What the flag layer leaves unset stays the file's.
	flags := Settings{
		Targets:  From([]string{"/from/args.qmp"}, Flag),
		Timeout:  From(9*time.Second, Flag),
		ReadOnly: From(false, Flag),
	}
	set, _, err := Load("", flags, valid)
	if err != nil {
		t.Fatal(err)
	}
	if set.Timeout != From(9*time.Second, Flag) || set.Interval != From(250*time.Millisecond, File) ||
		set.Theme != From("dark", File) || set.ReadOnly != From(false, Flag) || set.Mouse != From(true, Default) {
		t.Fatalf("%+v", set)
	}
	if !reflect.DeepEqual(set.Targets.Value, []string{"/from/args.qmp"}) {
		t.Fatalf("positional targets should replace the file's: %v", set.Targets)
	}
}

func TestExplicitConfigFile(t *testing.T) {
	writeConfig(t, `theme = "dark"`)
	other := filepath.Join(t.TempDir(), "other.toml")
	if err := os.WriteFile(other, []byte(`theme = "light"`), 0o644); err != nil {
		t.Fatal(err)
	}
	set, _, err := Load(other, Settings{}, valid)
	if err != nil || set.Theme.Value != "light" || set.File != other {
		t.Fatalf("%+v %v", set, err)
	}
	// An explicit file must exist; the default one need not.
	missing := filepath.Join(t.TempDir(), "nope.toml")
	if _, _, err := Load(missing, Settings{}, valid); err == nil || !strings.Contains(err.Error(), missing) {
		t.Fatalf("missing --config: %v", err)
	}
}

func TestErrorsNameFileLineAndKey(t *testing.T) {
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
		{"keys array of tables", "mouse = true\n[[keys]]\nquit = [\"q\"]", []string{":2:", "keys", "table", "an array"}},
		{"unknown column", "\ncolumns = [\"name\", \"colour\"]", []string{":2:", "columns", `"colour"`, "cpu-history"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeConfig(t, tc.text)
			_, _, err := Load("", Settings{}, valid)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "config "+path) {
				t.Errorf("%q does not start with config %s", msg, path)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("%q lacks %q", msg, w)
				}
			}
		})
	}
}

func TestUnknownKeysAreWarnings(t *testing.T) {
	path := writeConfig(t, `
theme = "dark"
colour = "red"

[keys]
quit = ["q"]
fly = ["f"]

[extras]
a = 1
b.c = 2

dotted.only = 3
`)
	set, warnings, err := Load("", Settings{}, valid)
	if err != nil || set.Theme.Value != "dark" || !reflect.DeepEqual(set.Keys.Value, map[string][]string{"quit": {"q"}}) {
		t.Fatalf("%+v %v", set, err)
	}
	want := []string{
		path + `:7: unknown key "keys.fly": no such action (actions: help, palette, quit)`,
		path + `:3: unknown key "colour" (ignored)`,
		path + `:9: unknown key "extras" (ignored)`,
	}
	if !reflect.DeepEqual(warnings, want) {
		t.Fatalf("warnings\n%q\nwant\n%q", warnings, want)
	}
	// dotted.only is inside [extras]; at the top a dotted key's table
	// gets the line that first sets something in it.
	path = writeConfig(t, "mouse = true\n\ndotted.only = 3\ndotted.more = 4\n")
	if _, warnings, _ := Load("", Settings{}, valid); !reflect.DeepEqual(warnings, []string{path + `:3: unknown key "dotted" (ignored)`}) {
		t.Fatalf("%q", warnings)
	}
}

func TestKeyLine(t *testing.T) {
	text := "a = 1\n[t]\n  x.y = 2\n\"q k\" = 3\n[[arr]]\nz = {}\nb.c.d = 4\n"
	text = "\"q k\" = 0\n" + text + "[e.f]\n"
	var top map[string]toml.Primitive
	md, err := toml.Decode(text, &top)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		key  string
		line int
	}{
		{"q k", 1},
		{"a", 2},
		{"t", 3},
		{"arr", 6},
		{"e", 9}, // made by [e.f]
		{"missing", 0},
	} {
		if got := keyLine(&md, top[tc.key]); got != tc.line {
			t.Errorf("keyLine(%q) = %d, want %d", tc.key, got, tc.line)
		}
	}
	// Below the top: what the [keys] reader asks.
	var tbl map[string]toml.Primitive
	if err := md.PrimitiveDecode(top["t"], &tbl); err != nil {
		t.Fatal(err)
	}
	if got := keyLine(&md, tbl["x"]); got != 4 {
		t.Errorf("t.x (dotted, implicit) at %d, want 4", got)
	}
	if got := keyLine(&md, tbl["q k"]); got != 5 {
		t.Errorf(`t."q k" at %d, want 5`, got)
	}
}

func TestCheckTheme(t *testing.T) {
	for in, want := range map[string]string{"": "", "  ": "", "Dark": "dark", " high-contrast ": "high-contrast"} {
		if got, err := valid.CheckTheme(in); got != want || err != nil {
			t.Errorf("CheckTheme(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := valid.CheckTheme("neon"); err == nil || !strings.Contains(err.Error(), "dark, default, high-contrast, light") {
		t.Errorf("neon: %v", err)
	}
}

// [agents] names a guest agent socket per target; a bad entry is an error
// naming the file, the line and the target.
func TestAgentsTable(t *testing.T) {
	path := writeConfig(t, `
[agents]
"/run/qemu/web.qmp" = "/run/qemu/web-agent.sock"
"tcp:10.0.0.5:4444" = "/srv/agents/db.sock"
`)
	set, warnings, err := Load("", Settings{}, valid)
	if err != nil || len(warnings) > 0 {
		t.Fatalf("err %v warnings %v", err, warnings)
	}
	want := map[string]string{"/run/qemu/web.qmp": "/run/qemu/web-agent.sock", "tcp:10.0.0.5:4444": "/srv/agents/db.sock"}
	if !reflect.DeepEqual(set.Agents.Value, want) || set.Agents.Source != File {
		t.Fatalf("agents %+v from %v", set.Agents.Value, set.Agents.Source)
	}
	_ = path

	for text, wantErr := range map[string]string{
		"agents = [\"x\"]\n":                   "want a table",
		"[agents]\n\"/a.qmp\" = 3\n":           `"/a.qmp": want the agent's socket path`,
		"[agents]\n\"/a.qmp\" = \"\"\n":        `"/a.qmp": want the agent's socket path`,
		"\n[agents]\n\"/dir/\" = \"/a.qga\"\n": `"/dir/": a directory`,
	} {
		writeConfig(t, text)
		v := valid
		v.Target = func(s string) error {
			if strings.HasSuffix(s, "/") {
				return errFake
			}
			return nil
		}
		_, _, err := Load("", Settings{}, v)
		if err == nil || !strings.Contains(err.Error(), wantErr) || !strings.Contains(err.Error(), "config.toml") {
			t.Errorf("%q: err %v, want %q", text, err, wantErr)
		}
	}
}

type fakeErr string

func (e fakeErr) Error() string { return string(e) }

var errFake = fakeErr("a directory, not one monitor")
