package config

import (
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// Fields lists every exported field of Settings but File, by the config
// file's spelling, with its value and source.
func TestFieldsListsEverySetting(t *testing.T) {
	s := Defaults()
	s.Theme = From("light", File)
	fields := s.Fields()
	if n := reflect.TypeFor[Settings]().NumField() - 1; len(fields) != n {
		t.Errorf("%d fields listed, Settings has %d settings", len(fields), n)
	}
	i := slices.IndexFunc(fields, func(f Field) bool { return f.Name == "theme" })
	if i < 0 || fields[i].Value != "light" || fields[i].Source != File || !fields[i].Tracked {
		t.Errorf("theme: %+v", fields)
	}
	if !slices.ContainsFunc(fields, func(f Field) bool { return f.Name == "read_only" }) {
		t.Errorf("no read_only: %+v", fields)
	}
	// A field that is no Setting is listed, untracked.
	type withPlain struct{ Hosts map[string]string }
	if _, _, ok := settingParts(reflect.ValueOf(withPlain{}).Field(0)); ok {
		t.Error("a map taken for a Setting")
	}
}

func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{"ReadOnly": "read_only", "LogFile": "log_file", "Targets": "targets", "SSHHost": "ssh_host", "AgentSocket": "agent_socket"} {
		if got := snakeCase(in); got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
}

func TestFormatValue(t *testing.T) {
	type host struct {
		Addr     string
		Insecure bool
	}
	for _, c := range []struct {
		v    any
		want string
	}{
		{time.Second, `"1s"`}, {90 * time.Minute, `"1h30m"`}, {"a\"b", `"a\"b"`}, {true, "true"},
		{[]string(nil), "[]"}, {[]string{"a", "b"}, `["a", "b"]`},
		{map[string][]string{"quit": {"q"}, "help": {"?", "f1"}}, `{ help = ["?", "f1"], quit = ["q"] }`},
		{map[string]host{"lab 1": {"h:22", true}}, `{ "lab 1" = { addr = "h:22", insecure = true } }`},
		{nil, `""`},
	} {
		if got := FormatValue(c.v); got != c.want {
			t.Errorf("%#v: %s, want %s", c.v, got, c.want)
		}
	}
}

// The file 'config init' writes describes every key the file reader
// knows: a key added to fileKeys without a description fails here.
func TestDefaultFileDescribesEveryKey(t *testing.T) {
	v := Valid{Themes: []string{"dark"}, Columns: []string{"name"}, Actions: []string{"quit"}, MinInterval: time.Second, MaxInterval: time.Hour}
	text := DefaultFile(v)
	var s Settings
	for _, k := range v.fileKeys(&s) {
		if _, ok := keyDocs[k.name]; !ok {
			t.Errorf("key %q has no description in keyDocs", k.name)
		}
		if !strings.Contains(text, k.name+" = ") && !strings.Contains(text, "["+k.name+"]") && !strings.Contains(text, "["+k.name+".") {
			t.Errorf("key %q neither set nor exemplified:\n%s", k.name, text)
		}
	}
	if regexp.MustCompile(`\{(min|max|themes|columns|actions)\}`).MatchString(text) {
		t.Errorf("unfilled placeholder:\n%s", text)
	}
}
