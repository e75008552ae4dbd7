package palette

import (
	"cmp"
	"strings"

	"github.com/qmpdash/qmpdash/internal/termsafe"
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/themes"
	"github.com/qmpdash/qmpdash/ui/render"
)

// Tab completion in the palette's prompts: QMP command names (from
// Source.CommandNames) and argument names (from Source.CommandArgs) for the
// raw QMP prompt, removable drives for eject and change-medium, device ids
// for delete-device, job ids for the job actions, theme names for the
// theme prompt: all from the VM's last snapshot.

const maxHintNames = 8

// complete handles the actions action.completes names (the help line
// offers tab only for those).
func (p *Model) complete() {
	val := p.prompt.Value()
	switch p.act.id {
	case ActQMP:
		p.completeQMP(val)
	case ActEject:
		p.completeWord(val, p.removableDevices())
	case ActMedium:
		if strings.ContainsRune(strings.TrimLeft(val, " "), ' ') {
			p.msg = "tab completes the device; type the image file's path"
			return
		}
		p.completeWord(val, p.removableDevices())
		if m := p.prompt.Value(); len(withPrefix(p.removableDevices(), m)) == 1 && m != "" {
			p.prompt.SetValue(m + " ")
		}
	case ActDeviceDel:
		p.completeWord(val, p.deviceIDs())
	case ActJobDone, ActJobCancel, ActJobPause, ActJobResume:
		p.completeWord(val, p.jobIDs())
	case ActTheme:
		p.completeWord(val, themes.Names())
	}
}

// deviceIDs are the VM's devices that have an id (QOM's peripherals).
func (p *Model) deviceIDs() []string {
	return vmNames(p, func(v *model.VMSnapshot) []model.Device { return v.Devices },
		func(d model.Device) string { return d.ID })
}

// jobIDs are the VM's block jobs.
func (p *Model) jobIDs() []string {
	return vmNames(p, func(v *model.VMSnapshot) []model.BlockJob { return v.Jobs },
		func(j model.BlockJob) string { return j.Device })
}

// removableDevices are the VM's drives with removable media, by device
// name, else by qdev path.
func (p *Model) removableDevices() []string {
	return vmNames(p, func(v *model.VMSnapshot) []model.BlockDevice { return v.Blocks },
		func(b model.BlockDevice) string {
			if !b.Removable {
				return ""
			}
			return cmp.Or(b.Device, b.QDev)
		})
}

// vmNames are the names of the selected VM's items (of, from its last
// snapshot) that name gives one; none without a VM. Completion puts a name
// into the prompt and from there it is sent, so only names that are safe
// to show as they are (cleaning would change nothing) are offered: one
// that cleaning changed would be sent as a different id.
func vmNames[T any](p *Model, of func(*model.VMSnapshot) []T, name func(T) string) []string {
	v, _, ok := p.vm()
	if !ok {
		return nil
	}
	var out []string
	for _, it := range of(v) {
		if n := name(it); n != "" && termsafe.Line(termsafe.Clip(n, 128)) == n {
			out = append(out, n)
		}
	}
	return out
}

// completeWord completes the whole input from candidates.
func (p *Model) completeWord(val string, cands []string) {
	matches := withPrefix(cands, val)
	switch len(matches) {
	case 0:
		p.msg = "no completion for " + quote(val)
	case 1:
		p.prompt.SetValue(matches[0])
	default:
		p.prompt.SetValue(commonPrefix(matches))
		p.hint = hintList(matches)
	}
}

func (p *Model) completeQMP(val string) {
	name, rest, hasRest := splitCommand(val)
	if !hasRest {
		names := p.commandNames()
		if names == nil {
			p.msg = "command names unknown yet (query-commands has not answered)"
			return
		}
		matches := withPrefix(names, name)
		switch len(matches) {
		case 0:
			p.msg = "no command starts with " + quote(name)
		case 1:
			p.prompt.SetValue(matches[0] + " ")
			p.qmpHint()
		default:
			p.prompt.SetValue(commonPrefix(matches))
			p.hint = hintList(matches)
		}
		return
	}
	specs, ok := p.env.Schema.CommandArgs(p.vmID, name)
	if !ok {
		p.msg = "arguments of " + quote(name) + " unknown (no schema)"
		return
	}
	if strings.TrimSpace(rest) == "" {
		p.prompt.SetValue(strings.TrimRight(val, " ") + " {")
		p.qmpHint()
		return
	}
	// The word being typed: identifier characters after '{' or ',', with
	// an optional opening quote.
	i := len(val)
	for i > 0 && isArgChar(val[i-1]) {
		i--
	}
	partial := val[i:]
	j := i
	if j > 0 && val[j-1] == '"' {
		j--
	}
	k := j
	for k > 0 && val[k-1] == ' ' {
		k--
	}
	if k == 0 || (val[k-1] != '{' && val[k-1] != ',') {
		p.msg = "tab completes argument names after { or ,"
		return
	}
	var cands []string
	for _, s := range specs {
		if !strings.Contains(rest, `"`+s.Name+`"`) {
			cands = append(cands, s.Name)
		}
	}
	matches := withPrefix(cands, partial)
	switch len(matches) {
	case 0:
		p.msg = "no more arguments match " + quote(partial)
	case 1:
		p.prompt.SetValue(val[:j] + `"` + matches[0] + `": `)
	default:
		if cp := commonPrefix(matches); cp != partial {
			p.prompt.SetValue(val[:j] + `"` + cp)
		}
		p.hint = hintList(matches)
	}
}

