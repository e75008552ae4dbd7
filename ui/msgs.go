package ui

import (
	"time"

	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/ui/eventlog"
	"github.com/qmpdash/qmpdash/ui/palette"
)

// Messages the dashboard sends itself. Commands never touch the model; they
// return one of these and Update applies it.
type (
	// fleetMsg carries a fresh snapshot, the events logged since the
	// last one and the own log of the VM selected when it was armed; the
	// waiting command is re-armed when it is applied.
	fleetMsg struct {
		snap    model.FleetSnapshot
		events  []model.LoggedEvent
		dropped uint64
		vm      eventlog.Fetch
	}
	// vmEventsMsg is an immediate read of one VM's own event log.
	vmEventsMsg eventlog.Fetch
	// fleetClosedMsg says the Changed channel closed: the fleet stopped.
	fleetClosedMsg struct{}
	// resultMsg is the outcome of an action sent to one VM.
	resultMsg struct {
		act    palette.ActionID
		title  string
		target string // the device, job or drive acted on, "" for the VM
		vmID   string
		vmName string
		res    model.CommandResult
		// showReply opens the reply in the viewer (raw QMP, HMP).
		showReply bool
		agent     bool // sent to the guest agent
	}
	// reconnectMsg says what Source.Reconnect did: cut a VM's wait short
	// (kicked), or nothing because it is connected.
	reconnectMsg struct {
		vmName string
		kicked bool
		err    error
	}
	// unplugCheckMsg looks again at a device_del request a while after
	// QEMU accepted it.
	unplugCheckMsg unplugKey
	// intervalSetMsg says Source.SetInterval returned.
	intervalSetMsg struct{ d time.Duration }
	// fadeMsg clears the status message if it is still the one tagged.
	fadeMsg struct{ tag int }
	// ageTickMsg redraws the ages of last known states; one is armed at
	// a time (ageTicking), and only while such an age is shown.
	ageTickMsg struct{}
	// historyLoadedMsg delivers the palette history read at start.
	historyLoadedMsg struct {
		h   palette.History
		err error
	}
	// historySavedMsg reports a failed history write (success is silent).
	historySavedMsg struct{ err error }
)
