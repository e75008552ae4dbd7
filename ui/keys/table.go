package keys

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/qmpdash/qmpdash/internal/termsafe"
)

// Entry is one action answering in a table.
type Entry struct {
	// Action is what the part's handler switches on; for rebindable
	// bindings it is the name the config's [keys] uses.
	Action string
	// Binding points into the Map, so rebinding shows everywhere.
	Binding *key.Binding
	// Desc relabels the binding for this context ("keep", "clear"); ""
	// keeps the binding's own.
	Desc string
	// HelpOnly marks a label that sums up other entries (recall: up/down)
	// on the help line; it is never matched.
	HelpOnly bool
}

// Table is the keys one part answers to in one state (a context): the
// part routes with Match, the help line is Short, and Clash checks the
// entries. Tables are built from a *Map and stay valid as it is rebound.
type Table struct {
	// Context names the state for clash reports ("fleet", "help", ...).
	Context string
	Entries []Entry
	// Short is the help line: action names in order, looked up in Entries.
	Short []string
	// Input marks a state where letters type (palette, prompts, filters):
	// its keys are derived rather than rebound, so Clash skips it.
	Input bool
}

// Match is the action of the first entry whose keys include msg, or "".
func (t *Table) Match(msg tea.KeyPressMsg) string {
	for i := range t.Entries {
		e := &t.Entries[i]
		if !e.HelpOnly && key.Matches(msg, *e.Binding) {
			return e.Action
		}
	}
	return ""
}

// With is t followed by the entries of more (the global keys a part's
// state also answers to); t's Short and context are kept.
func (t Table) With(more ...Table) Table {
	out := t
	out.Entries = append([]Entry(nil), t.Entries...)
	for _, m := range more {
		out.Entries = append(out.Entries, m.Entries...)
	}
	return out
}

// binding is entry e's binding as this context labels it.
func (e *Entry) binding() key.Binding {
	b := *e.Binding
	if e.Desc != "" {
		b.SetHelp(b.Help().Key, e.Desc)
	}
	return b
}

// Lookup is the binding of action name, as this context labels it.
func (t *Table) Lookup(name string) (key.Binding, bool) {
	for i := range t.Entries {
		if t.Entries[i].Action == name {
			return t.Entries[i].binding(), true
		}
	}
	return key.Binding{}, false
}

// ShortHelp is the help line's bindings (bubbles' help.KeyMap).
func (t Table) ShortHelp() []key.Binding {
	out := make([]key.Binding, 0, len(t.Short))
	for _, name := range t.Short {
		if b, ok := t.Lookup(name); ok {
			out = append(out, b)
		}
	}
	return out
}

// FullHelp is every entry, one group (bubbles' help.KeyMap).
func (t Table) FullHelp() [][]key.Binding {
	group := make([]key.Binding, 0, len(t.Entries))
	for i := range t.Entries {
		group = append(group, t.Entries[i].binding())
	}
	return [][]key.Binding{group}
}

// Clash is a key bound to two actions in one context.
type Clash struct {
	Key, A, B, Where string
}

// FindClash finds the first key bound to two actions in one context, in
// table order so the report is the same every run. Keys shared across
// contexts are fine (enter opens a VM in the fleet and runs an action in
// the palette); input tables are skipped.
func FindClash(tables []Table) (Clash, bool) {
	for _, t := range tables {
		if t.Input {
			continue
		}
		owner := map[string]string{}
		for _, e := range t.Entries {
			if e.HelpOnly {
				continue
			}
			for _, s := range e.Binding.Keys() {
				if o, ok := owner[s]; ok && o != e.Action {
					return Clash{Key: s, A: o, B: e.Action, Where: t.Context}, true
				}
				owner[s] = e.Action
			}
		}
	}
	return Clash{}, false
}

// Rebind applies the user's bindings (action name -> keys). Unknown action
// names and clashes in any of tables (built from k) are reported, not
// fatal: a clashing action keeps its default keys. ctrl+c always quits,
// whatever the user does to "quit", so the program can never trap its
// user.
func (k *Map) Rebind(m map[string][]string, tables []Table) error {
	var problems, bad []string
	byName := k.byName()
	defaults := Default()
	defs := defaults.byName()
	rebound := map[string]bool{}
	for name, keys := range m {
		b, ok := byName[name]
		if !ok {
			bad = append(bad, name)
			continue
		}
		var clean []string
		for _, s := range keys {
			if s = strings.TrimSpace(s); s != "" && !contains(clean, s) {
				clean = append(clean, s)
			}
		}
		if len(clean) == 0 {
			continue
		}
		if name == "quit" && !contains(clean, "ctrl+c") {
			clean = append(clean, "ctrl+c")
		}
		setKeys(b, clean...)
		rebound[name] = true
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		problems = append(problems, fmt.Sprintf("unknown key action(s) %s (valid: %s)",
			strings.Join(bad, ", "), strings.Join(Actions(), ", ")))
	}
	// Undo rebindings until nothing clashes. Each round resets at least one
	// rebound action, and the defaults do not clash, so this ends.
	for {
		c, ok := FindClash(tables)
		if !ok {
			break
		}
		var reset []string
		for _, n := range []string{c.A, c.B} {
			if rebound[n] {
				*byName[n] = *defs[n]
				rebound[n] = false
				reset = append(reset, n+" keeps "+byName[n].Help().Key)
			}
		}
		if len(reset) == 0 {
			break // only fixed bindings clash: a bug, caught by the tests
		}
		problems = append(problems, fmt.Sprintf("key %q is bound to both %s and %s (%s); %s",
			termsafe.Line(termsafe.Clip(c.Key, 32)), c.A, c.B, c.Where, strings.Join(reset, ", ")))
	}
	k.deriveInputKeys()
	if len(problems) == 0 {
		return nil
	}
	return errors.New(strings.Join(problems, "; "))
}