// qmpHint shows the arguments of the command typed so far, or how many
// commands match the name being typed.
func (p *Model) qmpHint() {
	name, _, hasRest := splitCommand(p.prompt.Value())
	if name == "" {
		if n := len(p.commandNames()); n > 0 {
			p.hint = render.Itoa(n) + " commands; tab completes"
		}
		return
	}
	if !hasRest {
		if m := withPrefix(p.commandNames(), name); len(m) > 1 {
			p.hint = hintList(m)
		}
		return
	}
	specs, ok := p.env.Schema.CommandArgs(p.vmID, name)
	if !ok {
		return
	}
	if len(specs) == 0 {
		p.hint = name + " takes no arguments"
		return
	}
	p.hint = "args: " + argList(specs)
}

// commandNames are the selected VM's commands; read-only mode offers only
// those model.ReadOnlyAllows.
func (p *Model) commandNames() []string {
	names := p.env.Schema.CommandNames(p.vmID)
	if names == nil || !p.env.ReadOnly {
		return names
	}
	out := []string{}
	for _, n := range names {
		if model.ReadOnlyAllows(n) {
			out = append(out, n)
		}
	}
	return out
}

func argList(specs []model.ArgSpec) string {
	parts := make([]string, 0, len(specs))
	for _, s := range specs {
		n := termsafe.Line(s.Name)
		if s.Optional {
			n += "?"
		}
		parts = append(parts, n+":"+termsafe.Line(s.Type))
	}
	return strings.Join(parts, ", ")
}

// splitCommand splits "name rest"; hasRest says whether the name is finished.
func splitCommand(val string) (name, rest string, hasRest bool) {
	val = strings.TrimLeft(val, " ")
	i := strings.IndexAny(val, " {")
	if i < 0 {
		return val, "", false
	}
	return val[:i], val[i:], true
}

func isArgChar(c byte) bool {
	return c == '-' || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func withPrefix(list []string, prefix string) []string {
	var out []string
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			out = append(out, s)
		}
	}
	return out
}

func commonPrefix(list []string) string {
	if len(list) == 0 {
		return ""
	}
	p := list[0]
	for _, s := range list[1:] {
		for !strings.HasPrefix(s, p) {
			p = p[:len(p)-1]
		}
	}
	return p
}

func hintList(list []string) string {
	if len(list) > maxHintNames {
		return strings.Join(sanitizeAll(list[:maxHintNames]), "  ") + "  … " + render.Itoa(len(list)-maxHintNames) + " more"
	}
	return strings.Join(sanitizeAll(list), "  ")
}

func sanitizeAll(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = termsafe.Line(termsafe.Clip(s, 128))
	}
	return out
}

func quote(s string) string { return `"` + termsafe.Line(termsafe.Clip(s, 128)) + `"` }

// updateHint refreshes the line under the prompt: completions or the
// command's arguments.
func (p *Model) updateHint() {
	p.hint = ""
	switch p.act.id {
	case ActTheme:
		p.hint = helpThemeNames()
	case ActEject, ActMedium:
		if devs := p.removableDevices(); len(devs) > 0 {
			p.hint = "removable: " + strings.Join(devs, ", ")
		} else {
			p.hint = "this VM reports no removable drive"
		}
	case ActDeviceDel:
		if ids := p.deviceIDs(); len(ids) > 0 {
			p.hint = "devices: " + hintList(ids)
		} else {
			p.hint = "no devices with an id known yet"
		}
	case ActJobDone, ActJobCancel, ActJobPause, ActJobResume:
		if ids := p.jobIDs(); len(ids) > 0 {
			p.hint = "jobs: " + hintList(ids)
		} else {
			p.hint = "this VM has no block jobs now"
		}
	case ActQMP:
		p.qmpHint()
	}
}
