package model

import "time"

// A poll asks two things every time: query-blockstats (I/O rates) and
// query-migrate (QEMU announces a migration only to a client that turned
// on the "events" capability, which a watcher must not change). Each
// answer also proves the monitor alive. Four more facts change only at
// moments QEMU announces with an event, so a poll asks them only when one
// may have changed; at 500 VMs this cuts the messages a second by two
// thirds, and each message costs the dashboard about the same CPU whatever
// it says (docs/BENCHMARKS.md, "At scale").
//
//   - the run state: QEMU changes it through vm_stop (STOP), vm_start
//     (RESUME), a reset (RESET), shutdown, suspend, wakeup, a guest panic
//     or a watchdog, each with its event; the event's state is shown at
//     once (events_apply.go) and query-status confirms it on the next poll.
//     Migration moves it without an event (finish-migrate to postmigrate,
//     inmigrate to paused), so while query-migrate reports a migration, or
//     the state is one a migration or snapshot passes through, every poll
//     asks. A poll that answered without asking confirms the state still
//     stands (QEMU would have said otherwise);
//   - block jobs: every job QEMU lists (one with an id) sends
//     JOB_STATUS_CHANGE on each change of status, from "created" on, but
//     no event while it makes progress: asked after a job event, and on
//     every poll while the last answer listed a job;
//   - the balloon: its size changes only when the guest reports it, which
//     sends BALLOON_CHANGE (and the event's figure is applied at once);
//     asked again after that event, a reset, a device unplugged or the run
//     state changing;
//   - the vCPUs (their threads, for per-vCPU CPU %): fixed unless a vCPU is
//     hot-plugged or unplugged: asked after DEVICE_DELETED or ACPI_DEVICE_OST.
//
// What no event announces (a vCPU or balloon device hot-plugged by another
// client; a QEMU that emitted no event) is caught by the sweep: a poll
// asks everything at least every sweepAfter (every poll, when polls are
// further apart). And when the subscription lost events
// (its buffer overflowed), the next poll asks everything, since the events
// that would have asked may be among those lost.

// pollAsks says which of the event-announced queries one poll sends.
type pollAsks struct {
	status, cpus, jobs, balloon bool
}

var askAll = pollAsks{status: true, cpus: true, jobs: true, balloon: true}

// sweepAfter bounds how long what no event announces can go unseen.
const sweepAfter = 10 * time.Second

// sweepEvery is how many polls apart the sweeps are at interval.
func sweepEvery(interval time.Duration) int {
	if interval <= 0 {
		return 1
	}
	return max(int(sweepAfter/interval), 1)
}

// pollGates decides, for one connection, what each poll asks. It is owned
// by the watcher goroutine.
type pollGates struct {
	want    pollAsks // what events and answers asked for since the last poll began
	since   int      // polls since the last one that asked everything
	dropped uint64   // the subscription's lost-event count when the last poll began
}

// newPollGates starts a connection: its first poll asks everything.
func newPollGates() *pollGates {
	return &pollGates{want: askAll}
}

// begin returns what the poll starting now asks, given the subscription's
// lost-event count and the poll interval, and starts collecting for the
// next one. An event applied after this call asks again, so an event that
// crosses the poll's answer on the wire is never lost to it.
func (g *pollGates) begin(dropped uint64, interval time.Duration) pollAsks {
	a := g.want
	g.want = pollAsks{}
	g.since++
	if g.since >= sweepEvery(interval) || dropped != g.dropped {
		a = askAll
	}
	if a == askAll {
		g.since = 0
	}
	g.dropped = dropped
	return a
}

// event notes an event that may change an event-announced fact.
func (g *pollGates) event(name string) {
	switch name {
	case "JOB_STATUS_CHANGE", "BLOCK_JOB_COMPLETED", "BLOCK_JOB_CANCELLED",
		"BLOCK_JOB_READY", "BLOCK_JOB_ERROR", "BLOCK_JOB_PENDING":
		g.want.jobs = true
	case "BALLOON_CHANGE":
		g.want.balloon = true
	case "STOP", "RESUME", "RESET", "SHUTDOWN", "POWERDOWN", "SUSPEND", "SUSPEND_DISK", "WAKEUP",
		"GUEST_PANICKED", "GUEST_CRASHLOADED", "WATCHDOG", "BLOCK_IO_ERROR", "MIGRATION", "MIGRATION_PASS":
		g.want.status, g.want.balloon = true, true
	case "DEVICE_DELETED", "ACPI_DEVICE_OST":
		g.want.cpus, g.want.balloon = true, true
	}
}

// settledStates are the run states QEMU leaves only with an event (or a
// migration, which is watched apart). Any other (inmigrate,
// finish-migrate, save-vm, restore-vm, colo, a name a later QEMU adds) is
// asked on every poll.
var settledStates = map[string]bool{
	"running": true, "paused": true, "prelaunch": true, "suspended": true, "shutdown": true,
	"postmigrate": true, "guest-panicked": true, "io-error": true, "internal-error": true,
	"watchdog": true, "debug": true,
}

// migrating says a query-migrate status means a migration is under way or
// has been (QEMU keeps "completed" until the next one): the run state
// moves without events then.
func migrating(status string) bool {
	return status != "" && status != "none"
}

// done notes a poll's outcome: a failed poll's questions are asked again,
// and a job in the answer is asked after on the next poll (its progress
// sends no event).
func (g *pollGates) done(r pollResult) {
	asked := r.asked
	if r.err != nil {
		g.want.status = g.want.status || asked.status
		g.want.cpus = g.want.cpus || asked.cpus
		g.want.jobs = g.want.jobs || asked.jobs
		g.want.balloon = g.want.balloon || asked.balloon
		return
	}
	if asked.jobs && len(r.jobs) > 0 {
		g.want.jobs = true
	}
	if (asked.status && !settledStates[r.status.Status]) || migrating(r.migrate.Status) {
		g.want.status = true
	}
}

// askEverything makes the next poll ask everything (a command of ours
// that may have changed what no event announces, e.g. device_add).
func (g *pollGates) askEverything() {
	g.want = askAll
}
