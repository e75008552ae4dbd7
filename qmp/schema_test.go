package qmp

import (
	"encoding/json"
	"os"
	"testing"
)

// The QEMU 7.2 schema the simulator serves: the full reply, recorded.
const recordedSchema = "../internal/sim/data/query-qmp-schema.json"

func readRecordedSchema(tb testing.TB) []byte {
	tb.Helper()
	raw, err := os.ReadFile(recordedSchema)
	if err != nil {
		tb.Fatal(err)
	}
	return raw
}

func TestSchemaTellsOptionalMembersByTheirDefault(t *testing.T) {
	s, err := ParseSchema(readRecordedSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	// eject: every member carries "default": null.
	args, ok := s.CommandArgs("eject")
	if !ok || len(args) != 3 {
		t.Fatalf("eject args %+v", args)
	}
	for _, a := range args {
		if !a.Optional {
			t.Errorf("eject's %q is optional in the schema, parsed as required", a.Name)
		}
	}
	// balloon: "value" has no default.
	args, ok = s.CommandArgs("balloon")
	if !ok || len(args) != 1 || args[0].Optional {
		t.Fatalf("balloon args %+v", args)
	}
	if err := s.ValidateArgs("eject", json.RawMessage(`{}`)); err != nil {
		t.Errorf("eject without its optional members: %v", err)
	}
	if err := s.ValidateArgs("balloon", json.RawMessage(`{}`)); err == nil {
		t.Error("balloon without its required value passed validation")
	}
}

func TestParseSchemaRejectsInvalidJSON(t *testing.T) {
	if _, err := ParseSchema([]byte(`[{"name": "x", "meta-type": "command"`)); err == nil {
		t.Fatal("truncated schema parsed")
	}
}

// BenchmarkParseSchema parses the full QEMU 7.2 schema (~200 KB), beside
// the baseline it replaced: encoding/json, with a custom UnmarshalJSON that
// decoded each member twice (once into a map, to see whether "default" was
// there).
func BenchmarkParseSchema(b *testing.B) {
	raw := readRecordedSchema(b)
	benchEach(b, "baseline-double-decode", func() error {
		var w struct {
			Return []*baselineSchemaEntry `json:"return"`
		}
		return json.Unmarshal(raw, &w)
	})
	benchEach(b, "ParseSchema", func() error {
		_, err := ParseSchema(raw)
		return err
	})
}

// The decoding ParseSchema did before, kept as the benchmark's baseline.
// Its entries decode as ParseSchema's do, but for the members.
type baselineSchemaEntry struct {
	schemaEntry
	Members []baselineSchemaMember `json:"members"` // hides schemaEntry's
}

type baselineSchemaMember struct {
	Name     string          `json:"name"`
	Type     string          `json:"type"`
	Default  json.RawMessage `json:"default"`
	optional bool
}

func (m *baselineSchemaMember) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	type plain baselineSchemaMember
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*m = baselineSchemaMember(p)
	_, m.optional = raw["default"]
	return nil
}
