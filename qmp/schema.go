package qmp

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
)

// Schema indexes a query-qmp-schema reply so commands can be completed and
// their arguments checked before they are sent. QEMU names most types by
// opaque numbers ("202"); builtins by their names ("str", "int").
type Schema struct {
	types    map[string]*schemaEntry
	commands map[string]*schemaEntry
}

type schemaEntry struct {
	Name        string          `json:"name"`
	MetaType    string          `json:"meta-type"`
	ArgType     string          `json:"arg-type"`
	JSONType    string          `json:"json-type"`
	ElementType string          `json:"element-type"`
	Values      []string        `json:"values"`
	Members     []schemaMember  `json:"members"`
	Tag         string          `json:"tag"`
	Variants    []schemaVariant `json:"variants"`
}

type schemaMember struct {
	Name string `json:"name"`
	Type string `json:"type"`
	// Default is present, as null, on optional members: QEMU writes
	// "default": null. Absent, it stays nil.
	Default json.RawMessage `json:"default"`
}

func (m schemaMember) optional() bool { return m.Default != nil }

type schemaVariant struct {
	Case string `json:"case"`
	Type string `json:"type"`
}

// Arg describes one argument of a command.
type Arg struct {
	Name     string
	Type     string // readable: str, int, bool, number, any, enum(a|b), array of X, object
	Optional bool
}

// ParseSchema reads the "return" value of query-qmp-schema (a JSON array),
// or the whole reply object holding it.
func ParseSchema(raw []byte) (*Schema, error) {
	if !json.Valid(raw) { // decodeResult's precondition
		return nil, fmt.Errorf("schema is not valid JSON")
	}
	var entries []*schemaEntry
	if err := decodeResult(raw, &entries); err != nil {
		var wrapped struct {
			Return []*schemaEntry `json:"return"`
		}
		if err2 := decodeResult(raw, &wrapped); err2 != nil || wrapped.Return == nil {
			return nil, fmt.Errorf("schema is not an array of entries: %w", err)
		}
		entries = wrapped.Return
	}
	s := &Schema{types: make(map[string]*schemaEntry), commands: make(map[string]*schemaEntry)}
	for _, e := range entries {
		if e == nil || e.Name == "" {
			continue
		}
		if e.MetaType == "command" {
			s.commands[e.Name] = e
			continue
		}
		if e.MetaType != "event" {
			s.types[e.Name] = e
		}
	}
	if len(s.commands) == 0 {
		return nil, fmt.Errorf("schema lists no commands")
	}
	return s, nil
}

