// Package palette is the command palette: a query over a fuzzy-filtered
// list of actions, then (for some actions) a prompt with completion and
// recall of earlier inputs. Errors found before sending (a bad size,
// malformed JSON, a schema mismatch) stay in the palette with the input,
// so the user can fix them; nothing is sent until everything checks out.
// A finished choice goes to the root as Chosen, which asks y/N when it is
// destructive and runs it. The palette also keeps the history of recently
// used actions (History, Store).
//
// It is a dialog on the root's stack. It imports model, themes, keys,
// lineinput, render, dialog and termsafe; never ui or the other parts.
package palette

import (
	"cmp"
	"encoding/json"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/themes"
	"github.com/qmpdash/qmpdash/ui/dialog"
	"github.com/qmpdash/qmpdash/ui/keys"
	"github.com/qmpdash/qmpdash/ui/lineinput"
	"github.com/sahilm/fuzzy"
)

// Schema is what completion and the argument check ask of a VM's QMP
// schema (the root's Source answers it).
type Schema interface {
	// CommandNames lists the commands the VM accepts, sorted; nil if unknown yet.
	CommandNames(vmID string) []string
	// CommandArgs lists a command's arguments; ok=false if unknown.
	CommandArgs(vmID, command string) (args []model.ArgSpec, ok bool)
	// ValidateArgs checks arguments before anything is sent.
	ValidateArgs(vmID, command string, args json.RawMessage) error
}

// Env is what the palette is given by the root.
type Env struct {
	Keys     *keys.Map
	Styles   *themes.Styles
	ReadOnly bool
	Schema   Schema
	// VM finds a VM of the latest snapshot by id, with its display name.
	VM func(id string) (v *model.VMSnapshot, name string, ok bool)
}

// Chosen is the palette's answer to the root: run this (after a y/N
// question if Destructive and the user wants those). The palette is
// closed by then.
type Chosen struct {
	Pending     Pending
	Destructive bool
}

type stage int

const (
	stageList stage = iota
	stagePrompt
)

type item struct {
	act      *action
	matched  []int // byte offsets of matched characters in searchText
	disabled string
}

// rank puts the actions that can run now ahead of the disabled ones.
func (it item) rank() int {
	if it.disabled != "" {
		return 1
	}
	return 0
}

// Model is an open palette.
type Model struct {
	env     Env
	hist    *History
	stage   stage
	query   lineinput.Model
	items   []item
	cursor  int
	act     *action
	prompt  lineinput.Model
	vmID    string // the VM the palette acts on, fixed when it opens
	msg     string // the last error or hint
	hint    string // completion candidates or argument list
	histIdx int    // -1: not recalling
	// checking is the raw command input waiting for the VM's schema
	// before it can be checked and sent ("" when none is).
	checking string

	listTable, promptTable, completeTable keys.Table
}

// Open opens the palette on VM vmID ("" for none). The target is fixed
// now: if the fleet re-sorts or the VM goes away while the user types, the
// action must not land on another VM. hist ranks the actions and recalls
// earlier inputs; the root records what runs.
func Open(env Env, hist *History, vmID string) *Model {
	p := &Model{env: env, hist: hist, histIdx: -1, vmID: vmID,
		listTable: ListKeys(env.Keys), promptTable: PromptKeys(env.Keys, false), completeTable: PromptKeys(env.Keys, true)}
	p.query.Prompt = ": "
	p.query.Placeholder = "type to search actions"
	p.filter()
	return p
}

// vm is the VM the palette acts on, if it is still in the fleet.
func (p *Model) vm() (*model.VMSnapshot, string, bool) {
	if p.vmID == "" || p.env.VM == nil {
		return nil, "", false
	}
	return p.env.VM(p.vmID)
}

// Refresh re-filters the list after a new snapshot: the target VM may
// have gone, which disables the actions on it. A raw command waiting for
// the schema is checked again, and handed on (Chosen) once it fits.
func (p *Model) Refresh() dialog.Action {
	if p.stage == stageList {
		p.filter()
		return nil
	}
	if p.checking == "" || p.checking != p.prompt.Value() {
		return nil
	}
	return p.run()
}

// Checking says whether a raw command waits for the schema to be checked.
func (p *Model) Checking() bool { return p.checking != "" }

