package palette

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/qmpdash/qmpdash/internal/termsafe"
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/themes"
	"github.com/qmpdash/qmpdash/ui/dialog"
)

// Pending is a checked choice, ready to run: a QMP command for a VM, or a
// local action for the UI itself.
type Pending struct {
	Action ActionID
	Title  string // the action's title, for the y/N question
	// ReplyTitle names the result when it is not the action's title (a
	// raw QMP command's name, "HMP info block").
	ReplyTitle string
	VMID       string
	VMName     string // display name
	Command    string
	Args       json.RawMessage
	// Agent sends Command to the VM's guest agent, not its monitor.
	Agent bool
	// ShowReply opens the reply in the viewer (raw QMP, HMP).
	ShowReply bool
	// Input is what was typed at the prompt, for the history.
	Input string
	// Local is set for actions the UI carries out itself.
	Local Local
	// Target is what the action acts on inside the VM (a device, job or
	// drive id), "" for the VM itself.
	Target string
	// Question is the y/N question for a destructive action: what, on
	// what, and what follows (confirm.go).
	Question dialog.Question
}

// LocalKind names what a local action does.
type LocalKind int

const (
	LocalNone LocalKind = iota
	LocalTheme
	LocalInterval
	LocalMouse
	LocalQuit
	LocalReconnect // the selected VM (Pending.VMID), at once
)

// Local is an action the UI carries out without QEMU.
type Local struct {
	Kind     LocalKind
	Theme    themes.Theme  // LocalTheme
	Interval time.Duration // LocalInterval
}

// buildPending checks the input for act and returns what to run, or an
// error message for the palette.
func (p *Model) buildPending(act *action, input string) (Pending, string) {
	pd := Pending{Action: act.id, Title: act.title, Command: act.command, Input: strings.TrimSpace(input)}
	in := pd.Input
	var vm *model.VMSnapshot
	if act.vm {
		v, name, ok := p.vm()
		if !ok {
			return pd, "the VM is gone from the fleet"
		}
		vm = v
		pd.VMID, pd.VMName = v.ID, name
	}
	if act.prompt != "" && in == "" && act.id != ActQMP {
		return pd, act.prompt + " is empty"
	}
	switch act.id {
	case ActBalloon:
		n, err := parseSize(in)
		if err != nil {
			return pd, err.Error()
		}
		pd.Args = mustJSON(map[string]any{"value": n})
	case ActEject:
		pd.Args, pd.Target = ejectArgs(vm, in), in
	case ActDeviceDel:
		pd.Args = mustJSON(map[string]any{"id": in})
		pd.Target = in
	case ActMedium:
		args, msg := mediumArgs(vm, in)
		if msg != "" {
			return pd, msg
		}
		pd.Args, pd.Target = args, strings.Fields(in)[0]
	case ActJobDone, ActJobCancel, ActJobPause, ActJobResume:
		pd.Args, pd.Target = mustJSON(map[string]any{"id": in}), in
	case ActGuestDown, ActGuestBoot:
		if p.env.ReadOnly && !model.AgentReadOnlyAllows(act.command) {
			return pd, "read-only mode: " + act.command + " is not sent to the guest agent"
		}
		pd.Agent, pd.Args = true, mustJSON(map[string]any{"mode": act.mode})
	case ActScreendump:
		pd.Args = mustJSON(map[string]any{"filename": in})
	case ActHMP:
		pd.Args = mustJSON(map[string]any{"command-line": in})
		pd.ShowReply = true
		pd.ReplyTitle = "HMP " + in
	case ActQMP:
		name, args, err := parseRawQMP(in)
		if err != nil {
			return pd, err.Error()
		}
		if p.env.ReadOnly && !model.ReadOnlyAllows(name) {
			return pd, "read-only mode: " + name + " is not sent (only " + model.ReadOnlyRule + " are)"
		}
		if msg := p.checkArgs(in, pd.VMID, name, args); msg != "" {
			return pd, msg
		}
		pd.Command, pd.Args, pd.ShowReply = name, args, true
		pd.ReplyTitle = name
		if name == "device_del" {
			var a struct {
				ID string `json:"id"`
			}
			if json.Unmarshal(args, &a) == nil {
				pd.Target = a.ID
			}
		}
	case ActTheme:
		t, err := themes.Get(in)
		if err != nil {
			return pd, err.Error()
		}
		pd.Local = Local{Kind: LocalTheme, Theme: t}
	case ActInterval:
		d, err := parseInterval(in)
		if err != nil {
			return pd, err.Error()
		}
		pd.Local = Local{Kind: LocalInterval, Interval: d}
	case ActMouse:
		pd.Local = Local{Kind: LocalMouse}
	case ActQuit:
		pd.Local = Local{Kind: LocalQuit}
	case ActReconnect:
		pd.Local = Local{Kind: LocalReconnect}
	}
	pd.Question = question(act, &pd, vm)
	return pd, ""
}

// checkArgs checks a raw command's arguments against the VM's schema and
// says why it is not sent yet, or "". No raw command is sent unchecked:
// while the schema is being fetched the palette waits ("checking…", and
// Refresh runs the check again when the fleet changes); when the schema
// cannot be had, the command is refused, and enter asks again.
func (p *Model) checkArgs(input, vmID, name string, args json.RawMessage) string {
	p.checking = ""
	err := p.env.Schema.ValidateArgs(vmID, name, args)
	var unavailable *model.SchemaUnavailableError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, model.ErrSchemaPending):
		p.checking = input
		return "checking " + name + " against the VM's QMP schema… (sent once it fits; esc cancels)"
	case errors.As(err, &unavailable):
		return "not sent: arguments cannot be checked, " + termsafe.Line(err.Error()) + " (enter tries again)"
	}
	return "arguments rejected: " + termsafe.Line(err.Error())
}
