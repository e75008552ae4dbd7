package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/themes"
	"github.com/qmpdash/qmpdash/ui"
)

// Settings is what a command runs with: defaults, then the config file,
// then the flags the user set, in that order of strength.
type Settings struct {
	Targets  []string      // positional arguments, else the file's targets; empty = discovery
	Interval time.Duration // poll interval, within [model.MinInterval, model.MaxInterval]
	Timeout  time.Duration // connection and command timeout, > 0
	Theme    string        // a name themes.Get accepts; "" = not chosen (the UI picks default or mono)
	ReadOnly bool
	Mouse    bool                // default true
	Confirm  bool                // ask y/N before destructive actions; default true
	Keys     map[string][]string // action name -> key names, from the file; nil when none
	Columns  []string            // visible fleet columns, from the file; nil = the UI's default
	LogFile  string              // --log; "" = no logging at all

	ConfigFile string // the file that was read; "" when there was none
}

// configFile is the file's shape. Every field has a type whose UnmarshalTOML
// checks the value, so the TOML decoder turns a bad value into a ParseError
// carrying the key's line.
type configFile struct {
	Targets  stringList          `toml:"targets"`
	Interval intervalValue       `toml:"interval"`
	Timeout  timeoutValue        `toml:"timeout"`
	Theme    themeValue          `toml:"theme"`
	ReadOnly boolValue           `toml:"read_only"`
	Mouse    boolValue           `toml:"mouse"`
	Confirm  boolValue           `toml:"confirm"`
	Keys     map[string]keyNames `toml:"keys"`
	Columns  stringList          `toml:"columns"`
}

// configPath is the file to read and whether the user named it (then it
// must exist). Without --config it is UserConfigDir/qmpdash/config.toml,
// which honours XDG_CONFIG_HOME; "" when there is no config directory.
func configPath(fset *flag.FlagSet) (path string, explicit bool) {
	if f := fset.Lookup(flagConfig); f != nil && f.Value.String() != "" {
		return f.Value.String(), true
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", false
	}
	return filepath.Join(dir, "qmpdash", "config.toml"), false
}

func defaultConfigHint() string {
	if dir, err := os.UserConfigDir(); err == nil {
		return filepath.Join(dir, "qmpdash", "config.toml")
	}
	return "$XDG_CONFIG_HOME/qmpdash/config.toml"
}

// loadSettings merges defaults, the config file and the flags fset parsed
// (only those the user set, so a file's value is not undone by a flag's
// default). targets are the positional arguments; when there are none the
// file's targets apply. fset must have had addCommonFlags and Parse. Bad
// flag values and a bad or missing (explicit) config file are usage errors;
// unknown keys in the file come back as warnings.
func loadSettings(fset *flag.FlagSet, targets []string) (Settings, []string, error) {
	set := Settings{
		Interval: defaultInterval,
		Timeout:  defaultTimeout,
		Mouse:    true,
		Confirm:  true,
	}
	flags, err := setFlags(fset)
	if err != nil {
		return Settings{}, nil, err
	}

	path, explicit := configPath(fset)
	var warnings []string
	if path != "" {
		data, err := os.ReadFile(path)
		switch {
		case err == nil:
			cfg, w, err := parseConfig(path, data)
			if err != nil {
				return Settings{}, nil, usagef("%v", err)
			}
			warnings = w
			cfg.apply(&set)
			set.ConfigFile = path
		case explicit || !errors.Is(err, fs.ErrNotExist):
			return Settings{}, nil, usagef("config: %v", err)
		}
	}

	// Flags the user set beat the file.
	if v, ok := flags[flagInterval]; ok {
		set.Interval = v.(time.Duration)
	}
	if v, ok := flags[flagTimeout]; ok {
		set.Timeout = v.(time.Duration)
	}
	if v, ok := flags[flagReadOnly]; ok {
		set.ReadOnly = v.(bool)
	}
	if v, ok := flags[flagTheme]; ok {
		set.Theme = v.(string)
	}
	if v, ok := flags[flagLog]; ok {
		set.LogFile = v.(string)
	}
	if len(targets) > 0 {
		set.Targets = targets
	}
	return set, warnings, nil
}

