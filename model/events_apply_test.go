package model

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestEventToRunState(t *testing.T) {
	at := time.Unix(1795592668, 669634000)
	cases := []struct {
		event   string
		state   string
		running bool
	}{
		{"STOP", "paused", false},
		{"RESUME", "running", true},
		{"SHUTDOWN", "shutdown", false},
		{"SUSPEND", "suspended", false},
		{"WAKEUP", "running", true},
		{"GUEST_PANICKED", "guest-panicked", false},
	}
	for _, tc := range cases {
		s := VMSnapshot{RunState: "something-else", Running: !tc.running}
		if applyEventToSnapshot(&s, tc.event, nil, at) {
			t.Errorf("%s asked for a slow refresh", tc.event)
		}
		if s.RunState != tc.state || s.Running != tc.running || !s.RunningSince.Equal(at) {
			t.Errorf("%s: %q running=%v since=%v", tc.event, s.RunState, s.Running, s.RunningSince)
		}
	}
	// RESET leaves the run state alone.
	s := VMSnapshot{RunState: "running", Running: true}
	applyEventToSnapshot(&s, "RESET", json.RawMessage(`{"guest": false, "reason": "host-qmp-system-reset"}`), at)
	if s.RunState != "running" || !s.RunningSince.IsZero() {
		t.Errorf("RESET changed state: %+v", s)
	}
}

func TestJobEventsUpdateJobsWithoutTouchingPublishedSlices(t *testing.T) {
	at := time.Now()
	published := []BlockJob{{Device: "mirror0", Status: "running", Len: 100, Offset: 50}}
	s := VMSnapshot{Jobs: published}
	applyEventToSnapshot(&s, "JOB_STATUS_CHANGE", json.RawMessage(`{"status": "paused", "id": "mirror0"}`), at)
	if s.Jobs[0].Status != "paused" || !s.Jobs[0].Paused || s.Jobs[0].Offset != 50 {
		t.Fatalf("jobs %+v", s.Jobs)
	}
	if published[0].Status != "running" {
		t.Fatal("an event changed a slice a published snapshot shares")
	}
	applyEventToSnapshot(&s, "BLOCK_JOB_READY", json.RawMessage(`{"device": "mirror0", "len": 100, "offset": 100, "speed": 0, "type": "mirror"}`), at)
	if !s.Jobs[0].Ready {
		t.Fatalf("not ready: %+v", s.Jobs)
	}
	applyEventToSnapshot(&s, "JOB_STATUS_CHANGE", json.RawMessage(`{"status": "created", "id": "backup1"}`), at)
	if len(s.Jobs) != 2 || s.Jobs[1].Device != "backup1" || s.Jobs[1].Status != "created" {
		t.Fatalf("new job not added: %+v", s.Jobs)
	}
	applyEventToSnapshot(&s, "BLOCK_JOB_CANCELLED", json.RawMessage(`{"device": "mirror0", "len": 100, "offset": 50, "speed": 8, "type": "mirror"}`), at)
	applyEventToSnapshot(&s, "JOB_STATUS_CHANGE", json.RawMessage(`{"status": "null", "id": "backup1"}`), at)
	if len(s.Jobs) != 0 {
		t.Fatalf("finished jobs remain: %+v", s.Jobs)
	}
}

func TestMigrationBalloonAndSlowRefreshEvents(t *testing.T) {
	s := VMSnapshot{}
	at := time.Now()
	applyEventToSnapshot(&s, "MIGRATION", json.RawMessage(`{"status": "active"}`), at)
	if s.Migration.Status != "active" {
		t.Fatalf("migration %+v", s.Migration)
	}
	applyEventToSnapshot(&s, "BALLOON_CHANGE", json.RawMessage(`{"actual": 134217728}`), at)
	if !s.Memory.HasBalloon || s.Memory.BalloonBytes != 128<<20 {
		t.Fatalf("memory %+v", s.Memory)
	}
	for _, ev := range []string{"DEVICE_TRAY_MOVED", "DEVICE_DELETED"} {
		if !applyEventToSnapshot(&s, ev, json.RawMessage(`{"device": "cd0", "tray-open": true, "id": "cdrom0"}`), at) {
			t.Errorf("%s did not ask for a slow refresh", ev)
		}
	}
	// Garbage data never panics and changes nothing.
	before := s
	for _, ev := range []string{"JOB_STATUS_CHANGE", "MIGRATION", "BALLOON_CHANGE", "BLOCK_JOB_READY"} {
		applyEventToSnapshot(&s, ev, json.RawMessage(`[1,`), at)
	}
	if s.Migration != before.Migration || s.Memory != before.Memory || len(s.Jobs) != 0 {
		t.Fatalf("garbage changed state: %+v", s)
	}
}

func TestLoggedEventDataIsBounded(t *testing.T) {
	small := json.RawMessage(`{"id": "mirror0"}`)
	if got := boundedData(small); string(got) != string(small) {
		t.Fatalf("small data changed: %s", got)
	}
	big := json.RawMessage(`{"x": "` + strings.Repeat("a", 100000) + `"}`)
	got := boundedData(big)
	var note map[string]int
	if len(got) > 100 || json.Unmarshal(got, &note) != nil || note["qmpdash-truncated-bytes"] != len(big) {
		t.Fatalf("big data kept as %d bytes: %.80s", len(got), got)
	}
}

// A peer that invents event names cannot grow the counts without end:
// past maxEventNames names (or with an overlong name) they count as other.
func TestEventCountsAreBounded(t *testing.T) {
	var counts map[string]uint64
	for i := range 1000 {
		counts = countEvent(counts, fmt.Sprintf("EV_%d", i))
	}
	counts = countEvent(counts, strings.Repeat("X", maxEventNameLen+1))
	prev := counts
	counts = countEvent(counts, "EV_0")
	if len(counts) != maxEventNames+1 || counts[OtherEvents] != 1000-maxEventNames+1 || counts["EV_0"] != 2 {
		t.Fatalf("%d names, other %d, EV_0 %d", len(counts), counts[OtherEvents], counts["EV_0"])
	}
	if prev["EV_0"] != 1 {
		t.Fatal("counting changed a map already handed out")
	}
}
