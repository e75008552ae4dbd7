package render

import (
	"strconv"
	"time"

	"github.com/qmpdash/qmpdash/internal/termsafe"
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/themes"
)

// Run and connection states are always printed as a glyph and a word; the
// colour only repeats what the word says.

type StateClass int

const (
	StateUnknown StateClass = iota
	StateRunning
	StatePaused
	StateStopped
	StateTransitional
	// StateService: a server with no run state of its own that serves
	// while its monitor answers (a storage daemon).
	StateService
)

// classifyRunState groups QEMU's RunState values.
func ClassifyRunState(s string) StateClass {
	switch s {
	case "running":
		return StateRunning
	case "paused", "suspended":
		return StatePaused
	case "shutdown", "guest-panicked", "internal-error", "io-error", "watchdog":
		return StateStopped
	case model.StorageDaemonState:
		return StateService
	case "prelaunch", "inmigrate", "postmigrate", "finish-migrate", "restore-vm", "save-vm", "debug", "colo":
		return StateTransitional
	}
	return StateUnknown
}

var stateGlyphs = map[StateClass]string{
	StateRunning:      "▶",
	StatePaused:       "‖",
	StateStopped:      "■",
	StateTransitional: "◆",
	StateService:      "◇",
	StateUnknown:      "?",
}

// stateText is the glyph and word for a run state.
func StateText(runState string) string {
	w := termsafe.Line(runState)
	if w == "" {
		w = "unknown"
	}
	return stateGlyphs[ClassifyRunState(runState)] + " " + w
}

func StateStyle(st *themes.Styles, runState string) themes.Ink {
	switch ClassifyRunState(runState) {
	case StateRunning, StateService:
		return st.Running
	case StatePaused:
		return st.Paused
	case StateStopped:
		return st.Stopped
	case StateTransitional:
		return st.Transitional
	}
	return st.UnknownState
}

// VMStateText is a VM's run state as far as it is known now: QEMU's own
// while connected; "■ quit" (or how else QEMU said it ended) once it has
// exited; while the connection is lost, the last known state marked "?"
// with how long ago it was confirmed ("? running 12s"); "· —" when
// nothing is known.
func VMStateText(v *model.VMSnapshot, now time.Time) string {
	switch {
	case v.Conn == model.ConnConnected:
		return StateText(v.RunState)
	case v.Exit != "":
		return stateGlyphs[StateStopped] + " " + ExitWord(v.Exit)
	case v.RunState == "":
		return "· —"
	}
	s := stateGlyphs[StateUnknown] + " " + termsafe.Line(v.RunState)
	if !v.StateAt.IsZero() {
		s += " " + Age(now.Sub(v.StateAt))
	}
	return s
}

// VMStateStyle colours VMStateText: a last known state is drawn as
// unknown, whatever it was.
func VMStateStyle(st *themes.Styles, v *model.VMSnapshot) themes.Ink {
	switch {
	case v.Conn == model.ConnConnected:
		return StateStyle(st, v.RunState)
	case v.Exit != "":
		return st.Stopped
	case v.RunState == "":
		return st.Muted
	}
	return st.UnknownState
}

// StateTextIsLastKnown says whether VMStateText shows a state that is not
// confirmed now (and so carries an age, or says how QEMU ended).
func StateTextIsLastKnown(v *model.VMSnapshot) bool {
	return v.Conn != model.ConnConnected && (v.RunState != "" || v.Exit != "")
}

// ExitWord says in a word how QEMU ended, from the SHUTDOWN event's reason.
func ExitWord(reason string) string {
	switch reason {
	case "host-qmp-quit":
		return "quit"
	case "host-signal":
		return "terminated"
	case "guest-shutdown":
		return "shut down"
	case "guest-panic":
		return "panicked"
	}
	return "exited"
}

// connText is the glyph and word for a connection state; short is for the
// fleet table.
func ConnText(v *model.VMSnapshot, short bool) string {
	var s string
	switch v.Conn {
	case model.ConnConnected:
		s = "● up"
		if !short {
			s = "● connected"
		}
		if v.Stale {
			s = "◐ stale"
		}
	case model.ConnConnecting:
		s = "◌ connecting"
		if short {
			s = "◌ dial"
		}
	case model.ConnRetrying:
		s = "↻ retry"
		if v.Attempt > 0 {
			s += " " + strconv.Itoa(v.Attempt)
		}
	case model.ConnGone:
		s = "✕ gone"
	case model.ConnClosed:
		s = "○ closed"
	default:
		s = "? " + v.Conn.String()
	}
	return s
}

func ConnStyle(st *themes.Styles, v *model.VMSnapshot) themes.Ink {
	switch v.Conn {
	case model.ConnConnected:
		if v.Stale {
			return st.ConnBusy
		}
		return st.ConnUp
	case model.ConnConnecting, model.ConnRetrying:
		return st.ConnBusy
	case model.ConnClosed:
		return st.Muted // QEMU ended as asked: nothing is wrong
	}
	return st.ConnDown
}

// StateCounts are the fleet's VMs by state, for the status bar; Daemons
// counts the storage daemons that answer.
type StateCounts struct {
	Running, Paused, Stopped, Other, Down, Daemons int
}

func CountStates(vms []model.VMSnapshot) StateCounts {
	var c StateCounts
	for i := range vms {
		v := &vms[i]
		if v.Conn != model.ConnConnected {
			if v.Exit != "" {
				c.Stopped++ // it quit, as asked: not down
			} else {
				c.Down++
			}
			continue
		}
		switch ClassifyRunState(v.RunState) {
		case StateRunning:
			c.Running++
		case StatePaused:
			c.Paused++
		case StateStopped:
			c.Stopped++
		case StateService:
			c.Daemons++
		default:
			c.Other++
		}
	}
	return c
}