// setFlags returns the common flags the user set, checked and normalised.
func setFlags(fset *flag.FlagSet) (map[string]any, error) {
	set := map[string]any{}
	var err error
	fset.Visit(func(f *flag.Flag) {
		if err != nil {
			return
		}
		g, ok := f.Value.(flag.Getter)
		if !ok {
			return
		}
		v := g.Get()
		switch f.Name {
		case flagInterval:
			if e := checkInterval(v.(time.Duration)); e != nil {
				err = usagef("%s: --interval %v", fset.Name(), e)
			}
		case flagTimeout:
			if e := checkTimeout(v.(time.Duration)); e != nil {
				err = usagef("%s: --timeout %v", fset.Name(), e)
			}
		case flagTheme:
			name, e := checkTheme(v.(string))
			if e != nil {
				err = usagef("%s: --theme: %v", fset.Name(), e)
			}
			v = name
		case flagReadOnly, flagLog, flagConfig:
		default:
			return
		}
		set[f.Name] = v
	})
	return set, err
}

func checkInterval(d time.Duration) error {
	if d < model.MinInterval || d > model.MaxInterval {
		return fmt.Errorf("must be between %s and %s, got %s", shortDuration(model.MinInterval), shortDuration(model.MaxInterval), shortDuration(d))
	}
	return nil
}

// shortDuration is d without zero tails: "1h", not "1h0m0s".
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func checkTimeout(d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("must be positive, got %s", d)
	}
	return nil
}

// checkTheme returns the theme's canonical name; "" stays "" (not chosen).
func checkTheme(name string) (string, error) {
	if strings.TrimSpace(name) == "" {
		return "", nil
	}
	t, err := themes.Get(name)
	if err != nil {
		return "", err
	}
	return t.Name, nil
}

func themeList() string { return strings.Join(themes.Names(), ", ") }

// parseConfig decodes a config file. Errors name the file, the line and the
// key; unknown keys become warnings.
func parseConfig(path string, data []byte) (configFile, []string, error) {
	text := string(data)
	// Syntax first, so that every error of the typed decode below is
	// about a value.
	var raw map[string]any
	if _, err := toml.Decode(text, &raw); err != nil {
		return configFile{}, nil, syntaxError(path, err)
	}
	var cfg configFile
	md, err := toml.Decode(text, &cfg)
	if err == nil && md.IsDefined("keys") && md.Type("keys") != "Hash" {
		// The decoder silently skips a non-table where a map goes; decode
		// again into a type that refuses it, to get the error's position.
		var probe struct {
			Keys notATable `toml:"keys"`
		}
		_, err = toml.Decode(text, &probe)
	}
	if err != nil {
		return configFile{}, nil, configError(path, err)
	}
	warnings, err := checkNames(path, text, &cfg)
	if err != nil {
		return configFile{}, nil, err
	}
	undecoded := map[string]bool{}
	for _, k := range md.Undecoded() {
		undecoded[k.String()] = true
	}
	for _, k := range md.Undecoded() {
		if insideUndecoded(k, undecoded) {
			continue // a whole unknown table is reported once
		}
		where := path
		if line := keyLine(text, k); line > 0 {
			where = fmt.Sprintf("%s:%d", path, line)
		}
		warnings = append(warnings, fmt.Sprintf("%s: unknown key %q (ignored)", where, k.String()))
	}
	return cfg, warnings, nil
}

