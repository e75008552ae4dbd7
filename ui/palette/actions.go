package palette

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/themes"
)

// The palette's actions. Each knows what it sends (read-only mode disables
// an action whose command model.ReadOnlyAllows refuses), whether it is
// destructive (asks y/N), and what it prompts for.

// ActionID names a palette action; the history file stores these.
type ActionID string

// The actions, by the ids the history file keeps.
const (
	ActPause      ActionID = "pause"
	ActResume     ActionID = "resume"
	ActReset      ActionID = "reset"
	ActPowerdown  ActionID = "powerdown"
	ActQuitVM     ActionID = "quit-vm"
	ActBalloon    ActionID = "balloon"
	ActEject      ActionID = "eject"
	ActDeviceDel  ActionID = "device-del"
	ActMedium     ActionID = "change-medium"
	ActJobDone    ActionID = "job-complete"
	ActJobCancel  ActionID = "job-cancel"
	ActJobPause   ActionID = "job-pause"
	ActJobResume  ActionID = "job-resume"
	ActMigCancel  ActionID = "migrate-cancel"
	ActGuestDown  ActionID = "guest-shutdown"
	ActGuestBoot  ActionID = "guest-reboot"
	ActScreendump ActionID = "screendump"
	ActHMP        ActionID = "hmp"
	ActQMP        ActionID = "qmp"
	ActReconnect  ActionID = "reconnect"
	ActTheme      ActionID = "theme"
	ActInterval   ActionID = "interval"
	ActMouse      ActionID = "mouse"
	ActQuit       ActionID = "quit"
)

type action struct {
	id          ActionID
	title       string
	command     string // the QMP command it sends, "" for local actions
	agent       bool   // command goes to the VM's guest agent, not its monitor
	mode        string // guest-shutdown's mode
	vm          bool   // acts on the selected VM
	destructive bool   // asks y/N first when Options.Confirm
	prompt      string // what the prompt asks for; "" runs at once
	placeholder string
}

var actions = []action{
	{id: ActPause, title: "Pause VM", command: "stop", vm: true},
	{id: ActResume, title: "Resume VM", command: "cont", vm: true},
	{id: ActReset, title: "Reset VM", command: "system_reset", vm: true, destructive: true},
	{id: ActPowerdown, title: "Power down VM (ACPI)", command: "system_powerdown", vm: true, destructive: true},
	{id: ActQuitVM, title: "Quit VM (terminate QEMU)", command: "quit", vm: true, destructive: true},
	{id: ActBalloon, title: "Set balloon target", command: "balloon", vm: true,
		prompt: "size", placeholder: "e.g. 512M or 1G (bare number = MiB)"},
	{id: ActEject, title: "Eject removable medium", command: "eject", vm: true, destructive: true,
		prompt: "device", placeholder: "device or qdev id (tab completes)"},
	{id: ActMedium, title: "Change removable medium", command: "blockdev-change-medium", vm: true, destructive: true,
		prompt: "device file", placeholder: "cd0 /path/to/image.iso [format]  (tab completes the device)"},
	{id: ActDeviceDel, title: "Delete device", command: "device_del", vm: true, destructive: true,
		prompt: "id", placeholder: "device id (tab completes)"},
	{id: ActJobDone, title: "Complete block job", command: "job-complete", vm: true, destructive: true,
		prompt: "job", placeholder: "job id (tab completes)"},
	{id: ActJobCancel, title: "Cancel block job", command: "job-cancel", vm: true, destructive: true,
		prompt: "job", placeholder: "job id (tab completes)"},
	{id: ActJobPause, title: "Pause block job", command: "job-pause", vm: true,
		prompt: "job", placeholder: "job id (tab completes)"},
	{id: ActJobResume, title: "Resume block job", command: "job-resume", vm: true,
		prompt: "job", placeholder: "job id (tab completes)"},
	{id: ActMigCancel, title: "Cancel migration", command: "migrate_cancel", vm: true, destructive: true},
	{id: ActGuestDown, title: "Shut down guest", command: "guest-shutdown", agent: true, mode: "powerdown", vm: true, destructive: true},
	{id: ActGuestBoot, title: "Reboot guest", command: "guest-shutdown", agent: true, mode: "reboot", vm: true, destructive: true},
	{id: ActScreendump, title: "Screendump to file", command: "screendump", vm: true,
		prompt: "file", placeholder: "/tmp/screen.ppm (written by QEMU on its host)"},
	{id: ActHMP, title: "HMP command", command: "human-monitor-command", vm: true,
		prompt: "hmp", placeholder: "e.g. info block"},
	{id: ActQMP, title: "QMP command", vm: true,
		prompt: "qmp", placeholder: `command-name {"arg": value}  (tab completes)`},
	{id: ActReconnect, title: "Reconnect now", vm: true},
	{id: ActTheme, title: "Switch theme", prompt: "theme", placeholder: strings.Join(themes.Names(), " | ")},
	{id: ActInterval, title: "Change poll interval", prompt: "interval", placeholder: "e.g. 500ms, 2s (100ms..1h)"},
	{id: ActMouse, title: "Toggle mouse capture"},
	{id: ActQuit, title: "Quit qmpdash"},
}

