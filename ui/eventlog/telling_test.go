package eventlog

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/qmpdash/qmpdash/model"
)

func TestTellingMembersComeFirst(t *testing.T) {
	for _, c := range []struct{ name, data, want string }{
		{"DEVICE_TRAY_MOVED", `{"device": "cd0", "id": "/machine/peripheral/cd0/virtio-backend", "tray-open": true}`,
			`{"tray-open":true,"device":"cd0","id":"/machine/peripheral/cd0/virtio-backend"}`},
		{"JOB_STATUS_CHANGE", `{"id": "job0", "status": "concluded"}`, `{"status":"concluded","id":"job0"}`},
		{"BLOCK_JOB_COMPLETED", `{"device": "job0", "len": 10, "offset": 5, "speed": 0, "type": "mirror", "error": "No space left on device"}`,
			`{"error":"No space left on device","device":"job0","type":"mirror","len":10,"offset":5,"speed":0}`},
		{"BLOCK_JOB_ERROR", `{"device": "job0", "operation": "write", "action": "stop"}`, `{"action":"stop","operation":"write","device":"job0"}`},
		// Others: status, error, action, reason, device, id, node-name first.
		{"SOME_NEW_EVENT", `{"zz": {"a": [1, 2]}, "node-name": "n", "status": "x"}`, `{"status":"x","node-name":"n","zz":{"a":[1,2]}}`},
		{"ODD", `[1, 2]`, `[1,2]`},
	} {
		if got := tellingJSON(c.name, json.RawMessage(c.data)); got != c.want {
			t.Errorf("%s: %s\nwant %s", c.name, got, c.want)
		}
	}
}

func TestSelectedEventIsWholeAndSafe(t *testing.T) {
	var l Model
	long := strings.Repeat("x", 1500)
	l.add([]model.LoggedEvent{
		{Seq: 1, Source: "a", Name: "BLOCK_JOB_COMPLETED", Time: t0, Data: json.RawMessage(`{"device":"j","type":"mirror","error":"` + long + `\u001b[2J"}`)},
		{Seq: 2, Source: "a", Name: "RESUME", Time: t0},
	}, "a")
	l.all = true
	e, ok := l.Selected("a")
	if !ok || e.Name != "RESUME" || e.Pretty() != "(no data)" {
		t.Fatalf("cursor on %+v, want the newest (RESUME)", e)
	}
	l.MoveCursor(1, 10, "a")
	e, _ = l.Selected("a")
	p := e.Pretty()
	if e.Name != "BLOCK_JOB_COMPLETED" || !strings.HasPrefix(p, "{\n  \"error\": \""+long) {
		t.Fatalf("event whole:\n%.200s", p)
	}
	if strings.Contains(p, "\x1b") {
		t.Fatal("escape in the viewer's text")
	}
	if len(l.entries[0].data) > maxEventData+8 {
		t.Fatal("the one-line form is not clipped")
	}
}

func TestCursorStaysInViewAndOnItsEvent(t *testing.T) {
	var l Model
	l.all = true
	l.add(vmEvents("a", "A", 0, 20), "a")
	l.MoveCursor(3, 5, "a")
	if l.cursor != 3 || l.scroll != 0 {
		t.Fatalf("cursor %d scroll %d", l.cursor, l.scroll)
	}
	l.MoveCursor(4, 5, "a") // past the top of the view: it scrolls
	if l.cursor != 7 || l.scroll != 3 {
		t.Fatalf("cursor %d scroll %d", l.cursor, l.scroll)
	}
	l.TakeFleet(vmEvents("a", "A", 20, 22), Fetch{}, 0, "a")
	if e, _ := l.Selected("a"); e.Name != "A_EV_00012" {
		t.Fatalf("cursor moved to %s when events arrived", e.Name)
	}
	l.ScrollBy(-100, 5, "a") // the wheel to the tail drags the cursor
	if l.scroll != 0 || l.cursor != 4 {
		t.Fatalf("cursor %d scroll %d", l.cursor, l.scroll)
	}
	l.MoveCursor(1000, 5, "a")
	if e, _ := l.Selected("a"); e.Name != "A_EV_00000" {
		t.Fatalf("top is %s", e.Name)
	}
}
