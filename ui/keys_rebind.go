package ui

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	"github.com/qmpdash/qmpdash/internal/termsafe"
)

// Rebinding from Options.Keys, and the clash check that keeps a rebinding
// from silently disabling another action.

// keyContexts lists, for each place keys are read outside inputs, the
// actions that answer there (this mirrors onKey, fleetKey, detailKey,
// updateErrors and updateViewer). Two actions sharing a key in one context
// is a clash: only the one the handler tests first would ever run. Keys
// shared across contexts are fine (enter opens a VM in the fleet and runs
// an action in the palette). Inputs (palette, prompts, filters) are not
// listed: letters type there, and their keys are derived, not rebound.
var keyContexts = []struct {
	name    string
	actions []string
}{
	{"fleet", []string{"quit", "help", "palette", "errors", "mouse", "back", "up", "down", "page-up", "page-down",
		"top", "bottom", "open", "filter", "sort", "sort-reverse", "panes", "events", "events-all", "events-filter"}},
	{"detail", []string{"quit", "help", "palette", "errors", "mouse", "back", "next-pane", "prev-pane", "panes",
		"events", "events-all", "events-filter", "up", "down", "page-up", "page-down", "top", "bottom", "open"}},
	{"help", []string{"quit", "help", "back", "up", "down", "page-up", "page-down", "top", "bottom"}},
	{"error history", []string{"quit", "errors", "back", "up", "down", "page-up", "page-down", "top", "bottom"}},
	{"reply viewer", []string{"quit", "back", "up", "down", "page-up", "page-down", "top", "bottom", "sideways"}},
}

// allBindings is byName plus the fixed bindings that share the contexts
// above (they cannot be rebound, but a rebinding can clash with them).
func (k *keyMap) allBindings() map[string]*key.Binding {
	m := k.byName()
	m["panes"] = &k.Panes
	m["sideways"] = &k.Sideways
	return m
}

type keyClash struct {
	key, a, b, where string
}

// clash finds the first key bound to two actions in one context, in a
// fixed order so the report is the same every run.
func (k *keyMap) clash() (keyClash, bool) {
	all := k.allBindings()
	for _, c := range keyContexts {
		owner := map[string]string{}
		for _, name := range c.actions {
			for _, s := range all[name].Keys() {
				if o, ok := owner[s]; ok && o != name {
					return keyClash{key: s, a: o, b: name, where: c.name}, true
				}
				owner[s] = name
			}
		}
	}
	return keyClash{}, false
}

// rebind applies the user's bindings. Unknown action names and clashes
// are reported, not fatal: a clashing action keeps its default keys.
// ctrl+c always quits, whatever the user does to "quit", so the program
// can never trap its user.
func (k *keyMap) rebind(m map[string][]string) error {
	var problems, bad []string
	byName := k.byName()
	defaults := defaultKeyMap()
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
			strings.Join(bad, ", "), strings.Join(KeyActions(), ", ")))
	}
	// Undo rebindings until nothing clashes. Each round resets at least one
	// rebound action, and the defaults do not clash, so this ends.
	for {
		c, ok := k.clash()
		if !ok {
			break
		}
		var reset []string
		for _, n := range []string{c.a, c.b} {
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
			termsafe.Line(termsafe.Clip(c.key, 32)), c.a, c.b, c.where, strings.Join(reset, ", ")))
	}
	k.deriveInputKeys()
	if len(problems) == 0 {
		return nil
	}
	return errors.New(strings.Join(problems, "; "))
}
