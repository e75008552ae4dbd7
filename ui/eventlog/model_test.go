package eventlog

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/model"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// vmEvents makes events from..to-1 of one VM, named PREFIX_EV_nnnnn.
func vmEvents(id, prefix string, from, to int) []model.LoggedEvent {
	var evs []model.LoggedEvent
	for i := from; i < to; i++ {
		evs = append(evs, model.LoggedEvent{Source: id, Name: fmt.Sprintf("%s_EV_%05d", prefix, i), Time: t0.Add(time.Duration(i) * time.Millisecond)})
	}
	return evs
}

func TestEventLogIsBounded(t *testing.T) {
	var l Model
	for i := 0; i < 3; i++ {
		evs := make([]model.LoggedEvent, MaxEvents)
		for j := range evs {
			evs[j] = model.LoggedEvent{Seq: uint64(i*MaxEvents + j + 1), Source: "a", Name: "X"}
		}
		l.add(evs, "a")
	}
	if len(l.entries) != MaxEvents {
		t.Fatalf("log holds %d entries", len(l.entries))
	}
	if l.entries[0].seq != uint64(2*MaxEvents+1) {
		t.Fatalf("oldest kept is %d", l.entries[0].seq)
	}
	big := make([]byte, 0, 200000)
	big = append(big, `{"x":"`...)
	for len(big) < 190000 {
		big = append(big, 'a')
	}
	big = append(big, `"}`...)
	l.add([]model.LoggedEvent{{Seq: 1 << 40, Source: "a", Name: "BIG", Data: big}}, "a")
	if n := len(l.entries[len(l.entries)-1].data); n > maxEventData+8 {
		t.Fatalf("event data kept at %d bytes", n)
	}
}

func TestSetVMTakesOnlyNewerFetchesOfTheSelectedVM(t *testing.T) {
	var l Model
	evs := vmEvents("a", "A", 0, 3)
	for i := range evs {
		evs[i].Seq = uint64(i + 1)
	}
	if _, ok := l.setVM(Fetch{VMID: "a", Gen: 2, Events: evs}, "b"); ok {
		t.Fatal("took another VM's log")
	}
	if _, ok := l.setVM(Fetch{VMID: "a", Gen: 2, Events: evs[:2]}, "a"); !ok || len(l.vm) != 2 {
		t.Fatalf("fetch not taken: %d entries", len(l.vm))
	}
	if _, ok := l.setVM(Fetch{VMID: "a", Gen: 1, Events: evs[:1]}, "a"); ok || len(l.vm) != 2 {
		t.Fatal("an older fetch replaced a newer one")
	}
	added, ok := l.setVM(Fetch{VMID: "a", Gen: 3, Events: evs}, "a")
	if !ok || added != 1 || len(l.vm) != 3 || l.vm[2].name != "A_EV_00002" {
		t.Fatalf("added %d ok %v entries %+v", added, ok, l.vm)
	}
	// Entries are built exactly as the merged buffer builds them.
	raw := model.LoggedEvent{Seq: 4, Source: "a", Name: "X\x1b]0;t\x07", Data: []byte(`{"d": "` + strings.Repeat("y", 2000) + "\x1b[2J\"}"), Time: t0}
	l.setVM(Fetch{VMID: "a", Gen: 4, Events: []model.LoggedEvent{raw}}, "a")
	l.add([]model.LoggedEvent{raw}, "a")
	if got, want := l.vm[0], l.entries[0]; got.seq != want.seq || got.vm != want.vm || got.name != want.name ||
		got.data != want.data || !got.t.Equal(want.t) || string(got.raw) != string(want.raw) {
		t.Fatalf("VM log entry %+v, merged %+v", got, want)
	}
	if strings.Contains(l.vm[0].name+l.vm[0].data, "\x1b") || len(l.vm[0].data) > maxEventData+8 {
		t.Fatalf("entry not sanitised/clipped: %q", l.vm[0].data)
	}
}
