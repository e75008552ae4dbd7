package model

import (
	"errors"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/qmp"
)

func TestPollGates(t *testing.T) {
	none := pollAsks{}
	begin := func(g *pollGates, dropped uint64, want pollAsks, what string) {
		t.Helper()
		if got := g.begin(dropped, time.Second); got != want {
			t.Fatalf("%s: poll asks %+v, want %+v", what, got, want)
		}
	}

	g := newPollGates()
	begin(g, 0, askAll, "the first poll")
	g.done(pollResult{asked: askAll, status: qmp.StatusInfo{Status: "running"}})
	begin(g, 0, none, "a quiet second poll")

	for name, want := range map[string]pollAsks{
		"JOB_STATUS_CHANGE":   {jobs: true},
		"BLOCK_JOB_COMPLETED": {jobs: true},
		"BLOCK_JOB_READY":     {jobs: true},
		"BALLOON_CHANGE":      {balloon: true},
		"RESET":               {status: true, balloon: true},
		"RESUME":              {status: true, balloon: true},
		"STOP":                {status: true, balloon: true},
		"SHUTDOWN":            {status: true, balloon: true},
		"GUEST_PANICKED":      {status: true, balloon: true},
		"DEVICE_DELETED":      {cpus: true, balloon: true},
		"ACPI_DEVICE_OST":     {cpus: true, balloon: true},
		"RTC_CHANGE":          {},
	} {
		g := &pollGates{}
		g.event(name)
		begin(g, 0, want, name)
		begin(g, 0, none, "the poll after "+name)
	}

	// An event that arrives while a poll is out asks the next one.
	g = &pollGates{}
	asked := g.begin(0, time.Second)
	g.event("JOB_STATUS_CHANGE")
	g.done(pollResult{asked: asked})
	begin(g, 0, pollAsks{jobs: true}, "after an event during the poll")

	// A job in the answer: asked again, every poll, until none is left.
	g = &pollGates{}
	g.done(pollResult{asked: pollAsks{jobs: true}, jobs: []qmp.BlockJobInfo{{Device: "j"}}})
	begin(g, 0, pollAsks{jobs: true}, "while a job runs")
	g.done(pollResult{asked: pollAsks{jobs: true}})
	begin(g, 0, none, "after the job ended")

	// A state a migration or snapshot passes through is asked every poll,
	// and so is any while query-migrate reports a migration.
	g = &pollGates{}
	g.done(pollResult{asked: pollAsks{status: true}, status: qmp.StatusInfo{Status: "finish-migrate"}})
	begin(g, 0, pollAsks{status: true}, "in finish-migrate")
	g.done(pollResult{asked: pollAsks{status: true}, status: qmp.StatusInfo{Status: "running"}})
	begin(g, 0, none, "settled in running")
	g.done(pollResult{migrate: qmp.MigrationInfo{Status: "active"}})
	begin(g, 0, pollAsks{status: true}, "while migrating")
	g.done(pollResult{migrate: qmp.MigrationInfo{Status: "none"}})
	begin(g, 0, none, "no migration")

	// A failed poll asks its questions again.
	g = &pollGates{}
	g.done(pollResult{asked: pollAsks{balloon: true, cpus: true}, err: errors.New("timeout")})
	begin(g, 0, pollAsks{balloon: true, cpus: true}, "after a failed poll")

	// Lost events: everything.
	g = &pollGates{}
	begin(g, 3, askAll, "after the subscription lost events")
	begin(g, 3, none, "with no more lost")

	// The sweep: every 10 s, so at 1 s every 10th poll asks everything;
	// polls 10 s or more apart ask everything every time.
	if n := sweepEvery(time.Second); n != 10 {
		t.Fatalf("sweepEvery(1s) = %d", n)
	}
	if n := sweepEvery(time.Minute); n != 1 {
		t.Fatalf("sweepEvery(1m) = %d", n)
	}
	g = &pollGates{}
	for i := 1; i < 10; i++ {
		begin(g, 0, none, "between sweeps")
	}
	begin(g, 0, askAll, "the sweep")
	begin(g, 0, none, "after the sweep")

	// A command of ours that may have added a device.
	g = &pollGates{}
	g.askEverything()
	begin(g, 0, askAll, "after device_add")
}
