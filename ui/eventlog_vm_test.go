package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/ui/eventlog"
)

// The this-VM event view reads the VM's own log (Source.VMEvents), so a
// chatty VM that floods the merged buffer cannot evict a quiet VM's history.

const (
	quietID  = "unix:/run/qemu/quiet.qmp"
	chattyID = "unix:/run/qemu/chatty.qmp"
)

// chattyFleet has a quiet VM (selected first; the table sorts it second)
// with quietN events, then a chatty one with chattyN, all logged after.
func chattyFleet(t *testing.T, quietN, chattyN int) *harness {
	t.Helper()
	vm := func(id, name string) model.VMSnapshot {
		return model.VMSnapshot{ID: id, Name: name, Conn: model.ConnConnected, RunState: "running", Running: true}
	}
	src := newFakeSource(vm(quietID, "quiet"), vm(chattyID, "chatty"))
	src.addEvents(vmEvents(quietID, "Q", 0, quietN)...)
	src.addEvents(vmEvents(chattyID, "C", 0, chattyN)...)
	h := newHarness(t, src, Options{}, 160, 48)
	if h.a.fleet.SelectedID() != quietID {
		t.Fatalf("selected %q", h.a.fleet.SelectedID())
	}
	return h
}

func vmEvents(id, prefix string, from, to int) []model.LoggedEvent {
	evs := make([]model.LoggedEvent, 0, to-from)
	for i := from; i < to; i++ {
		evs = append(evs, model.LoggedEvent{Source: id, Name: fmt.Sprintf("%s_EV_%05d", prefix, i), Time: t0.Add(time.Duration(i) * time.Millisecond)})
	}
	return evs
}

func TestEventsThisVMSurvivesChattyNeighbour(t *testing.T) {
	h := chattyFleet(t, 3, 10000)
	if 10000 <= eventlog.MaxEvents {
		t.Fatal("test premise: the flood should evict the quiet VM's events from the merged buffer")
	}
	h.mustShow("Events · quiet", "Q_EV_00000", "Q_EV_00001", "Q_EV_00002")
	h.mustNotShow("C_EV_", "no events yet")
	// Newest at the bottom.
	s := h.screen()
	if strings.Index(s, "Q_EV_00000") > strings.Index(s, "Q_EV_00002") {
		t.Fatalf("older event drawn below a newer one:\n%s", s)
	}
	// The name filter applies to the VM's own log.
	h.mustFilterEvents("ev_00001", []string{"Q_EV_00001", "name ~ EV_00001"}, []string{"Q_EV_00000", "Q_EV_00002"})

	// The all-VMs view is still the merged buffer: the flood, newest last.
	h.press("a")
	h.mustShow("Events · all VMs", "C_EV_09999", "chatty")
	h.mustNotShow("Q_EV_")

	// An event logged while the all view is up (no fleet read since) is
	// there as soon as the view switches back: the switch fetches the log.
	h.src.addEvents(vmEvents(quietID, "Q", 3, 4)...)
	_, cmd := h.a.Update(keyMsg("a"))
	if cmd == nil {
		t.Fatal("switching to this VM's view fetched nothing")
	}
	h.run(cmd)
	h.mustShow("Events · quiet", "Q_EV_00000", "Q_EV_00003")
	h.mustNotShow("C_EV_")
}

func TestEventsSelectionFetchesVMLogAtOnce(t *testing.T) {
	h := chattyFleet(t, 3, 10000)
	h.press("up") // to chatty
	if h.a.fleet.SelectedID() != chattyID {
		t.Fatalf("selected %q", h.a.fleet.SelectedID())
	}
	h.mustShow("Events · chatty", "C_EV_09999")
	h.mustNotShow("Q_EV_")

	// Back to quiet: until the fetch lands nothing of chatty's is shown,
	// and after it (no fleet read in between) quiet's history is there.
	_, cmd := h.a.Update(keyMsg("down"))
	h.mustShow("Events · quiet")
	h.mustNotShow("C_EV_")
	if cmd == nil {
		t.Fatal("moving the selection fetched nothing")
	}
	h.run(cmd)
	h.mustShow("Q_EV_00000", "Q_EV_00002")
	h.mustNotShow("C_EV_")

	// A fetch for a VM no longer selected is ignored when it lands late.
	_, toChatty := h.a.Update(keyMsg("up"))
	h.press("down") // back to quiet, its fetch runs
	h.run(toChatty)
	h.mustShow("Events · quiet", "Q_EV_00002")
	h.mustNotShow("C_EV_")
}

// A fleet read armed for one VM and delivered after the selection moved
// must not show that VM's log, and must refresh the new VM's at once.
func TestEventsFleetReadForOldSelection(t *testing.T) {
	h := chattyFleet(t, 3, 10)
	read := h.a.readFleet() // armed with quiet selected
	h.press("up")           // chatty, its log fetched now
	h.mustShow("C_EV_00009")
	h.src.addEvents(vmEvents(chattyID, "C", 10, 11)...)
	h.send(read())
	h.mustShow("Events · chatty", "C_EV_00010")
	h.mustNotShow("Q_EV_")
}

// New events for the selected VM arrive by the fleet read, even when the
// flood that comes with them evicts them from the merged buffer; a
// scrolled-up view stays on the lines being read.
func TestEventsThisVMFollowsAndKeepsPlace(t *testing.T) {
	h := chattyFleet(t, 60, 0)
	h.press("8")
	h.mustShow("Q_EV_00059")
	h.src.addEvents(vmEvents(quietID, "Q", 60, 61)...)
	h.src.addEvents(vmEvents(chattyID, "C", 0, 6000)...)
	h.sync()
	if 10000 <= eventlog.MaxEvents {
		t.Fatal("test premise: the flood should evict the quiet VM's events from the merged buffer")
	}
	h.mustShow("Q_EV_00060") // following the tail
	h.press("up", "up", "up")
	h.mustKeepScrolledLines("_EV_", func() {
		h.src.addEvents(vmEvents(quietID, "Q", 61, 65)...)
		h.src.addEvents(vmEvents(chattyID, "C", 6000, 7000)...)
		h.sync()
	})
	h.press("G")
	h.mustShow("Q_EV_00064")
	h.mustNotShow("C_EV_")
}