func findAction(id ActionID) *action {
	for i := range actions {
		if actions[i].id == id {
			return &actions[i]
		}
	}
	return nil
}

// searchText is what the fuzzy filter matches an action against.
func (a *action) searchText() string {
	if a.agent {
		return a.title + " (agent: " + a.command + " " + a.mode + ")"
	}
	if a.command != "" {
		return a.title + " (" + a.command + ")"
	}
	return a.title
}

// completes says whether tab completes this action's prompt (see complete).
func (a *action) completes() bool {
	switch a.id {
	case ActQMP, ActEject, ActTheme, ActMedium, ActDeviceDel, ActJobDone, ActJobCancel, ActJobPause, ActJobResume:
		return true
	}
	return false
}

// disabledReason says why an action cannot run now, or "". offered is
// the VM's command list as a set (nil while unknown: then nothing is
// refused for it), so an action the QEMU lacks (an older QEMU, a storage
// daemon, a simulated VM) is not offered.
// guest is the VM's guest agent state, for the agent's actions (nil
// without a VM).
func (a *action) disabledReason(readOnly, haveVM bool, offered map[string]bool, guest *model.Guest) string {
	switch {
	case a.agent:
		return a.agentDisabled(readOnly, guest)
	case readOnly && a.command != "" && !model.ReadOnlyAllows(a.command):
		return "read-only mode"
	case a.vm && !haveVM:
		return "no VM selected"
	case a.vm && a.command != "" && offered != nil && !offered[a.command]:
		return "this QEMU does not offer " + a.command
	}
	return ""
}

// agentDisabled says why an action through the guest agent cannot run:
// read-only mode (the agent's own rule), or no agent that answers.
func (a *action) agentDisabled(readOnly bool, guest *model.Guest) string {
	switch {
	case readOnly && !model.AgentReadOnlyAllows(a.command):
		return "read-only mode"
	case guest == nil:
		return "no VM selected"
	case guest.State == model.GuestNone:
		return "no guest agent known for this VM"
	case guest.State == model.GuestChecking:
		return "asking the guest agent…"
	case guest.PortClosed:
		return "no agent running in the guest (port closed)"
	case guest.State == model.GuestNotAnswering:
		return "the guest agent is not answering"
	}
	return ""
}

// destructiveCommands ask y/N even when typed as raw QMP.
var destructiveCommands = map[string]bool{
	"system_reset": true, "system_powerdown": true, "quit": true, "device_del": true,
	"eject": true, "blockdev-del": true, "object-del": true, "migrate": true, "loadvm": true,
}

// parseRawQMP splits "command-name {json}" and checks the JSON is an object.
// Nothing is sent when this fails.
func parseRawQMP(line string) (name string, args json.RawMessage, err error) {
	line = strings.TrimSpace(line)
	if line == "" {
		return "", nil, errors.New("type a command name, e.g. query-status")
	}
	name, rest, _ := strings.Cut(line, " ")
	if i := strings.IndexByte(name, '{'); i >= 0 { // "cmd{...}" without a space
		name, rest = name[:i], line[i:]
	}
	rest = strings.TrimSpace(rest)
	if rest == "" {
		return name, nil, nil
	}
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(strings.NewReader(rest))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil {
		return "", nil, fmt.Errorf("arguments are not a JSON object: %v", err)
	}
	if dec.More() {
		return "", nil, errors.New("arguments: unexpected text after the JSON object")
	}
	if obj == nil {
		return "", nil, errors.New("arguments must be a JSON object, not null")
	}
	return name, json.RawMessage(rest), nil
}

// ejectArgs names the device the way QEMU wants it: a legacy drive name
// as "device", anything else as the qdev "id".
func ejectArgs(vm *model.VMSnapshot, dev string) json.RawMessage {
	return mustJSON(driveArg(vm, dev))
}

// driveArg is the "device" or "id" member naming a drive (see ejectArgs).
func driveArg(vm *model.VMSnapshot, dev string) map[string]any {
	for _, b := range vm.Blocks {
		if b.Device != "" && b.Device == dev {
			return map[string]any{"device": dev}
		}
	}
	return map[string]any{"id": dev}
}

// mediumArgs parses "DEVICE FILE [FORMAT]" for blockdev-change-medium.
func mediumArgs(vm *model.VMSnapshot, in string) (json.RawMessage, string) {
	f := strings.Fields(in)
	if len(f) < 2 || len(f) > 3 {
		return nil, "type the device, then the image file (and optionally its format), e.g. cd0 /srv/iso/debian.iso raw"
	}
	a := driveArg(vm, f[0])
	a["filename"] = f[1]
	if len(f) == 3 {
		a["format"] = f[2]
	}
	return mustJSON(a), ""
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only called with maps of strings and numbers
	}
	return b
}

// Titles are the actions' titles, in the palette's own order.
func Titles() []string {
	out := make([]string, len(actions))
	for i := range actions {
		out[i] = actions[i].title
	}
	return out
}
