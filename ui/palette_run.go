package ui

import (
	"bytes"
	"encoding/json"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/qmpdash/qmpdash/internal/termsafe"
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/themes"
	"github.com/qmpdash/qmpdash/ui/dialog"
)

// Turning a palette choice into something to run, and running it. Local
// actions (theme, interval, mouse, quit) run in the UI; VM actions become a
// command that calls Source.Execute off the UI goroutine.

// buildPending checks the input for act and returns what to run, or an
// error message for the palette.
func (a *app) buildPending(act *action, input string) (pending, string) {
	pd := pending{act: act, command: act.command, input: strings.TrimSpace(input)}
	in := pd.input
	var vm *model.VMSnapshot
	if act.vm {
		v, ok := a.palVM()
		if !ok {
			return pd, "the VM is gone from the fleet"
		}
		vm = v
		pd.vmID, pd.vmName = v.ID, a.vmName(v.ID)
	}
	if act.prompt != "" && in == "" && act.id != actQMP {
		return pd, act.prompt + " is empty"
	}
	switch act.id {
	case actBalloon:
		n, err := parseSize(in)
		if err != nil {
			return pd, err.Error()
		}
		pd.args = mustJSON(map[string]any{"value": n})
	case actEject:
		pd.args = ejectArgs(vm, in)
	case actDeviceDel:
		pd.args = mustJSON(map[string]any{"id": in})
	case actScreendump:
		pd.args = mustJSON(map[string]any{"filename": in})
	case actHMP:
		pd.args = mustJSON(map[string]any{"command-line": in})
		pd.showReply = true
		pd.title = "HMP " + in
	case actQMP:
		name, args, err := parseRawQMP(in)
		if err != nil {
			return pd, err.Error()
		}
		if a.opts.ReadOnly && !strings.HasPrefix(name, "query-") {
			return pd, "read-only mode: only query-* commands may be sent"
		}
		if err := a.src.ValidateArgs(pd.vmID, name, args); err != nil {
			return pd, "arguments rejected: " + termsafe.Line(err.Error())
		}
		pd.command, pd.args, pd.showReply = name, args, true
		pd.title = name
	case actTheme:
		t, err := themes.Get(in)
		if err != nil {
			return pd, err.Error()
		}
		pd.local = func() tea.Cmd { return a.applyTheme(t) }
	case actInterval:
		d, err := parseInterval(in)
		if err != nil {
			return pd, err.Error()
		}
		src := a.src
		pd.local = func() tea.Cmd {
			a.pendingInterval = d
			return func() tea.Msg { src.SetInterval(d); return intervalSetMsg{d: d} }
		}
	case actMouse:
		pd.local = func() tea.Cmd {
			a.mouse = !a.mouse
			return a.setStatus(statusInfo, "mouse "+onOff(a.mouse))
		}
	case actQuit:
		pd.local = func() tea.Cmd { return tea.Quit }
	}
	return pd, ""
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// run records the action in the history and starts it.
func (a *app) run(pd pending) tea.Cmd {
	a.hist.use(pd.act.id, pd.input)
	a.histGen++
	save := a.saveHistory()
	if pd.local != nil {
		return tea.Batch(save, pd.local())
	}
	a.inflight++
	a.log.Debug("sending", "vm", pd.vmID, "command", pd.command)
	src, ctx := a.src, a.ctx
	title := pd.act.title
	if pd.title != "" {
		title = pd.title
	}
	msg := resultMsg{act: pd.act.id, title: title, vmID: pd.vmID, vmName: pd.vmName,
		showReply: pd.showReply}
	command, args := pd.command, pd.args
	exec := func() tea.Msg {
		msg.res = src.Execute(ctx, msg.vmID, command, args)
		return msg
	}
	return tea.Batch(save, exec)
}

func (a *app) saveHistory() tea.Cmd {
	if a.opts.HistoryFile == "" {
		return nil
	}
	store, gen, h := a.histStore, a.histGen, a.hist.clone()
	return func() tea.Msg { return historySavedMsg{err: store.save(gen, h)} }
}

// onResult shows an action's outcome: the error with its class, or done;
// replies of raw commands open in the viewer.
func (a *app) onResult(m resultMsg) tea.Cmd {
	a.inflight = max(0, a.inflight-1)
	a.log.Debug("result", "vm", m.vmID, "command", m.res.Command, "kind", m.res.Err.Kind, "class", m.res.Err.Class)
	if !m.res.Err.IsZero() {
		return a.showError(m.vmName, m.res.Err)
	}
	if m.showReply {
		a.stack.Push(dialog.NewViewer(&a.keys, m.title+" · "+m.vmName, replyText(m.act, m.res.Reply)), a.w, a.h)
	}
	return a.setStatus(statusOK, m.title+" on "+m.vmName+": done")
}

// replyText pretty-prints a reply; HMP's reply is a JSON string of text.
func replyText(act actionID, raw json.RawMessage) string {
	if act == actHMP {
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

// updateHint refreshes the line under the prompt: completions or the
// command's arguments.
func (a *app) updateHint() {
	p := &a.pal
	p.hint = ""
	switch p.act.id {
	case actTheme:
		p.hint = helpThemeNames()
	case actEject:
		if devs := a.removableDevices(); len(devs) > 0 {
			p.hint = "removable: " + strings.Join(devs, ", ")
		}
	case actQMP:
		a.qmpHint()
	}
}

func (a *app) removableDevices() []string {
	v, ok := a.palVM()
	if !ok {
		return nil
	}
	var out []string
	for _, b := range v.Blocks {
		if !b.Removable {
			continue
		}
		name := b.Device
		if name == "" {
			name = b.QDev
		}
		if name != "" {
			out = append(out, termsafe.Line(termsafe.Clip(name, 128)))
		}
	}
	return out
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
