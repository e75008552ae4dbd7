package config

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// fileKey is one top-level key of the config file and how its value is
// read into the file's layer. A nil read marks a key read elsewhere.
type fileKey struct {
	name string
	read func(data any) error
}

// fileKeys lists the file's keys in the order they are read (so with two
// bad values, the same one is reported every time).
func (v Valid) fileKeys(s *Settings) []fileKey {
	return []fileKey{
		{"targets", fromFile(&s.Targets, func(d any) ([]string, error) { return toStrings(d, "an array of strings") })},
		{"interval", fromFile(&s.Interval, v.interval)},
		{"timeout", fromFile(&s.Timeout, v.timeout)},
		{"theme", fromFile(&s.Theme, v.theme)},
		{"read_only", fromFile(&s.ReadOnly, toBool)},
		{"mouse", fromFile(&s.Mouse, toBool)},
		{"confirm", fromFile(&s.Confirm, toBool)},
		{"columns", fromFile(&s.Columns, v.columns)},
		{"agents", fromFile(&s.Agents, v.agents)},
		{"hosts", fromFile(&s.Hosts, readHosts)},
		{"keys", nil}, // a table whose entries are read one by one: readKeys
	}
}

// fromFile makes a key's reader: parse the TOML value, and set the setting
// from the file.
func fromFile[T any](s *Setting[T], parse func(data any) (T, error)) func(any) error {
	return func(data any) error {
		v, err := parse(data)
		if err != nil {
			return err
		}
		*s = From(v, File)
		return nil
	}
}

// valueFunc lets a function stand where the TOML decoder wants an
// Unmarshaler. The decoder wraps its error in a ParseError that carries the
// key and its line, which is how bad values get their position.
type valueFunc func(data any) error

func (f valueFunc) UnmarshalTOML(data any) error { return f(data) }

// parseFile decodes a config file into the file's layer. Errors name the
// file, the line and the key; unknown keys become warnings.
func parseFile(path, text string, v Valid) (Settings, []string, error) {
	var top map[string]toml.Primitive
	md, err := toml.Decode(text, &top)
	if err != nil {
		return Settings{}, nil, syntaxError(path, err)
	}
	var s Settings
	keys := v.fileKeys(&s)
	for _, k := range keys {
		p, ok := top[k.name]
		if !ok || k.read == nil {
			continue
		}
		if err := md.PrimitiveDecode(p, valueFunc(k.read)); err != nil {
			return Settings{}, nil, valueError(path, err)
		}
	}
	var warnings []string
	if p, ok := top["keys"]; ok {
		if warnings, err = v.readKeys(path, &md, p, &s); err != nil {
			return Settings{}, nil, err
		}
	}
	// Unknown keys. MetaData.Undecoded cannot tell them: decoding into a map
	// marks every top-level key decoded. They are the top-level keys no
	// setting claims, in the order the file has them (a whole unknown table
	// is reported once); what is below a known key is its reader's to judge.
	type unknown struct {
		key  toml.Key
		line int
	}
	var unknowns []unknown
	for name, p := range top {
		if !slices.ContainsFunc(keys, func(f fileKey) bool { return f.name == name }) {
			unknowns = append(unknowns, unknown{toml.Key{name}, keyLine(&md, p)})
		}
	}
	slices.SortFunc(unknowns, func(a, b unknown) int {
		return cmp.Or(cmp.Compare(a.line, b.line), cmp.Compare(a.key[0], b.key[0]))
	})
	for _, u := range unknowns {
		warnings = append(warnings, fmt.Sprintf("%s: unknown key %q (ignored)", where(path, u.line), u.key.String()))
	}
	return s, warnings, nil
}

// readKeys reads the [keys] table entry by entry, so that a bad entry's
// error carries its own line. An action the dashboard does not have is an
// unknown key: a warning naming file, line and key, and the entry is
// dropped.
func (v Valid) readKeys(path string, md *toml.MetaData, p toml.Primitive, s *Settings) ([]string, error) {
	if md.Type("keys") != "Hash" {
		err := md.PrimitiveDecode(p, valueFunc(func(data any) error {
			return fmt.Errorf(`want a table of action = ["key", ...], got %s`, tomlType(data))
		}))
		return nil, valueError(path, err)
	}
	var entries map[string]toml.Primitive
	if err := md.PrimitiveDecode(p, &entries); err != nil {
		return nil, valueError(path, err)
	}
	keys := make(map[string][]string, len(entries))
	var warnings []string
	for _, action := range slices.Sorted(maps.Keys(entries)) {
		var names []string
		err := md.PrimitiveDecode(entries[action], valueFunc(func(data any) (err error) {
			names, err = toStrings(data, `an array of key names (e.g. ["ctrl+c", "q"])`)
			return err
		}))
		if err != nil {
			return nil, valueError(path, err)
		}
		if !slices.Contains(v.Actions, action) {
			k := toml.Key{"keys", action}
			warnings = append(warnings, fmt.Sprintf("%s: unknown key %q: no such action (actions: %s)",
				where(path, keyLine(md, entries[action])), k.String(), strings.Join(v.Actions, ", ")))
			continue
		}
		keys[action] = names
	}
	sort.Strings(warnings)
	s.Keys = From(keys, File)
	return warnings, nil
}

