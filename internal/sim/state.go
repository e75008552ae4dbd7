package sim

import "time"

// Everything here runs with VM.mu held.

// tickClock reads the injected clock, never letting simulated time go
// backwards even if the clock does.
func (v *VM) tickClock() time.Time {
	if now := v.clock(); now.After(v.now) {
		v.now = now
	}
	return v.now
}

func (v *VM) running() bool { return v.status == "running" }

// runTime is the total time the guest has been running; IO counters and
// guest resets are functions of it.
func (v *VM) runTime() time.Duration {
	if v.running() {
		return v.runAccum + v.now.Sub(v.runSince)
	}
	return v.runAccum
}

func (v *VM) setStatus(s string) {
	if v.running() && s != "running" {
		v.runAccum += v.now.Sub(v.runSince)
		v.stoppedAt = v.now
	}
	if !v.running() && s == "running" {
		v.runSince = v.now
	}
	v.status = s
}

// emitAt sends an event to the attached client if it has left negotiation
// mode (QEMU drops events for monitors still negotiating). Timestamps are
// strictly increasing at microsecond resolution even when the clock stands
// still, so clients can order events by them.
func (v *VM) emitAt(at time.Time, name string, data any) {
	at = at.Truncate(time.Microsecond)
	if !at.After(v.lastStamp) {
		at = v.lastStamp.Add(time.Microsecond)
	}
	v.lastStamp = at
	if v.active == nil || !v.active.negotiated {
		return
	}
	v.active.send(encodeLine(eventMsg{Timestamp: newTimestamp(at), Event: name, Data: data}))
}

func (v *VM) emit(name string, data any) { v.emitAt(v.now, name, data) }

// laterEvent is an event QEMU sends after the command's reply because it
// happens asynchronously (block job teardown).
type laterEvent struct {
	name string
	data any
}

func (v *VM) emitLater(name string, data any) {
	v.later = append(v.later, laterEvent{name, data})
}

func (v *VM) flushLater() {
	for _, e := range v.later {
		v.emit(e.name, e.data)
	}
	v.later = nil
}

type resetData struct {
	Guest  bool   `json:"guest"`
	Reason string `json:"reason"`
}

// maxCatchUp bounds how many overdue periodic events one step emits, so a
// clock jump cannot flood the client.
const maxCatchUp = 4

// advance turns elapsed time into what QEMU would have reported meanwhile:
// guest resets, block jobs becoming ready, and the guest's reactions.
func (v *VM) advance() {
	v.tickClock()
	if every := v.opts.ResetEvery; every > 0 && v.running() {
		rt := v.runTime()
		if due := (rt - v.nextReset) / every; rt >= v.nextReset && due >= maxCatchUp {
			v.nextReset += (due - maxCatchUp + 1) * every // skip the oldest, arithmetically
		}
		for rt >= v.nextReset {
			v.reset(v.now.Add(v.nextReset-rt), true)
			v.nextReset += every
		}
	}
	v.advanceJobs()
	v.guestStep()
}

// reset is a machine reset: device resets drain the block layer, which
// briefly pauses block jobs (QEMU reports that), then RESET.
func (v *VM) reset(at time.Time, guest bool) {
	v.drainJobs(at)
	reason := "host-qmp-system-reset"
	if guest {
		reason = "guest-reset"
	}
	v.emitAt(at, "RESET", resetData{Guest: guest, Reason: reason})
}

type balloonData struct {
	Actual uint64 `json:"actual"`
}

// guestStep is the guest OS acting on requests it has been sent (balloon
// target, device unplug). A paused guest does nothing until it runs again.
func (v *VM) guestStep() {
	if !v.running() {
		return
	}
	if v.opts.Balloon && v.target != v.balloon {
		v.balloon = v.target
		v.emit("BALLOON_CHANGE", balloonData{Actual: v.balloon})
	}
	v.unplugPending()
}