// filter orders the actions: those that can run now first, then the
// disabled ones; within each group by fuzzy score when there is a query,
// and recently used first (also among equal scores).
func (p *Model) filter() {
	_, _, haveVM := p.vm()
	q := strings.TrimSpace(p.query.Value())
	p.items = p.items[:0]
	score := map[*action]int{}
	if q == "" {
		for i := range actions {
			p.items = append(p.items, item{act: &actions[i]})
		}
	} else {
		texts := make([]string, len(actions))
		for i := range actions {
			texts[i] = actions[i].searchText()
		}
		for _, m := range fuzzy.Find(q, texts) {
			p.items = append(p.items, item{act: &actions[m.Index], matched: m.MatchedIndexes})
			score[&actions[m.Index]] = m.Score
		}
	}
	var offered map[string]bool
	if names := p.env.Schema.CommandNames(p.vmID); haveVM && names != nil {
		offered = make(map[string]bool, len(names))
		for _, n := range names {
			offered[n] = true
		}
	}
	var guest *model.Guest
	if v, _, ok := p.vm(); ok {
		guest = &v.Guest
	}
	for i := range p.items {
		p.items[i].disabled = p.items[i].act.disabledReason(p.env.ReadOnly, haveVM, offered, guest)
	}
	slices.SortStableFunc(p.items, func(x, y item) int {
		if c := cmp.Compare(x.rank(), y.rank()); c != 0 {
			return c
		}
		if c := cmp.Compare(score[y.act], score[x.act]); c != 0 {
			return c
		}
		return cmp.Compare(p.hist.rank(x.act.id), p.hist.rank(y.act.id))
	})
	p.cursor = max(0, min(p.cursor, len(p.items)-1))
}

// ID, Keys, Update and View make the palette a dialog.

func (p *Model) ID() string { return "palette" }

func (p *Model) Keys() keys.Table {
	switch {
	case p.stage == stagePrompt && p.act.completes():
		return p.completeTable
	case p.stage == stagePrompt:
		return p.promptTable
	}
	return p.listTable
}

func (p *Model) Update(msg tea.Msg) dialog.Action {
	switch m := msg.(type) {
	case tea.KeyPressMsg:
		if p.stage == stagePrompt {
			return p.updatePrompt(m)
		}
		return p.updateList(m)
	case tea.PasteMsg:
		if p.stage == stagePrompt {
			p.prompt.Insert(m.Content)
			p.msg, p.checking = "", ""
			p.updateHint()
		} else {
			p.query.Insert(m.Content)
			p.filter()
		}
	}
	return nil
}

func (p *Model) updateList(msg tea.KeyPressMsg) dialog.Action {
	// Letters type into the query, so only keys that do not type move.
	switch p.listTable.Match(msg) {
	case "close":
		return dialog.Close{}
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
		return p.choose(p.items[p.cursor])
	}
	if p.query.HandleKey(msg) {
		p.msg = ""
		p.cursor = 0
		p.filter()
	}
	return nil
}

// choose starts the selected action: refuse it, prompt for it, or hand it
// to the root.
func (p *Model) choose(it item) dialog.Action {
	if it.disabled != "" {
		p.msg = it.act.title + " is disabled: " + it.disabled
		return nil
	}
	p.act = it.act
	if it.act.prompt != "" {
		p.stage = stagePrompt
		p.prompt = lineinput.Model{Prompt: it.act.prompt + ": ", Placeholder: it.act.placeholder}
		p.msg, p.hint, p.histIdx = "", "", -1
		p.updateHint()
		if it.act.id == ActQMP {
			// Asking for any command's arguments starts the schema
			// fetch now, so the check is likely ready when enter comes.
			p.env.Schema.CommandArgs(p.vmID, "query-status")
		}
		return nil
	}
	pd, err := p.buildPending(it.act, "")
	if err != "" {
		p.msg = err
		return nil
	}
	return Chosen{Pending: pd, Destructive: it.act.destructive}
}

func (p *Model) updatePrompt(msg tea.KeyPressMsg) dialog.Action {
	t := &p.promptTable
	if p.act.completes() {
		t = &p.completeTable
	}
	switch act := t.Match(msg); act {
	case "close":
		return dialog.Close{}
	case "run":
		return p.run()
	case "complete":
		p.complete()
		return nil
	case "earlier", "later":
		// Recall earlier inputs for this action.
		prev := p.hist.Inputs[string(p.act.id)]
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
		p.updateHint()
		return nil
	}
	if p.prompt.HandleKey(msg) {
		p.msg, p.checking = "", ""
		p.updateHint()
	}
	return nil
}

// run checks the prompt's input and hands it on, or says why not.
func (p *Model) run() dialog.Action {
	pd, err := p.buildPending(p.act, p.prompt.Value())
	if err != "" {
		p.msg = err
		return nil
	}
	p.msg = ""
	return Chosen{Pending: pd, Destructive: p.act.destructive || (p.act.id == ActQMP && destructiveCommands[pd.Command])}
}

// What tests and the root read of an open palette.

// Query is the text typed to search actions.
func (p *Model) Query() string { return p.query.Value() }

// Prompt is the text typed at an action's prompt.
func (p *Model) Prompt() string { return p.prompt.Value() }

// Cursor is the selected item of the list.
func (p *Model) Cursor() int { return p.cursor }

// VMID is the VM the palette acts on.
func (p *Model) VMID() string { return p.vmID }

// Item is one action as listed.
type Item struct {
	ID       ActionID
	Disabled string // why it cannot run now, or ""
}

// Items is the list as shown, top to bottom.
func (p *Model) Items() []Item {
	out := make([]Item, len(p.items))
	for i, it := range p.items {
		out[i] = Item{ID: it.act.id, Disabled: it.disabled}
	}
	return out
}
