package ui

import (
	"cmp"
	"encoding/json"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/qmpdash/qmpdash/internal/termsafe"
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/themes"
	"github.com/qmpdash/qmpdash/ui/dialog"
	"github.com/qmpdash/qmpdash/ui/lineinput"
	"github.com/qmpdash/qmpdash/ui/render"
	"github.com/sahilm/fuzzy"
)

// The command palette: a query over a fuzzy-filtered list of actions, then
// (for some actions) a prompt, then (for destructive ones) a y/N question.
// Errors found before sending (bad size, malformed JSON, schema mismatch)
// stay in the palette with the input, so the user can fix them; nothing is
// sent until everything checks out.

type palStage int

const (
	palList palStage = iota
	palPrompt
)

type palItem struct {
	act      *action
	matched  []int // byte offsets of matched characters in searchText
	disabled string
}

// rank puts the actions that can run now ahead of the disabled ones.
func (it palItem) rank() int {
	if it.disabled != "" {
		return 1
	}
	return 0
}

type palette struct {
	stage   palStage
	query   lineinput.Model
	items   []palItem
	cursor  int
	act     *action
	prompt  lineinput.Model
	vmID    string // the VM the palette acts on, fixed when it opens
	msg     string // the last error or hint
	hint    string // completion candidates or argument list
	histIdx int    // -1: not recalling
}

// pending is an action ready to run, kept while y/N is asked.
type pending struct {
	act       *action
	vmID      string
	vmName    string
	command   string
	args      json.RawMessage
	showReply bool
	input     string // what was typed at the prompt, for the history
	title     string // overrides the action's title in the result (raw commands)
	local     func() tea.Cmd
}

func (a *app) openPalette() {
	p := &a.pal
	// The target is fixed now: if the fleet re-sorts or the VM goes away
	// while the user types, the action must not land on another VM.
	*p = palette{histIdx: -1, vmID: a.fleet.SelectedID()}
	p.query.Prompt = ": "
	p.query.Placeholder = "type to search actions"
	a.filterPalette()
	a.stack.Push(paletteDialog{a}, a.w, a.h)
}

func (a *app) closePalette() {
	a.pal = palette{}
	a.stack.Remove("palette")
}

// paletteOpen says whether the palette is open (on top or under a dialog).
func (a *app) paletteOpen() bool { return a.stack.Open("palette") }

// palVM is the VM the open palette acts on, if it is still in the fleet.
func (a *app) palVM() (*model.VMSnapshot, bool) {
	if a.pal.vmID == "" {
		return nil, false
	}
	for i := range a.snap.VMs {
		if a.snap.VMs[i].ID == a.pal.vmID {
			return &a.snap.VMs[i], true
		}
	}
	return nil, false
}

// filterPalette orders the actions: those that can run now first, then
// the disabled ones; within each group by fuzzy score when there is a
// query, and recently used first (also among equal scores).
func (a *app) filterPalette() {
	p := &a.pal
	_, haveVM := a.palVM()
	q := strings.TrimSpace(p.query.Value())
	p.items = p.items[:0]
	score := map[*action]int{}
	if q == "" {
		for i := range actions {
			p.items = append(p.items, palItem{act: &actions[i]})
		}
	} else {
		texts := make([]string, len(actions))
		for i := range actions {
			texts[i] = actions[i].searchText()
		}
		for _, m := range fuzzy.Find(q, texts) {
			p.items = append(p.items, palItem{act: &actions[m.Index], matched: m.MatchedIndexes})
			score[&actions[m.Index]] = m.Score
		}
	}
	for i := range p.items {
		p.items[i].disabled = p.items[i].act.disabledReason(a.opts.ReadOnly, haveVM)
	}
	slices.SortStableFunc(p.items, func(x, y palItem) int {
		if c := cmp.Compare(x.rank(), y.rank()); c != 0 {
			return c
		}
		if c := cmp.Compare(score[y.act], score[x.act]); c != 0 {
			return c
		}
		return cmp.Compare(a.hist.rank(x.act.id), a.hist.rank(y.act.id))
	})
	p.cursor = max(0, min(p.cursor, len(p.items)-1))
}

func (a *app) updatePalette(msg tea.KeyPressMsg) tea.Cmd {
	p := &a.pal
	if p.stage == palPrompt {
		return a.updatePrompt(msg)
	}
	// Letters type into the query, so only keys that do not type move.
	switch a.tables.paletteList.Match(msg) {
	case "close":
		a.closePalette()
		return nil
	case "up":
		p.cursor = max(0, p.cursor-1)
		return nil
	case "down":
		p.cursor = max(0, min(len(p.items)-1, p.cursor+1))
		return nil
	case "run":
		if len(p.items) == 0 {
			return nil
		}
		return a.choose(p.items[p.cursor])
	}
	if p.query.HandleKey(msg) {
		p.msg = ""
		p.cursor = 0
		a.filterPalette()
	}
	return nil
}