// Commands lists the command names, sorted.
func (s *Schema) Commands() []string {
	names := make([]string, 0, len(s.commands))
	for n := range s.commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// CommandArgs lists a command's top-level arguments (for a union, the
// common members and the tag), required ones first.
func (s *Schema) CommandArgs(command string) ([]Arg, bool) {
	c, ok := s.commands[command]
	if !ok {
		return nil, false
	}
	t := s.types[c.ArgType]
	if t == nil {
		return nil, true
	}
	args := make([]Arg, 0, len(t.Members))
	for _, m := range t.Members {
		args = append(args, Arg{Name: m.Name, Type: s.describe(m.Type, 0), Optional: m.optional()})
	}
	slices.SortStableFunc(args, func(a, b Arg) int {
		switch {
		case a.Optional == b.Optional:
			return 0
		case !a.Optional:
			return -1
		}
		return 1
	})
	return args, true
}

func (s *Schema) describe(typ string, depth int) string {
	t := s.types[typ]
	if t == nil || depth > 3 {
		return typ
	}
	switch t.MetaType {
	case "builtin":
		return t.Name
	case "enum":
		if len(t.Values) <= 6 {
			return "enum(" + strings.Join(t.Values, "|") + ")"
		}
		return "enum"
	case "array":
		return "array of " + s.describe(t.ElementType, depth+1)
	case "alternate":
		var alts []string
		for _, m := range t.Members {
			alts = append(alts, s.describe(m.Type, depth+1))
		}
		return strings.Join(alts, " or ")
	}
	return t.MetaType
}

// ValidateArgs checks JSON arguments against the command's schema: unknown
// and missing members, JSON types, enum values, recursively. It returns nil
// when they fit. The error is a plain description for the person typing.
func (s *Schema) ValidateArgs(command string, args json.RawMessage) error {
	c, ok := s.commands[command]
	if !ok {
		return fmt.Errorf("QEMU has no command %q", command)
	}
	var v any = map[string]any{}
	if len(strings.TrimSpace(string(args))) > 0 {
		if err := json.Unmarshal(args, &v); err != nil {
			return fmt.Errorf("arguments are not valid JSON: %v", err)
		}
	}
	if _, isObj := v.(map[string]any); !isObj {
		return fmt.Errorf("arguments must be a JSON object")
	}
	return s.check(c.ArgType, v, "arguments", 0)
}

const maxSchemaDepth = 32

func (s *Schema) check(typ string, v any, path string, depth int) error {
	if depth > maxSchemaDepth {
		return nil
	}
	t := s.types[typ]
	if t == nil {
		return nil // unknown type: nothing to say
	}
	switch t.MetaType {
	case "builtin":
		return checkBuiltin(t.JSONType, v, path)
	case "enum":
		str, ok := v.(string)
		if !ok {
			return fmt.Errorf("%s: want one of %s", path, strings.Join(t.Values, ", "))
		}
		if !slices.Contains(t.Values, str) {
			return fmt.Errorf("%s: %q is not one of %s", path, str, strings.Join(t.Values, ", "))
		}
	case "array":
		arr, ok := v.([]any)
		if !ok {
			return fmt.Errorf("%s: want an array", path)
		}
		for i, e := range arr {
			if err := s.check(t.ElementType, e, fmt.Sprintf("%s[%d]", path, i), depth+1); err != nil {
				return err
			}
		}
	case "alternate":
		// A value fits one branch; when it fails the one branch of its
		// own JSON kind (an object where the other is a name), that
		// branch's error says where, deep inside, it went wrong.
		var same error
		for _, m := range t.Members {
			err := s.check(m.Type, v, path, depth+1)
			if err == nil {
				return nil
			}
			if _, isObj := v.(map[string]any); isObj && s.isObject(m.Type) {
				same = err
			}
		}
		if same != nil {
			return same
		}
		return fmt.Errorf("%s: fits none of %s", path, s.describe(typ, 0))
	case "object":
		return s.checkObject(t, v, path, depth)
	}
	return nil
}

// isObject says whether values of typ are JSON objects.
func (s *Schema) isObject(typ string) bool {
	t := s.types[typ]
	return t != nil && t.MetaType == "object"
}

func (s *Schema) checkObject(t *schemaEntry, v any, path string, depth int) error {
	obj, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: want an object", path)
	}
	members := slices.Clone(t.Members)
	if t.Tag != "" {
		if tag, ok := obj[t.Tag].(string); ok {
			for _, vr := range t.Variants {
				if vr.Case == tag {
					if vt := s.types[vr.Type]; vt != nil {
						members = append(members, vt.Members...)
					}
				}
			}
		}
	}
	known := make(map[string]bool, len(members))
	for _, m := range members {
		known[m.Name] = true
		val, present := obj[m.Name]
		if !present {
			if !m.optional() {
				return fmt.Errorf("%s: missing member %q (%s)", path, m.Name, s.describe(m.Type, 0))
			}
			continue
		}
		if err := s.check(m.Type, val, path+"."+m.Name, depth+1); err != nil {
			return err
		}
	}
	for k := range obj {
		if !known[k] {
			names := make([]string, 0, len(members))
			for _, m := range members {
				names = append(names, m.Name)
			}
			sort.Strings(names)
			if len(names) == 0 {
				return fmt.Errorf("%s: unexpected member %q (this takes no arguments)", path, k)
			}
			return fmt.Errorf("%s: unexpected member %q (known: %s)", path, k, strings.Join(names, ", "))
		}
	}
	return nil
}

func checkBuiltin(jsonType string, v any, path string) error {
	ok := true
	switch jsonType {
	case "string":
		_, ok = v.(string)
	case "boolean":
		_, ok = v.(bool)
	case "int":
		f, isNum := v.(float64)
		ok = isNum && f == math.Trunc(f)
	case "number":
		_, ok = v.(float64)
	case "null":
		ok = v == nil
	}
	if !ok {
		return fmt.Errorf("%s: want %s", path, jsonType)
	}
	return nil
}