// checkNames checks [keys] actions and columns against what the dashboard
// has. An action it does not have is an unknown key: a warning, and the
// entry is dropped. A column it does not have is a bad value: an error.
// Both name the file, line and key.
func checkNames(path, text string, cfg *configFile) ([]string, error) {
	where := func(k toml.Key) string {
		if line := keyLine(text, k); line > 0 {
			return fmt.Sprintf("%s:%d", path, line)
		}
		return path
	}
	var warnings []string
	actions := ui.KeyActions()
	for action := range cfg.Keys {
		if !slices.Contains(actions, action) {
			k := toml.Key{"keys", action}
			warnings = append(warnings, fmt.Sprintf("%s: unknown key %q: no such action (actions: %s)", where(k), k.String(), strings.Join(actions, ", ")))
			delete(cfg.Keys, action)
		}
	}
	sort.Strings(warnings)
	columns := ui.ColumnNames()
	for _, c := range cfg.Columns.v {
		if !slices.Contains(columns, c) {
			return nil, fmt.Errorf("config %s: columns: unknown column %q (columns: %s)", where(toml.Key{"columns"}), c, strings.Join(columns, ", "))
		}
	}
	return warnings, nil
}

func syntaxError(path string, err error) error {
	var pe toml.ParseError
	if !errors.As(err, &pe) || pe.Position.Line == 0 {
		return fmt.Errorf("config %s: %v", path, err)
	}
	return fmt.Errorf("config %s:%d:%d: syntax error: %s", path, pe.Position.Line, pe.Position.Col, pe.Message)
}

func insideUndecoded(k toml.Key, undecoded map[string]bool) bool {
	for i := 1; i < len(k); i++ {
		if undecoded[k[:i].String()] {
			return true
		}
	}
	return false
}

// configError phrases a value error as FILE:LINE: KEY: problem.
func configError(path string, err error) error {
	var pe toml.ParseError
	if !errors.As(err, &pe) {
		return fmt.Errorf("config %s: %v", path, err)
	}
	where := path
	if pe.Position.Line > 0 {
		where = fmt.Sprintf("%s:%d", path, pe.Position.Line)
	}
	return fmt.Errorf("config %s: %s: %s", where, pe.LastKey, pe.Message)
}

// apply copies what the file set into s.
func (c configFile) apply(s *Settings) {
	if c.Targets.set {
		s.Targets = c.Targets.v
	}
	if c.Interval.set {
		s.Interval = c.Interval.v
	}
	if c.Timeout.set {
		s.Timeout = c.Timeout.v
	}
	if c.Theme.set {
		s.Theme = c.Theme.v
	}
	if c.ReadOnly.set {
		s.ReadOnly = c.ReadOnly.v
	}
	if c.Mouse.set {
		s.Mouse = c.Mouse.v
	}
	if c.Confirm.set {
		s.Confirm = c.Confirm.v
	}
	if c.Keys != nil {
		s.Keys = make(map[string][]string, len(c.Keys))
		for action, keys := range c.Keys {
			s.Keys[action] = keys
		}
	}
	if c.Columns.set {
		s.Columns = c.Columns.v
	}
}

// badValue is an UnmarshalTOML error; the decoder wraps it in a ParseError
// that carries the key and its line.
func badValue(format string, args ...any) error {
	return fmt.Errorf(format, args...)
}

// tomlType names a decoded TOML value's type for messages.
func tomlType(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case []any, []map[string]any:
		return "an array"
	case map[string]any:
		return "a table"
	}
	return "a date or time"
}

type stringList struct {
	v   []string
	set bool
}

func (l *stringList) UnmarshalTOML(data any) error {
	v, err := toStrings(data, "an array of strings")
	if err != nil {
		return err
	}
	l.v, l.set = v, true
	return nil
}

func toStrings(data any, want string) ([]string, error) {
	arr, ok := data.([]any)
	if !ok {
		return nil, badValue("want %s, got %s", want, tomlType(data))
	}
	out := make([]string, len(arr))
	for i, e := range arr {
		s, ok := e.(string)
		if !ok {
			return nil, badValue("want %s, got %s at index %d", want, tomlType(e), i)
		}
		if strings.TrimSpace(s) == "" {
			return nil, badValue("empty string at index %d", i)
		}
		out[i] = s
	}
	return out, nil
}

