package qmp

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
)

// The real validator against the full QEMU 7.2 schema: every kind of type
// it walks (builtins, enums, arrays, objects nested and flat unions,
// alternates, optional and unknown members), each with a case that fits
// and one that does not, and the words the person typing reads.

var (
	fullSchemaOnce sync.Once
	fullSchema     *Schema
	fullSchemaErr  error
)

func recorded72(t *testing.T) *Schema {
	t.Helper()
	fullSchemaOnce.Do(func() { fullSchema, fullSchemaErr = ParseSchema(readRecordedSchema(t)) })
	if fullSchemaErr != nil {
		t.Fatal(fullSchemaErr)
	}
	return fullSchema
}

func TestValidateArgsAgainstTheFull72Schema(t *testing.T) {
	s := recorded72(t)
	cases := []struct {
		what, command, args string
		wantErr             string // "" means it fits
	}{
		// Builtins and members.
		{"int member", "balloon", `{"value": 1073741824}`, ""},
		{"str for int", "balloon", `{"value": "1G"}`, "arguments.value: want int"},
		{"fraction for int", "balloon", `{"value": 1.5}`, "arguments.value: want int"},
		{"misspelt member", "balloon", `{"valu": 100}`, `missing member "value"`},
		{"unknown member", "balloon", `{"value": 100, "valu": 100}`, `unexpected member "valu" (known: value)`},
		{"missing required", "balloon", `{}`, `missing member "value"`},
		{"no-argument command given one", "query-status", `{"x": 1}`, "this takes no arguments"},
		{"bool member", "eject", `{"id": "cd0", "force": "yes"}`, "arguments.force: want boolean"},
		// Optional members may be left out.
		{"all optional left out", "eject", `{}`, ""},
		{"some optional given", "eject", `{"id": "cd0", "force": true}`, ""},
		// Enums, as a member and inside an array of objects.
		{"enum member", "set-action", `{"shutdown": "pause"}`, ""},
		{"bad enum member", "set-action", `{"shutdown": "explode"}`, `arguments.shutdown: "explode" is not one of poweroff, pause`},
		{"enum of wrong type", "set-action", `{"shutdown": 1}`, "arguments.shutdown: want one of poweroff, pause"},
		{"array of objects", "migrate-set-capabilities", `{"capabilities": [{"capability": "xbzrle", "state": true}]}`, ""},
		{"bad enum in array", "migrate-set-capabilities", `{"capabilities": [{"capability": "xbzrle", "state": true}, {"capability": "warp", "state": true}]}`, `arguments.capabilities[1].capability: "warp" is not one of`},
		{"object for array", "migrate-set-capabilities", `{"capabilities": {"capability": "xbzrle", "state": true}}`, "arguments.capabilities: want an array"},
		{"missing member in array element", "migrate-set-capabilities", `{"capabilities": [{"capability": "xbzrle"}]}`, `arguments.capabilities[0]: missing member "state"`},
		// Flat unions: the discriminator picks the variant's members.
		{"union variant", "blockdev-add", `{"driver": "file", "node-name": "n0", "filename": "/tmp/x.img"}`, ""},
		{"union variant's required member", "blockdev-add", `{"driver": "file", "node-name": "n0"}`, `missing member "filename"`},
		{"member of another variant", "blockdev-add", `{"driver": "null-co", "node-name": "n0", "filename": "/tmp/x"}`, `unexpected member "filename"`},
		{"bad discriminator", "blockdev-add", `{"driver": "floppy-disk", "node-name": "n0"}`, `arguments.driver: "floppy-disk" is not one of`},
		// Alternates (BlockdevRef: an object or a node name) and nesting.
		{"alternate as reference", "blockdev-add", `{"driver": "qcow2", "node-name": "q", "file": "n0"}`, ""},
		{"alternate as nested object", "blockdev-add", `{"driver": "qcow2", "node-name": "q", "file": {"driver": "file", "filename": "/tmp/x.qcow2"}}`, ""},
		{"alternate fits neither", "blockdev-add", `{"driver": "qcow2", "node-name": "q", "file": 7}`, "arguments.file: fits none of"},
		{"error deep in a nested object", "blockdev-add", `{"driver": "qcow2", "node-name": "q", "file": {"driver": "file", "filename": "/tmp/x", "aio": "turbo"}}`, `arguments.file.aio: "turbo" is not one of`},
		// Simple unions with a data member (InputEvent), in an array.
		{"union in array", "input-send-event", `{"events": [{"type": "key", "data": {"down": true, "key": {"type": "qcode", "data": "a"}}}]}`, ""},
		{"bad qcode deep down", "input-send-event", `{"events": [{"type": "key", "data": {"down": true, "key": {"type": "qcode", "data": "not-a-key"}}}]}`, `arguments.events[0].data.key.data: "not-a-key" is not one of`},
		// What is not a command or not an object.
		{"unknown command", "balooon", `{}`, `QEMU has no command "balooon"`},
		{"arguments not an object", "balloon", `[1]`, "arguments must be a JSON object"},
		{"arguments not JSON", "balloon", `{"value": }`, "arguments are not valid JSON"},
	}
	for _, c := range cases {
		t.Run(c.what, func(t *testing.T) {
			err := s.ValidateArgs(c.command, json.RawMessage(c.args))
			switch {
			case c.wantErr == "" && err != nil:
				t.Fatalf("%s %s rejected: %v", c.command, c.args, err)
			case c.wantErr != "" && err == nil:
				t.Fatalf("%s %s accepted; want an error with %q", c.command, c.args, c.wantErr)
			case c.wantErr != "" && !strings.Contains(err.Error(), c.wantErr):
				t.Fatalf("%s %s: error %q; want it to say %q", c.command, c.args, err, c.wantErr)
			}
		})
	}
}
