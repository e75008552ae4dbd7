package ui

import (
	"strconv"

	"github.com/qmpdash/qmpdash/internal/termsafe"
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/themes"
)

// Run and connection states are always printed as a glyph and a word; the
// colour only repeats what the word says.

type stateClass int

const (
	stateUnknown stateClass = iota
	stateRunning
	statePaused
	stateStopped
	stateTransitional
)

// classifyRunState groups QEMU's RunState values.
func classifyRunState(s string) stateClass {
	switch s {
	case "running":
		return stateRunning
	case "paused", "suspended":
		return statePaused
	case "shutdown", "guest-panicked", "internal-error", "io-error", "watchdog":
		return stateStopped
	case "prelaunch", "inmigrate", "postmigrate", "finish-migrate", "restore-vm", "save-vm", "debug", "colo":
		return stateTransitional
	}
	return stateUnknown
}

var stateGlyphs = map[stateClass]string{
	stateRunning:      "▶",
	statePaused:       "‖",
	stateStopped:      "■",
	stateTransitional: "◆",
	stateUnknown:      "?",
}

// stateText is the glyph and word for a run state.
func stateText(runState string) string {
	w := termsafe.Line(runState)
	if w == "" {
		w = "unknown"
	}
	return stateGlyphs[classifyRunState(runState)] + " " + w
}

func stateStyle(st *themes.Styles, runState string) themes.Ink {
	switch classifyRunState(runState) {
	case stateRunning:
		return st.Running
	case statePaused:
		return st.Paused
	case stateStopped:
		return st.Stopped
	case stateTransitional:
		return st.Transitional
	}
	return st.UnknownState
}

// connText is the glyph and word for a connection state; short is for the
// fleet table.
func connText(v *model.VMSnapshot, short bool) string {
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
	default:
		s = "? " + v.Conn.String()
	}
	return s
}

func connStyle(st *themes.Styles, v *model.VMSnapshot) themes.Ink {
	switch v.Conn {
	case model.ConnConnected:
		if v.Stale {
			return st.ConnBusy
		}
		return st.ConnUp
	case model.ConnConnecting, model.ConnRetrying:
		return st.ConnBusy
	}
	return st.ConnDown
}

// stateCounts are the fleet's VMs by state, for the status bar.
type stateCounts struct {
	running, paused, stopped, other, down int
}

func countStates(vms []model.VMSnapshot) stateCounts {
	var c stateCounts
	for i := range vms {
		v := &vms[i]
		if v.Conn != model.ConnConnected {
			c.down++
			continue
		}
		switch classifyRunState(v.RunState) {
		case stateRunning:
			c.running++
		case statePaused:
			c.paused++
		case stateStopped:
			c.stopped++
		default:
			c.other++
		}
	}
	return c
}
