package sim

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
)

// schemaJSON is the verbatim reply of a real QEMU 7.2 to query-qmp-schema.
// Serving it makes introspecting clients see what they would see on QEMU,
// and validating arguments against it yields QEMU's exact argument errors
// ("Parameter 'value' is missing", "Parameter 'bogus' is unexpected", ...)
// for every command without hand-writing a parser per command.
//
//go:embed data/query-qmp-schema.json
var schemaJSON []byte

type schemaMember struct {
	Name     string
	Type     string
	Optional bool // the member carries a "default" key (always null in 7.2)
}

// UnmarshalJSON is needed because an optional member is marked by the mere
// presence of "default": null, which a plain struct field cannot tell apart
// from absence.
func (m *schemaMember) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	_ = json.Unmarshal(raw["name"], &m.Name)
	_ = json.Unmarshal(raw["type"], &m.Type)
	_, m.Optional = raw["default"]
	return nil
}

type schemaVariant struct {
	Case string `json:"case"`
	Type string `json:"type"`
}

type schemaEntity struct {
	Name        string          `json:"name"`
	MetaType    string          `json:"meta-type"`
	ArgType     string          `json:"arg-type"`
	AllowOOB    bool            `json:"allow-oob"`
	Members     []schemaMember  `json:"members"`
	Tag         string          `json:"tag"`
	Variants    []schemaVariant `json:"variants"`
	Values      []string        `json:"values"`
	ElementType string          `json:"element-type"`
	JSONType    string          `json:"json-type"`
}

type qapiSchema struct {
	reply    json.RawMessage // the "return" array, served by query-qmp-schema
	commands map[string]*schemaEntity
	types    map[string]*schemaEntity
	err      error
}

var loadSchema = sync.OnceValue(func() *qapiSchema {
	s := &qapiSchema{commands: map[string]*schemaEntity{}, types: map[string]*schemaEntity{}}
	var doc struct {
		Return json.RawMessage `json:"return"`
	}
	if err := json.Unmarshal(schemaJSON, &doc); err != nil {
		s.err = err
		return s
	}
	var entities []*schemaEntity
	if err := json.Unmarshal(doc.Return, &entities); err != nil {
		s.err = err
		return s
	}
	s.reply = doc.Return
	for _, e := range entities {
		switch e.MetaType {
		case "command":
			s.commands[e.Name] = e
		case "event":
		default:
			s.types[e.Name] = e
		}
	}
	return s
})

// allowsOOB reports whether QEMU lets the command run with "exec-oob".
func (s *qapiSchema) allowsOOB(cmd string) bool {
	e := s.commands[cmd]
	return e != nil && e.AllowOOB
}

// checkArgs validates a command's "arguments" object as QEMU's QObject input
// visitor would: declared members in schema order (missing/type errors first),
// then leftovers reported as unexpected.
func (s *qapiSchema) checkArgs(cmd string, args json.RawMessage) *qmpError {
	e := s.commands[cmd]
	if e == nil {
		return nil
	}
	t := s.types[e.ArgType]
	if t == nil {
		return nil
	}
	return s.checkObject(t, args, "")
}

func (s *qapiSchema) check(typ string, val json.RawMessage, path, leaf string) *qmpError {
	t := s.types[typ]
	if t == nil {
		return nil
	}
	k := jsonKind(val)
	switch t.MetaType {
	case "builtin":
		want := map[string]byte{"string": '"', "boolean": 'b', "null": 'n', "number": '0', "int": '0'}[t.JSONType]
		if want == 0 { // "value" (QAPI 'any') takes anything
			return nil
		}
		ok := k == want && (t.JSONType != "int" || isInteger(val))
		if !ok {
			return typeError(path, map[string]string{"string": "string", "boolean": "boolean",
				"null": "null", "number": "number", "int": "integer"}[t.JSONType])
		}
	case "enum":
		var str string
		if k != '"' || json.Unmarshal(val, &str) != nil {
			return typeError(path, "string")
		}
		for _, v := range t.Values {
			if v == str {
				return nil
			}
		}
		// QEMU names only the member here, not its full path, and
		// "null" for list elements, which have no name.
		if leaf == "" {
			leaf = "null"
		}
		return genericf("Parameter '%s' does not accept value '%s'", leaf, str)
	case "array":
		var elems []json.RawMessage
		if k != '[' || json.Unmarshal(val, &elems) != nil {
			return typeError(path, "array")
		}
		for i, el := range elems {
			if e := s.check(t.ElementType, el, fmt.Sprintf("%s[%d]", path, i), ""); e != nil {
				return e
			}
		}
	case "object":
		return s.checkObject(t, val, path)
	case "alternate":
		for _, m := range t.Members {
			if s.kindOf(m.Type) == k {
				return s.check(m.Type, val, path, leaf)
			}
		}
		if leaf == "" {
			leaf = "null"
		}
		return typeError(leaf, "alternate")
	}
	return nil
}

