package cli

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/qmpdash/qmpdash/internal/config"
)

// settingLine finds NAME's line in 'qmpdash config' output: name, value, source.
func settingLine(t *testing.T, out, name string) (value, source string) {
	t.Helper()
	m := regexp.MustCompile(`(?m)^  ` + name + ` +(\S.*?)  +(\S.*)$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no line for %s in:\n%s", name, out)
	}
	return m[1], m[2]
}

// 'qmpdash config' says which file it read and prints every setting, with
// the value and source the merge gave it.
func TestConfigShowsSettingsAndSources(t *testing.T) {
	file := filepath.Join(t.TempDir(), "q.toml")
	os.WriteFile(file, []byte("theme = \"light\"\ninterval = \"3s\"\nbogus = 1\n"), 0o644)
	out, stderr, code := runCLI(t, "config", "--config", file, "--interval", "500ms", "/run/qemu/")
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q\n%s", code, stderr, out)
	}
	if !strings.Contains(out, "Config file: "+file+" (--config)\n  found, read\n") ||
		!strings.Contains(out, `unknown key "bogus"`) {
		t.Errorf("file line or warning missing:\n%s", out)
	}
	for name, want := range map[string][2]string{
		"interval":  {`"500ms"`, "flag"},
		"theme":     {`"light"`, "file"},
		"timeout":   {`"5s"`, "default"},
		"targets":   {`["/run/qemu/"]`, "flag"},
		"read_only": {"false", "default"},
		"mouse":     {"true", "default"},
	} {
		if v, s := settingLine(t, out, name); v != want[0] || s != want[1] {
			t.Errorf("%s: got %s %s, want %s %s", name, v, s, want[0], want[1])
		}
	}

	// No file: said, and the defaults shown.
	out, _, _ = runCLI(t, "config")
	if !strings.Contains(out, config.DefaultPath()) || !strings.Contains(out, "not found") {
		t.Errorf("default path or 'not found' missing:\n%s", out)
	}
	if v, s := settingLine(t, out, "targets"); v != "[]" || !strings.HasPrefix(s, "default") {
		t.Errorf("targets: %s %s", v, s)
	}
}

// Every field of config.Settings has a line in 'qmpdash config', found by
// reflection here, so a setting added to Settings without being shown
// fails this test.
func TestConfigPrintsEverySetting(t *testing.T) {
	out, _, _ := runCLI(t, "config")
	st := reflect.TypeFor[config.Settings]()
	shown := 0
	for i := range st.NumField() {
		f := st.Field(i)
		if !f.IsExported() || f.Name == "File" {
			continue
		}
		shown++
		// ReadOnly -> read_only, as the config file spells it.
		name := strings.ToLower(regexp.MustCompile(`([a-z0-9])([A-Z])`).ReplaceAllString(f.Name, "${1}_${2}"))
		if !regexp.MustCompile(`(?m)^  ` + name + ` `).MatchString(out) {
			t.Errorf("config does not print the setting %s (%s):\n%s", f.Name, name, out)
		}
	}
	lines := strings.Split(strings.SplitN(out, "Settings in effect", 2)[1], "\n")
	if got := len(lines) - 2; got != shown { // the heading's tail and the final newline
		t.Errorf("%d setting lines, Settings has %d settings:\n%s", got, shown, out)
	}
}

// 'config init' writes a file that loads back cleanly as the defaults,
// whose commented examples are valid too, and refuses to overwrite it.
func TestConfigInit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "config.toml")
	out, stderr, code := runCLI(t, "config", "init", path)
	if code != exitOK || stderr != "" || !strings.Contains(out, "Wrote "+path) {
		t.Fatalf("exit %d, stderr %q, out %q", code, stderr, out)
	}
	written, _ := os.ReadFile(path)
	set, warnings, err := config.Load(path, config.Settings{}, valid())
	if err != nil || len(warnings) > 0 {
		t.Fatalf("the written file does not load cleanly: %v %q\n%s", err, warnings, written)
	}
	def := config.Defaults().Fields()
	for i, f := range set.Fields() {
		if !reflect.DeepEqual(f.Value, def[i].Value) {
			t.Errorf("%s: file gives %v, default is %v", f.Name, f.Value, def[i].Value)
		}
	}

	// The examples, uncommented, are good values.
	var lines []string
	for _, l := range strings.Split(string(written), "\n") {
		if rest, ok := strings.CutPrefix(l, "# "); ok && regexp.MustCompile(`^(\[[a-z0-9_.]+\]|[a-z_]+ = |"[^"]+" = )`).MatchString(rest) {
			l = rest
		}
		lines = append(lines, l)
	}
	examples := filepath.Join(t.TempDir(), "examples.toml")
	os.WriteFile(examples, []byte(strings.Join(lines, "\n")), 0o644)
	set, warnings, err = config.Load(examples, config.Settings{}, valid())
	if err != nil || len(warnings) > 0 || set.Theme.Source != config.File || set.Keys.Source != config.File ||
		set.Columns.Source != config.File || set.Targets.Source != config.File ||
		set.Agents.Source != config.File || set.Hosts.Source != config.File {
		t.Errorf("uncommented examples: %v %q %+v\n%s", err, warnings, set, strings.Join(lines, "\n"))
	}

	// A second init leaves the file alone and says why, exit 1.
	os.WriteFile(path, []byte("theme = \"light\"\n"), 0o644)
	_, stderr, code = runCLI(t, "config", "init", path)
	if code != exitFail || !strings.Contains(stderr, path+" already exists; not overwriting it") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if b, _ := os.ReadFile(path); string(b) != "theme = \"light\"\n" {
		t.Errorf("file changed: %q", b)
	}
}

// Without PATH, init writes the file 'config' looks for, which then reads it.
func TestConfigInitDefaultPath(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	if _, stderr, code := runCLI(t, "config", "init"); code != exitOK {
		t.Fatalf("exit %d %q", code, stderr)
	}
	out, _, _ := runCLI(t, "config")
	if !strings.Contains(out, config.DefaultPath()) || !strings.Contains(out, "found, read") {
		t.Errorf("%s", out)
	}
	if _, s := settingLine(t, out, "interval"); s != "file" {
		t.Errorf("interval from %s, want file:\n%s", s, out)
	}
	if _, stderr, code := runCLI(t, "config", "init", "a", "b"); code != exitUsage || !strings.Contains(stderr, "one PATH") {
		t.Errorf("two paths: exit %d %q", code, stderr)
	}
}
