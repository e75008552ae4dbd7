package ui

import (
	"os"
	"testing"

	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/qmp"
)

// The raw QMP command's check, through the real validator (qmp.Schema)
// over the full QEMU 7.2 schema, and the palette's wait for a schema that
// is still being fetched: no raw command is ever sent unchecked.

func real72Schema(t *testing.T) *qmp.Schema {
	t.Helper()
	raw, err := os.ReadFile("../internal/sim/data/query-qmp-schema.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := qmp.ParseSchema(raw)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// setSchema changes what the fake's ValidateArgs answers and signals a
// change, as the fleet does when a schema fetch ends.
func (f *fakeSource) setSchema(s *qmp.Schema, err error) {
	f.update(func(*model.FleetSnapshot) {
		f.schema, f.schemaErr = s, err
	})
}

func TestPaletteRawChecksAgainstTheReal72Schema(t *testing.T) {
	h := demo(t, Options{}, 140, 30)
	h.src.schema = real72Schema(t)
	h.press("G")
	h.palette("qmp")
	for _, c := range []struct{ input, says string }{
		{`balloon {"valu": 100}`, `arguments rejected: arguments: missing member "value" (int)`},
		{`balloon {"value": "1G"}`, `arguments rejected: arguments.value: want int`},
		{`set-action {"shutdown": "explode"}`, `"explode" is not one of poweroff, pause`},
		{`migrate-set-capabilities {"capabilities": [{"capability": "warp", "state": true}]}`, `capabilities[0].capability: "warp" is not`},
		{`blockdev-add {"driver": "qcow2", "node-name": "q", "file": 7}`, `arguments.file: fits none of`},
		{`eject {"id": "cd0", "force": "yes"}`, `arguments.force: want boolean`},
	} {
		h.retype(c.input, "enter")
		h.mustShow(c.says)
		h.mustNotSend()
	}
	h.retype(`balloon {"value": 1073741824}`, "enter")
	h.mustSend("balloon", `{"value": 1073741824}`)
}

func TestPaletteRawWaitsForTheSchema(t *testing.T) {
	h := demo(t, Options{}, 140, 30)
	schema := real72Schema(t)
	h.src.schemaErr = model.ErrSchemaPending
	h.press("G")

	// A bad command typed before the schema has come: checking, not sent;
	// when it comes, refused, still not sent.
	h.palette("qmp")
	h.typeText(`balloon {"valu": 100}`, "enter")
	h.mustShow("checking balloon against the VM's QMP schema…")
	h.mustNotSend()
	if !h.pal().Checking() {
		t.Fatal("palette not waiting for the schema")
	}
	h.src.setSchema(schema, nil)
	h.sync()
	h.mustShow(`arguments rejected: arguments: missing member "value"`)
	h.mustNotSend()

	// A good one typed while waiting is sent once the schema says it fits.
	h.src.setSchema(nil, model.ErrSchemaPending)
	h.retype(`balloon {"value": 1073741824}`, "enter")
	h.mustShow("checking balloon")
	h.sync() // a change that is not the schema: still waiting
	h.mustNotSend()
	h.src.setSchema(schema, nil)
	h.sync()
	h.mustSend("balloon", `{"value": 1073741824}`)

	// Editing the input while it waits cancels the wait.
	h.press("esc") // the reply viewer
	h.src.setSchema(nil, model.ErrSchemaPending)
	h.palette("qmp")
	h.typeText(`balloon {"value": 1073741824}`, "enter")
	h.typeText(" ")
	if h.pal().Checking() {
		t.Fatal("still waiting after the input was edited")
	}
	before := len(h.src.calls())
	h.src.setSchema(schema, nil)
	h.sync()
	if n := len(h.src.calls()); n != before {
		t.Fatalf("an edited input was sent when the schema came (%d calls, had %d)", n, before)
	}
}

func TestPaletteRawRefusedWithoutASchema(t *testing.T) {
	h := demo(t, Options{}, 160, 30)
	h.src.schemaErr = &model.SchemaUnavailableError{Reason: "query-qmp-schema timed out"}
	h.press("G")
	h.palette("qmp")
	h.typeText(`balloon {"value": 1073741824}`, "enter")
	h.mustShow("not sent: arguments cannot be checked", "query-qmp-schema timed out")
	h.mustNotSend()
	// enter asks again; once the schema is there the command goes.
	h.src.setSchema(real72Schema(t), nil)
	h.press("enter")
	h.mustSend("balloon", `{"value": 1073741824}`)
}
