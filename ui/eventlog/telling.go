package eventlog

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/qmpdash/qmpdash/internal/termsafe"
	"github.com/qmpdash/qmpdash/ui/render"
)

// What an event's one line shows first, and the event whole.

// telling names, per event, the data members that say what happened, in
// the order the line shows them; the rest follow as QEMU sent them.
var telling = map[string][]string{
	"DEVICE_TRAY_MOVED":     {"tray-open", "device", "id"},
	"JOB_STATUS_CHANGE":     {"status", "id"},
	"BLOCK_JOB_ERROR":       {"action", "operation", "device"},
	"BLOCK_JOB_COMPLETED":   {"error", "device", "type"},
	"BLOCK_JOB_CANCELLED":   {"device", "type"},
	"BLOCK_JOB_READY":       {"device", "type"},
	"BLOCK_IO_ERROR":        {"action", "operation", "reason", "device", "node-name"},
	"MIGRATION":             {"status"},
	"BALLOON_CHANGE":        {"actual"},
	"SHUTDOWN":              {"guest", "reason"},
	"RESET":                 {"guest", "reason"},
	"DEVICE_DELETED":        {"device", "path"},
	"BLOCK_IMAGE_CORRUPTED": {"fatal", "msg", "device", "node-name"},
}

// tellingDefault is the order for events not named above.
var tellingDefault = []string{"status", "error", "action", "reason", "device", "id", "node-name"}

// tellingJSON is an event's data as one line of compact JSON with its
// telling members first. Data that is not an object is only compacted.
func tellingJSON(name string, raw json.RawMessage) string {
	keys, vals, ok := members(raw)
	if !ok {
		return compactJSON(raw)
	}
	first := telling[name]
	if first == nil {
		first = tellingDefault
	}
	order := make([]int, 0, len(keys))
	for _, k := range first {
		if i := slices.Index(keys, k); i >= 0 {
			order = append(order, i)
		}
	}
	for i := range keys {
		if !slices.Contains(order, i) {
			order = append(order, i)
		}
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for n, i := range order {
		if n > 0 {
			b.WriteByte(',')
		}
		kj, _ := json.Marshal(keys[i])
		b.Write(kj)
		b.WriteByte(':')
		if err := json.Compact(&b, vals[i]); err != nil {
			b.Write(vals[i])
		}
	}
	b.WriteByte('}')
	return b.String()
}

// members splits a JSON object into its members, in the order sent.
func members(raw json.RawMessage) (keys []string, vals []json.RawMessage, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, nil, false
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, nil, false
		}
		k, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, false
		}
		keys, vals = append(keys, k), append(vals, v)
	}
	return keys, vals, true
}

// Event is one logged event, whole: what the viewer shows.
type Event struct {
	Name string // sanitised
	VMID string
	Time time.Time
	Data json.RawMessage // as the model kept it (bounded by model.MaxEventData)
}

// Title is the viewer's title for the event.
func (e Event) Title(vmName string, loc *time.Location) string {
	return e.Name + " · " + vmName + " · " + render.Stamp(e.Time, loc)
}

// Pretty is the event's data as indented JSON, telling members first,
// made safe for the terminal; "(no data)" when it had none.
func (e Event) Pretty() string {
	if len(e.Data) == 0 {
		return "(no data)"
	}
	var b bytes.Buffer
	if err := json.Indent(&b, []byte(tellingJSON(e.Name, e.Data)), "", "  "); err != nil {
		return termsafe.Text(string(e.Data))
	}
	return termsafe.Text(b.String())
}

// clipLine clips a line of data for the one-line view.
func clipLine(s string) string {
	return termsafe.Line(termsafe.Clip(strings.TrimSpace(s), maxEventData))
}