// kindOf is the JSON kind (as jsonKind reports it) a schema type accepts.
func (s *qapiSchema) kindOf(typ string) byte {
	t := s.types[typ]
	if t == nil {
		return 0
	}
	switch t.MetaType {
	case "builtin":
		return map[string]byte{"string": '"', "boolean": 'b', "null": 'n', "number": '0', "int": '0'}[t.JSONType]
	case "enum":
		return '"'
	case "array":
		return '['
	case "object":
		return '{'
	}
	return 0
}

func (s *qapiSchema) checkObject(t *schemaEntity, val json.RawMessage, path string) *qmpError {
	keys, members, ok := decodeObject(val)
	if !ok {
		return typeError(path, "object")
	}
	used := map[string]bool{}
	if e := s.visitMembers(t, members, used, path); e != nil {
		return e
	}
	for _, k := range keys {
		if !used[k] {
			return genericf("Parameter '%s' is unexpected", joinPath(path, k))
		}
	}
	return nil
}

func (s *qapiSchema) visitMembers(t *schemaEntity, members map[string]json.RawMessage, used map[string]bool, path string) *qmpError {
	for _, m := range t.Members {
		v, present := members[m.Name]
		if !present {
			if m.Optional {
				continue
			}
			return genericf("Parameter '%s' is missing", joinPath(path, m.Name))
		}
		used[m.Name] = true
		if e := s.check(m.Type, v, joinPath(path, m.Name), m.Name); e != nil {
			return e
		}
	}
	if t.Tag == "" {
		return nil
	}
	var tag string
	_ = json.Unmarshal(members[t.Tag], &tag)
	for _, v := range t.Variants {
		if v.Case == tag {
			if vt := s.types[v.Type]; vt != nil {
				return s.visitMembers(vt, members, used, path)
			}
		}
	}
	return nil
}

func typeError(path, want string) *qmpError {
	return genericf("Invalid parameter type for '%s', expected: %s", path, want)
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// jsonKind classifies a valid JSON value by its first byte:
// '{', '[', '"', 'b' (boolean), 'n' (null) or '0' (number).
func jsonKind(v json.RawMessage) byte {
	for _, c := range v {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '{', '[', '"', 'n':
			return c
		case 't', 'f':
			return 'b'
		default:
			return '0'
		}
	}
	return 0
}

// isInteger accepts what QEMU stores as an integer QNum: no fraction or
// exponent, within int64 or uint64 range.
func isInteger(v json.RawMessage) bool {
	s := string(trimSpace(v))
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		return true
	}
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r' || b[0] == '\n') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\r' || b[len(b)-1] == '\n') {
		b = b[:len(b)-1]
	}
	return b
}

// decodeObject returns an object's keys in input order (each once; a repeated
// key keeps its last value) and its members. ok is
// false when val is not a JSON object.
func decodeObject(val json.RawMessage) (keys []string, members map[string]json.RawMessage, ok bool) {
	if jsonKind(val) != '{' {
		return nil, nil, false
	}
	var ordered orderedObject
	if err := json.Unmarshal(val, &ordered); err != nil {
		return nil, nil, false
	}
	return ordered.keys, ordered.members, true
}

type orderedObject struct {
	keys    []string
	members map[string]json.RawMessage
}

func (o *orderedObject) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil { // the opening '{'
		return err
	}
	o.members = map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return err
		}
		if _, seen := o.members[key]; !seen {
			o.keys = append(o.keys, key)
		}
		o.members[key] = v
	}
	return nil
}