// keyNames is one [keys] entry: an action's key names.
type keyNames []string

func (k *keyNames) UnmarshalTOML(data any) error {
	v, err := toStrings(data, `an array of key names (e.g. ["ctrl+c", "q"])`)
	if err != nil {
		return err
	}
	*k = v
	return nil
}

type notATable struct{}

func (notATable) UnmarshalTOML(data any) error {
	return badValue(`want a table of action = ["key", ...], got %s`, tomlType(data))
}

func parseDurationValue(data any) (time.Duration, error) {
	s, ok := data.(string)
	if !ok {
		return 0, badValue(`want a duration string such as "2s", got %s`, tomlType(data))
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, badValue(`want a duration such as "500ms" or "2s", got %q`, s)
	}
	return d, nil
}

type intervalValue struct {
	v   time.Duration
	set bool
}

func (i *intervalValue) UnmarshalTOML(data any) error {
	d, err := parseDurationValue(data)
	if err != nil {
		return err
	}
	if err := checkInterval(d); err != nil {
		return badValue("%v", err)
	}
	i.v, i.set = d, true
	return nil
}

type timeoutValue struct {
	v   time.Duration
	set bool
}

func (t *timeoutValue) UnmarshalTOML(data any) error {
	d, err := parseDurationValue(data)
	if err != nil {
		return err
	}
	if err := checkTimeout(d); err != nil {
		return badValue("%v", err)
	}
	t.v, t.set = d, true
	return nil
}

type themeValue struct {
	v   string
	set bool
}

func (t *themeValue) UnmarshalTOML(data any) error {
	s, ok := data.(string)
	if !ok {
		return badValue("want a theme name (%s), got %s", themeList(), tomlType(data))
	}
	name, err := checkTheme(s)
	if err != nil {
		return badValue("%v", err)
	}
	t.v, t.set = name, true
	return nil
}

type boolValue struct {
	v   bool
	set bool
}

func (b *boolValue) UnmarshalTOML(data any) error {
	v, ok := data.(bool)
	if !ok {
		return badValue("want true or false, got %s", tomlType(data))
	}
	b.v, b.set = v, true
	return nil
}

// keyLine finds the line where key k is set, for warnings about unknown
// keys (the decoder keeps positions private). It understands `k = ...`,
// dotted `a.b = ...` and `[a]` / `[[a]]` headers with bare or quoted keys;
// 0 when it cannot tell.
func keyLine(text string, k toml.Key) int {
	if len(k) == 0 {
		return 0
	}
	var table []string // the table the current line is in
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if m := headerRE.FindStringSubmatch(line); m != nil {
			table = splitKey(m[1])
			if equalKeys(table, k) {
				return i + 1
			}
			continue
		}
		m := assignRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		full := append(append([]string(nil), table...), splitKey(m[1])...)
		if equalKeys(full, k) || (len(full) > len(k) && equalKeys(full[:len(k)], k)) {
			return i + 1
		}
	}
	return 0
}

var (
	headerRE = regexp.MustCompile(`^\[\[?\s*([^\]]+?)\s*\]\]?`)
	assignRE = regexp.MustCompile(`^((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=`)
)

// splitKey splits a dotted key, unquoting its parts.
func splitKey(s string) []string {
	var parts []string
	for s != "" {
		s = strings.TrimSpace(s)
		var part string
		if s != "" && (s[0] == '"' || s[0] == '\'') {
			end := strings.IndexByte(s[1:], s[0])
			if end < 0 {
				return append(parts, s)
			}
			part, s = s[1:1+end], s[2+end:]
		} else {
			end := strings.IndexByte(s, '.')
			if end < 0 {
				end = len(s)
			}
			part, s = strings.TrimSpace(s[:end]), s[end:]
		}
		parts = append(parts, part)
		s = strings.TrimSpace(s)
		s = strings.TrimPrefix(s, ".")
	}
	return parts
}

func equalKeys(a []string, b toml.Key) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