// lineProbe fails every decode, so the decoder's ParseError tells where
// the value's key is.
type lineProbe struct{}

var errLineProbe = errors.New("line probe")

func (lineProbe) UnmarshalTOML(any) error { return errLineProbe }

// keyLine is the line where p's key is set, as the TOML parser recorded it
// (MetaData keeps positions private; a decode error is the one way out).
// A table made by dotted keys alone ("a.b = 1") has no line of its own: it
// gets the first line that sets something in it. 0 when there is none.
func keyLine(md *toml.MetaData, p toml.Primitive) int {
	var pe toml.ParseError
	if errors.As(md.PrimitiveDecode(p, lineProbe{}), &pe) && pe.Position.Line > 0 {
		return pe.Position.Line
	}
	var sub map[string]toml.Primitive
	if md.PrimitiveDecode(p, &sub) != nil {
		return 0
	}
	first := 0
	for _, q := range sub {
		if l := keyLine(md, q); l > 0 && (first == 0 || l < first) {
			first = l
		}
	}
	return first
}

// where is "FILE:LINE", or FILE when the line is not known.
func where(path string, line int) string {
	if line > 0 {
		return fmt.Sprintf("%s:%d", path, line)
	}
	return path
}

func syntaxError(path string, err error) error {
	var pe toml.ParseError
	if !errors.As(err, &pe) || pe.Position.Line == 0 {
		return fmt.Errorf("config %s: %v", path, err)
	}
	return fmt.Errorf("config %s:%d:%d: syntax error: %s", path, pe.Position.Line, pe.Position.Col, pe.Message)
}

// valueError phrases a value error as FILE:LINE: KEY: problem.
func valueError(path string, err error) error {
	var pe toml.ParseError
	if !errors.As(err, &pe) {
		return fmt.Errorf("config %s: %v", path, err)
	}
	return fmt.Errorf("config %s: %s: %s", where(path, pe.Position.Line), pe.LastKey, pe.Message)
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

func toStrings(data any, want string) ([]string, error) {
	arr, ok := data.([]any)
	if !ok {
		return nil, fmt.Errorf("want %s, got %s", want, tomlType(data))
	}
	out := make([]string, len(arr))
	for i, e := range arr {
		s, ok := e.(string)
		if !ok {
			return nil, fmt.Errorf("want %s, got %s at index %d", want, tomlType(e), i)
		}
		if strings.TrimSpace(s) == "" {
			return nil, fmt.Errorf("empty string at index %d", i)
		}
		out[i] = s
	}
	return out, nil
}

func toBool(data any) (bool, error) {
	b, ok := data.(bool)
	if !ok {
		return false, fmt.Errorf("want true or false, got %s", tomlType(data))
	}
	return b, nil
}

func toDuration(data any) (time.Duration, error) {
	s, ok := data.(string)
	if !ok {
		return 0, fmt.Errorf(`want a duration string such as "2s", got %s`, tomlType(data))
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf(`want a duration such as "500ms" or "2s", got %q`, s)
	}
	return d, nil
}

func (v Valid) interval(data any) (time.Duration, error) {
	d, err := toDuration(data)
	if err == nil {
		err = v.CheckInterval(d)
	}
	return d, err
}

func (v Valid) timeout(data any) (time.Duration, error) {
	d, err := toDuration(data)
	if err == nil {
		err = v.CheckTimeout(d)
	}
	return d, err
}

func (v Valid) theme(data any) (string, error) {
	s, ok := data.(string)
	if !ok {
		return "", fmt.Errorf("want a theme name (%s), got %s", strings.Join(v.Themes, ", "), tomlType(data))
	}
	return v.CheckTheme(s)
}

func (v Valid) columns(data any) ([]string, error) {
	cols, err := toStrings(data, "an array of strings")
	if err != nil {
		return nil, err
	}
	for _, c := range cols {
		if !slices.Contains(v.Columns, c) {
			return nil, fmt.Errorf("unknown column %q (columns: %s)", c, strings.Join(v.Columns, ", "))
		}
	}
	return cols, nil
}

// agents reads the [agents] table: each key is one monitor's target, its
// value the path of that VM's guest agent socket.
func (v Valid) agents(data any) (map[string]string, error) {
	tbl, ok := data.(map[string]any)
	if !ok {
		return nil, fmt.Errorf(`want a table of "target" = "agent socket", got %s`, tomlType(data))
	}
	out := make(map[string]string, len(tbl))
	for _, k := range slices.Sorted(maps.Keys(tbl)) {
		sock, ok := tbl[k].(string)
		if !ok || strings.TrimSpace(sock) == "" {
			return nil, fmt.Errorf("%q: want the agent's socket path as a string, got %s", k, tomlType(tbl[k]))
		}
		if strings.TrimSpace(k) == "" {
			return nil, errors.New("an empty target")
		}
		if v.Target != nil {
			if err := v.Target(k); err != nil {
				return nil, fmt.Errorf("%q: %v", k, err)
			}
		}
		out[k] = sock
	}
	return out, nil
}
