package ui

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/model"
)

const webID = "unix:/run/qemu/web-01.qmp"

func TestEventsSelectedAllAndFilter(t *testing.T) {
	h := demo(t, Options{}, 160, 48)
	h.press("G") // web-01
	h.mustShow("Events · web-01", "11:59:30.123 BALLOON_CHANGE {\"actual\":1610612736}", "RESUME")
	h.mustNotShow("STOP") // db-primary's
	h.press("a")
	h.mustShow("Events · all VMs", "STOP", "db-primary")
	h.mustFilterEvents("block", []string{"BLOCK_JOB_READY", "name ~ BLOCK"}, []string{"BALLOON_CHANGE", "RESUME"})
}

// mustFilterEvents filters the event log by name (f, query, enter): what is
// in show is on screen and what is in hide is not, until the filter is
// cleared (f, esc).
func (h *harness) mustFilterEvents(query string, show, hide []string) {
	h.t.Helper()
	h.press("f")
	h.typeText(query, "enter")
	h.mustShow(show...)
	h.mustNotShow(hide...)
	h.press("f", "esc")
	h.mustShow(hide...)
}

func TestEventsNewestAtBottomAndSanitised(t *testing.T) {
	h := demo(t, Options{}, 80, 24)
	h.press("G", "8")
	h.src.addEvents(model.LoggedEvent{Source: webID, Name: "DEVICE_DELETED",
		Data: []byte(`{"device":"net0\u001b]0;x\u0007"}`), Time: t0.Add(time.Second)})
	h.sync()
	lines := strings.Split(h.screen(), "\n")
	last := -1
	for i, l := range lines {
		if strings.Contains(l, "DEVICE_DELETED") {
			last = i
		}
		if strings.Contains(l, "BALLOON_CHANGE") && last >= 0 {
			t.Fatal("older event drawn below a newer one")
		}
	}
	if last < 0 {
		t.Fatalf("new event not shown:\n%s", h.screen())
	}
	if strings.Contains(h.a.render(), "\x1b]0;x") {
		t.Fatal("escape sequence from event data reached the screen")
	}
}

func TestEventsFollowTailUnlessScrolledUp(t *testing.T) {
	src := newFakeSource(demoVMs()...)
	h := newHarness(t, src, Options{}, 80, 24)
	add := func(from, to int) {
		var evs []model.LoggedEvent
		for i := from; i < to; i++ {
			evs = append(evs, model.LoggedEvent{Source: webID, Name: fmt.Sprintf("EV_%03d", i), Time: t0.Add(time.Duration(i) * time.Second)})
		}
		src.addEvents(evs...)
		h.sync()
	}
	add(0, 50)
	h.press("G", "8")
	h.mustShow("EV_049")
	h.mustNotShow("EV_000")
	// Following: a new event shows up at once.
	add(50, 51)
	h.mustShow("EV_050")
	// The cursor moves up within the view; the view stays put and the
	// cursor on its event while events arrive.
	h.press("up", "up", "up")
	h.mustShow("EV_050")
	h.mustKeepScrolledLines("EV_", func() { add(51, 52) })
	if e, _ := h.a.events.Selected(webID); e.Name != "EV_047" {
		t.Fatalf("cursor on %q after an event arrived, want EV_047", e.Name)
	}
	// A page up scrolls the view.
	h.press("pgup")
	h.mustNotShow("EV_051")
	h.mustKeepScrolledLines("EV_", func() { add(52, 55) })
	// Back to the tail.
	h.press("G")
	h.mustShow("EV_054")
	h.press("g")
	h.mustShow("EV_000")
	h.mustNotShow("EV_054")
	h.press("pgdown", "pgdown", "pgdown", "pgdown")
	h.mustShow("EV_054")
}

func TestEventsDroppedShown(t *testing.T) {
	h := demo(t, Options{}, 160, 48)
	h.src.mu.Lock()
	h.src.dropped = 7
	h.src.mu.Unlock()
	h.sync()
	h.mustShow("7 dropped")
}

func TestScrollResetsWhenSelectionChanges(t *testing.T) {
	src := newFakeSource(demoVMs()...)
	h := newHarness(t, src, Options{}, 160, 48)
	var evs []model.LoggedEvent
	for i := 0; i < 100; i++ {
		evs = append(evs, model.LoggedEvent{Source: webID, Name: fmt.Sprintf("EV_%03d", i)})
	}
	src.addEvents(evs...)
	h.sync()
	h.press("G", "l", "up", "up", "pgup")
	if h.a.events.Cursor() == 0 || h.a.events.Scroll() == 0 {
		t.Fatalf("cursor %d scroll %d", h.a.events.Cursor(), h.a.events.Scroll())
	}
	h.press("esc", "k")
	if h.a.events.Scroll() != 0 || h.a.events.Cursor() != 0 {
		t.Fatal("event log cursor or scroll kept for another VM")
	}
}

// In the wide layout a long event shows its telling members first, and
// enter on it in the focused log opens it whole in the viewer.
func TestEventOpensWholeInTheViewer(t *testing.T) {
	src := newFakeSource(demoVMs()...)
	h := newHarness(t, src, Options{}, 160, 48)
	path := `"/machine/peripheral/cd0/` + strings.Repeat("long-qom-path-", 8) + `"`
	src.addEvents(
		model.LoggedEvent{Source: webID, Name: "DEVICE_TRAY_MOVED", Time: t0,
			Data: json.RawMessage(`{"device": "cd0", "id": ` + path + `, "tray-open": true}`)},
		model.LoggedEvent{Source: webID, Name: "RESUME", Time: t0.Add(time.Second)},
	)
	h.sync()
	h.press("G", "l")
	h.mustShow(`DEVICE_TRAY_MOVED {"tray-open":true,"device":"cd`)
	// The cursor starts on the newest; up, then enter opens that event.
	h.press("up", "enter")
	v := h.viewer()
	if c := v.Content(); !strings.Contains(c, `"tray-open": true,`) || !strings.Contains(c, strings.Trim(path, `"`)) {
		t.Fatalf("viewer shows:\n%s", c)
	}
	h.mustShow("DEVICE_TRAY_MOVED · web-01 · 12:00:00.000")
	h.press("esc")
	h.mustNotShow(`"tray-open": true,`)
	// The help line says what enter does here.
	if !strings.Contains(h.helpLine(), "enter view event") {
		t.Fatalf("help line: %s", h.helpLine())
	}
}
