package ui

import (
	"bytes"
	"encoding/json"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/qmpdash/qmpdash/internal/termsafe"
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/ui/dialog"
	"github.com/qmpdash/qmpdash/ui/palette"
)

// Opening the palette, and running what it chose: local actions (theme,
// interval, mouse, quit) run in the UI; VM actions become a command that
// calls Source.Execute off the UI goroutine; destructive ones ask y/N
// first.

// openPalette opens the palette on the selected VM.
func (a *app) openPalette() {
	env := palette.Env{Keys: &a.keys, Styles: &a.st, ReadOnly: a.opts.ReadOnly, Schema: a.src, VM: a.findVM}
	a.stack.Push(palette.Open(env, &a.hist, a.fleet.SelectedID()), a.w, a.h)
}

// openedPalette is the palette if it is open (on top or under a dialog).
func (a *app) openedPalette() (*palette.Model, bool) {
	p, ok := a.stack.Find("palette").(*palette.Model)
	return p, ok
}

// findVM finds a VM of the latest snapshot by id, with its display name.
func (a *app) findVM(id string) (*model.VMSnapshot, string, bool) {
	for i := range a.snap.VMs {
		if a.snap.VMs[i].ID == id {
			return &a.snap.VMs[i], a.vmName(id), true
		}
	}
	return nil, "", false
}

// chosen runs what the palette chose (it has closed), after a y/N
// question on the stack when it is destructive and Options.Confirm asks
// for one.
func (a *app) chosen(c palette.Chosen) tea.Cmd {
	pd := c.Pending
	if !c.Destructive || !a.opts.Confirm {
		return a.run(pd)
	}
	a.stack.Push(dialog.NewConfirm(&a.st, &a.keys, pd.Question,
		func() tea.Cmd { return a.run(pd) },
		func() tea.Cmd { return a.setStatus(statusInfo, "cancelled") }), a.w, a.h)
	return nil
}

// runLocal carries out an action the UI does itself (reconnect asks the
// fleet, not QEMU).
func (a *app) runLocal(pd palette.Pending) tea.Cmd {
	l := pd.Local
	switch l.Kind {
	case palette.LocalReconnect:
		return a.reconnect(pd.VMID)
	case palette.LocalTheme:
		return a.applyTheme(l.Theme)
	case palette.LocalInterval:
		a.pendingInterval = l.Interval
		src, d := a.src, l.Interval
		return func() tea.Msg { src.SetInterval(d); return intervalSetMsg{d: d} }
	case palette.LocalMouse:
		a.mouse = !a.mouse
		return a.setStatus(statusInfo, "mouse "+onOff(a.mouse))
	case palette.LocalQuit:
		return tea.Quit
	}
	return nil
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// run records the action in the history and starts it.
func (a *app) run(pd palette.Pending) tea.Cmd {
	a.hist.Use(pd.Action, pd.Input)
	a.histGen++
	save := a.saveHistory()
	if pd.Local.Kind != palette.LocalNone {
		return tea.Batch(save, a.runLocal(pd))
	}
	a.inflight++
	a.log.Debug("sending", "vm", pd.VMID, "command", pd.Command)
	src, ctx := a.src, a.ctx
	title := pd.Title
	if pd.ReplyTitle != "" {
		title = pd.ReplyTitle
	}
	msg := resultMsg{act: pd.Action, title: title, vmID: pd.VMID, vmName: pd.VMName,
		showReply: pd.ShowReply, target: pd.Target}
	command, args := pd.Command, pd.Args
	exec := func() tea.Msg {
		msg.res = src.Execute(ctx, msg.vmID, command, args)
		return msg
	}
	if pd.Agent {
		msg.agent = true
		if a.opts.ReadOnly && !model.AgentReadOnlyAllows(command) { // the palette disables it; never sent
			a.inflight--
			return tea.Batch(save, a.setStatus(statusInfo, "read-only mode: "+command+" is not sent to the guest agent"))
		}
		exec = func() tea.Msg {
			msg.res = src.ExecuteAgent(ctx, msg.vmID, command, args)
			return msg
		}
	}
	return tea.Batch(save, exec)
}

// reconnect asks the fleet to try the VM's connection now.
func (a *app) reconnect(vmID string) tea.Cmd {
	if vmID == "" {
		return a.setStatus(statusInfo, "no VM selected")
	}
	src, name := a.src, a.vmName(vmID)
	return func() tea.Msg {
		kicked, err := src.Reconnect(vmID)
		return reconnectMsg{vmName: name, kicked: kicked, err: err}
	}
}

func (a *app) onReconnect(m reconnectMsg) tea.Cmd {
	switch {
	case m.err != nil:
		return a.showError(m.vmName, model.ErrorInfo{Kind: model.KindOther, Message: m.err.Error(), Time: a.now()})
	case m.kicked:
		return a.setStatus(statusInfo, "reconnecting "+m.vmName+" now")
	}
	return a.setStatus(statusInfo, m.vmName+" is connected: nothing to reconnect")
}

func (a *app) saveHistory() tea.Cmd {
	if a.opts.HistoryFile == "" {
		return nil
	}
	store, gen, h := a.histStore, a.histGen, a.hist.Clone()
	return func() tea.Msg { return historySavedMsg{err: store.Save(gen, h)} }
}

// onResult shows an action's outcome: the error with its class, or done;
// replies of raw commands open in the viewer. A device_del QEMU accepted
// is only requested (unplugs.go).
func (a *app) onResult(m resultMsg) tea.Cmd {
	a.inflight = max(0, a.inflight-1)
	a.log.Debug("result", "vm", m.vmID, "command", m.res.Command, "kind", m.res.Err.Kind, "class", m.res.Err.Class)
	if !m.res.Err.IsZero() {
		return a.showError(m.vmName, m.res.Err)
	}
	if m.showReply {
		a.stack.Push(dialog.NewViewer(&a.keys, m.title+" · "+m.vmName, replyText(m.act, m.res.Reply)), a.w, a.h)
	}
	if m.res.Command == "device_del" && m.target != "" {
		return a.unplugRequested(m)
	}
	if m.agent && m.res.Command == "guest-shutdown" {
		// The agent never replies to it: sent is all that is known.
		watch := "the run state"
		if m.act == palette.ActGuestBoot {
			watch = "a RESET event"
		}
		return a.setStatus(statusOK, m.title+" on "+m.vmName+": asked (the agent does not confirm; watch for "+watch+")")
	}
	return a.setStatus(statusOK, m.title+" on "+m.vmName+": done")
}

// replyText pretty-prints a reply; HMP's reply is a JSON string of text.
func replyText(act palette.ActionID, raw json.RawMessage) string {
	if act == palette.ActHMP {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			if strings.TrimSpace(s) == "" {
				return "(no output)"
			}
			return termsafe.Text(s)
		}
	}
	if len(raw) == 0 {
		return "(empty reply)"
	}
	return termsafe.Text(prettyJSON(raw))
}

// maxReplyBytes bounds a reply shown in the viewer.
const maxReplyBytes = 4 << 20

func prettyJSON(raw json.RawMessage) string {
	if len(raw) > maxReplyBytes {
		return string(raw[:maxReplyBytes]) + "\n… (reply cut at 4 MiB)"
	}
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return string(raw)
	}
	return b.String()
}