// choose starts the selected action: refuse it, prompt for it, ask y/N, or run.
func (a *app) choose(it palItem) tea.Cmd {
	p := &a.pal
	if it.disabled != "" {
		p.msg = it.act.title + " is disabled: " + it.disabled
		return nil
	}
	p.act = it.act
	if it.act.prompt != "" {
		p.stage = palPrompt
		p.prompt = lineinput.Model{Prompt: it.act.prompt + ": ", Placeholder: it.act.placeholder}
		p.msg, p.hint, p.histIdx = "", "", -1
		a.updateHint()
		return nil
	}
	pd, err := a.buildPending(it.act, "")
	if err != "" {
		p.msg = err
		return nil
	}
	return a.confirmOrRun(pd, it.act.destructive)
}

// confirmOrRun closes the palette and runs pd, after a y/N question on
// the stack when it is destructive and Options.Confirm asks for one.
func (a *app) confirmOrRun(pd pending, destructive bool) tea.Cmd {
	a.closePalette()
	if !destructive || !a.opts.Confirm {
		return a.run(pd)
	}
	q := pd.act.title + " on " + pd.vmName
	if pd.command != "" {
		q += " (" + pd.command + ")"
	}
	a.stack.Push(dialog.NewConfirm(&a.st, &a.keys, q,
		func() tea.Cmd { return a.run(pd) },
		func() tea.Cmd { return a.setStatus(statusInfo, "cancelled") }), a.w, a.h)
	return nil
}

func (a *app) updatePrompt(msg tea.KeyPressMsg) tea.Cmd {
	p := &a.pal
	t := &a.tables.prompt
	if p.act.completes() {
		t = &a.tables.promptComplete
	}
	switch act := t.Match(msg); act {
	case "close":
		a.closePalette()
		return nil
	case "run":
		pd, err := a.buildPending(p.act, p.prompt.Value())
		if err != "" {
			p.msg = err
			return nil
		}
		destructive := p.act.destructive || (p.act.id == actQMP && destructiveCommands[pd.command])
		return a.confirmOrRun(pd, destructive)
	case "complete":
		a.complete()
		return nil
	case "earlier", "later":
		// Recall earlier inputs for this action.
		prev := a.hist.Inputs[string(p.act.id)]
		if len(prev) == 0 {
			return nil
		}
		if act == "earlier" {
			p.histIdx = min(p.histIdx+1, len(prev)-1)
		} else {
			p.histIdx = max(p.histIdx-1, -1)
		}
		if p.histIdx < 0 {
			p.prompt.SetValue("")
		} else {
			p.prompt.SetValue(prev[p.histIdx])
		}
		a.updateHint()
		return nil
	}
	if p.prompt.HandleKey(msg) {
		p.msg = ""
		a.updateHint()
	}
	return nil
}

// renderPalette draws the palette box's lines for a w-cell interior.
func (a *app) renderPalette(w, h int) (title string, lines []string) {
	p := &a.pal
	st := &a.st
	vmName := "no VM"
	if v, ok := a.palVM(); ok {
		vmName = a.vmName(v.ID)
	}
	switch p.stage {
	case palPrompt:
		title = p.act.title
		if p.act.vm {
			title += " · " + vmName
		}
		lines = append(lines, p.prompt.View(&st.Input, w, true))
		if p.hint != "" {
			lines = append(lines, st.Muted.Render(render.Trunc(p.hint, w)))
		}
		if p.msg != "" {
			lines = append(lines, a.palMsg(w))
		}
		return title, lines
	}
	title = "Commands · " + vmName
	lines = append(lines, p.query.View(&st.Input, w, true))
	room := max(1, h-2)
	start := 0
	if p.cursor >= room {
		start = p.cursor - room + 1
	}
	for i := start; i < len(p.items) && i < start+room; i++ {
		lines = append(lines, a.paletteItem(&p.items[i], i == p.cursor, w))
	}
	if len(p.items) == 0 {
		lines = append(lines, st.Muted.Render("no action matches"))
	}
	if p.msg != "" {
		lines = append(lines, a.palMsg(w))
	}
	return title, lines
}

func (a *app) palMsg(w int) string {
	return a.st.ErrOther.Render("✗ ") + render.Trunc(termsafe.Line(a.pal.msg), w-2)
}

func (a *app) paletteItem(it *palItem, sel bool, w int) string {
	st := &a.st
	text := it.act.searchText()
	var b strings.Builder
	mi := 0
	for i, r := range text {
		hit := mi < len(it.matched) && it.matched[mi] == i
		if hit {
			mi++
		}
		switch {
		case sel || it.disabled != "":
			b.WriteRune(r)
		case hit:
			b.WriteString(st.Match.Render(string(r)))
		default:
			b.WriteRune(r)
		}
	}
	line := b.String()
	if it.disabled != "" {
		line += "  (disabled: " + it.disabled + ")"
	}
	marker := "  "
	if sel {
		marker = "▸ "
	}
	line = render.Fit(marker+line, w)
	switch {
	case sel:
		return st.Selected.Render(line)
	case it.disabled != "":
		return st.Disabled.Render(line)
	}
	return line
}

// helpThemeNames is shown by the theme prompt.
func helpThemeNames() string { return "themes: " + strings.Join(themes.Names(), ", ") }
