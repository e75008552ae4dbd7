package model

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/qmpdash/qmpdash/qmp"
)

// Sending commands to a VM's guest agent through the fleet: over the
// guest poller's own connection (an agent serves one client at a time,
// and the VM's chardev accepts one), so a command needs an agent that is
// answering. Read-only mode refuses every command AgentReadOnlyAllows
// does not, whoever asks.

// Errors of ExecuteAgent before anything is sent.
var (
	ErrNoAgent           = fmt.Errorf("no guest agent channel is known for this VM")
	ErrAgentNotConnected = fmt.Errorf("the guest agent is not connected (not answering)")
)

// ExecuteAgent sends one command to a VM's guest agent and waits for the
// reply, bounded by ctx (and the fleet's timeout when ctx has no
// deadline). guest-shutdown and guest-suspend-* do not reply on success:
// their silence is success (qmp.Agent.Shutdown), and the poller is asked
// to look again at once.
func (f *Fleet) ExecuteAgent(ctx context.Context, vmID, command string, args json.RawMessage) CommandResult {
	res := CommandResult{VMID: vmID, Command: command}
	fail := func(kind qmp.Kind, msg string) CommandResult {
		res.Err = ErrorInfo{Kind: kind, Message: msg, Time: f.cfg.Now()}
		return res
	}
	v := f.vm(vmID)
	if v == nil {
		return fail(KindOther, fmt.Sprintf("%s: %v", vmID, ErrUnknownVM))
	}
	if f.cfg.ReadOnly && !AgentReadOnlyAllows(command) {
		return fail(KindOther, fmt.Sprintf("read-only: %s was not sent to the guest agent (only %s are)", command, AgentReadOnlyRule))
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, f.cfg.Timeout)
		defer cancel()
	}
	// Our turn on the poller's connection: after its round, if one is
	// under way (a round is a few quick questions).
	select {
	case v.agentTurn <- struct{}{}:
	case <-ctx.Done():
		return fail(qmp.KindTimeout, "guest agent: busy with the poller's questions until the deadline; "+command+" was not sent")
	}
	defer func() { <-v.agentTurn }()
	a := v.liveAgent.Load()
	if a == nil {
		if p := v.agentPath.Load(); p == nil || *p == "" {
			return fail(KindOther, "guest agent: "+ErrNoAgent.Error())
		}
		return fail(qmp.KindConnect, "guest agent: "+ErrAgentNotConnected.Error())
	}
	var err error
	switch {
	case command == "guest-shutdown":
		var x struct {
			Mode string `json:"mode"`
		}
		if len(args) > 0 {
			if err := json.Unmarshal(args, &x); err != nil {
				return fail(KindOther, "guest-shutdown: bad arguments: "+err.Error())
			}
		}
		err = a.Shutdown(ctx, x.Mode)
	case strings.HasPrefix(command, "guest-suspend-"):
		err = a.Suspend(ctx, strings.TrimPrefix(command, "guest-suspend-"))
	default:
		var reply json.RawMessage
		var in any
		if len(args) > 0 {
			in = args
		}
		err = a.Execute(ctx, command, in, &reply)
		res.Reply = reply
	}
	res.Err = NewErrorInfo(err, f.cfg.Now())
	v.poke(v.guestKick)
	return res
}
