// Package keys holds every key binding the dashboard answers to (Map, with
// the user's rebindings), and the Table each part declares for each of its
// states. A part routes keys through its table, the help line and the help
// overlay are drawn from the tables, and the clash check reads them: one
// table, so they cannot drift apart.
//
// It imports bubbles' key and lineinput (for the keys an input edits
// with); never ui or the other parts, which all import it.
package keys

import (
	"sort"
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	"github.com/qmpdash/qmpdash/ui/lineinput"
)

// Map holds every binding. Every help label is built from the keys bound
// (HelpKeys), so help always shows the keys in force, rebindings included.
type Map struct {
	Quit, Help, Palette, Errors, Mouse, Back key.Binding

	Up, Down, PageUp, PageDown, Top, Bottom key.Binding

	Open, Filter, Sort, SortReverse key.Binding

	NextPane, PrevPane, Panes key.Binding

	Events, EventsAll, EventsFilter key.Binding

	// Reconnect skips the selected VM's reconnect backoff.
	Reconnect key.Binding

	Run, Complete, Confirm, Cancel key.Binding

	// Sideways scrolls the reply viewer left and right.
	Sideways key.Binding

	// Keys for inputs (palette, prompts, filters), derived from Up, Down and
	// Back by deriveInputKeys: there letters type, so only keys that do not
	// type or edit are kept.
	InputUp, InputDown, InputBack, Recall key.Binding
}

// bind makes a binding whose help label comes from its keys.
func bind(desc string, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(HelpKeys(keys), desc))
}

// setKeys rebinds b and rebuilds its label: the one path for defaults,
// rebinds and derived keys.
func setKeys(b *key.Binding, keys ...string) {
	b.SetKeys(keys...)
	b.SetHelp(HelpKeys(keys), b.Help().Desc)
}

// Default is the key map before any rebinding.
func Default() Map {
	k := Map{
		Quit:    bind("quit", "q", "ctrl+c"),
		Help:    bind("help", "?"),
		Palette: bind("commands", ":", "ctrl+p"),
		Errors:  bind("error history", "e"),
		Mouse:   bind("mouse on/off", "m"),
		Back:    bind("back/close", "esc"),

		Up:       bind("up", "up", "k"),
		Down:     bind("down", "down", "j"),
		PageUp:   bind("page up", "pgup", "ctrl+u"),
		PageDown: bind("page down", "pgdown", "ctrl+d"),
		Top:      bind("top", "home", "g"),
		Bottom:   bind("bottom", "end", "G"),

		Open:        bind("details", "enter"),
		Filter:      bind("filter", "/"),
		Sort:        bind("sort by", "s"),
		SortReverse: bind("reverse sort", "S"),

		NextPane: bind("next pane", "tab"),
		PrevPane: bind("prev pane", "shift+tab"),
		Panes:    bind("pane", "1", "2", "3", "4", "5", "6", "7", "8"),

		Events:       bind("event log", "l"),
		EventsAll:    bind("events: this VM/all", "a"),
		EventsFilter: bind("filter events", "f"),

		Reconnect: bind("reconnect now", "r"),

		Run:      bind("run", "enter"),
		Complete: bind("complete", "tab"),
		Confirm:  bind("yes", "y", "Y"),
		Cancel:   bind("no", "n", "N", "esc"),

		Sideways: bind("scroll sideways", "left", "right"),

		InputUp:   bind("up"),
		InputDown: bind("down"),
		InputBack: bind("close"),
		Recall:    bind("earlier input"),
	}
	k.deriveInputKeys()
	return k
}

// deriveInputKeys recomputes the input keys after the bindings change.
// Escape always leaves an input, whatever "back" is bound to, so no
// rebinding can trap the user in the palette.
func (k *Map) deriveInputKeys() {
	up := inputKeys(k.Up.Keys(), "up")
	down := inputKeys(k.Down.Keys(), "down")
	setKeys(&k.InputUp, up...)
	setKeys(&k.InputDown, down...)
	back := inputKeys(k.Back.Keys(), "esc")
	if !contains(back, "esc") {
		back = append(back, "esc")
	}
	setKeys(&k.InputBack, back...)
	recall := append(append([]string(nil), up...), down...)
	k.Recall.SetKeys(recall...)
	k.Recall.SetHelp(HelpKeys(up)+"/"+HelpKeys(down), k.Recall.Help().Desc)
}

// inputKeys keeps the keys that neither type into nor edit a line input;
// if none is left, fallback.
func inputKeys(keys []string, fallback string) []string {
	var out []string
	for _, s := range keys {
		if !TypesText(s) && !lineinput.IsEditKey(s) {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return []string{fallback}
	}
	return out
}

// TypesText says whether a key, named as Bubble Tea prints it, puts text
// into a line input: a single character (shifted ones print as the
// character itself, "G") or the space bar.
func TypesText(s string) bool {
	return utf8.RuneCountInString(s) == 1 || s == "space"
}

// PrettyKeys are shorter or clearer names for help labels.
var PrettyKeys = map[string]string{
	"up": "↑", "down": "↓", "left": "←", "right": "→", "pgdown": "pgdn",
}

// HelpKeys is a binding's help label, built from its keys: "↑/k",
// "q/ctrl+c", "pgup/ctrl+u"; a run of three or more consecutive digits
// reads as a range ("1-8"). Duplicates are shown once.
func HelpKeys(keys []string) string {
	var out []string
	seen := map[string]bool{}
	for i := 0; i < len(keys); i++ {
		s := keys[i]
		if seen[s] {
			continue
		}
		seen[s] = true
		j := i
		for j+1 < len(keys) && isDigitKey(keys[j]) && isDigitKey(keys[j+1]) && keys[j+1][0] == keys[j][0]+1 {
			j++
		}
		if j-i >= 2 {
			for _, d := range keys[i+1 : j+1] {
				seen[d] = true
			}
			out = append(out, s+"-"+keys[j])
			i = j
			continue
		}
		if p, ok := PrettyKeys[s]; ok {
			s = p
		}
		out = append(out, s)
	}
	return strings.Join(out, "/")
}

func isDigitKey(s string) bool { return len(s) == 1 && s[0] >= '0' && s[0] <= '9' }

// Actions lists the action names a user may rebind.
func Actions() []string {
	k := Default()
	names := make([]string, 0, len(k.byName()))
	for n := range k.byName() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// byName is the rebindable bindings by action name.
func (k *Map) byName() map[string]*key.Binding {
	return map[string]*key.Binding{
		"quit": &k.Quit, "help": &k.Help, "palette": &k.Palette, "errors": &k.Errors,
		"mouse": &k.Mouse, "back": &k.Back,
		"up": &k.Up, "down": &k.Down, "page-up": &k.PageUp, "page-down": &k.PageDown,
		"top": &k.Top, "bottom": &k.Bottom,
		"open": &k.Open, "filter": &k.Filter, "sort": &k.Sort, "sort-reverse": &k.SortReverse,
		"next-pane": &k.NextPane, "prev-pane": &k.PrevPane,
		"events": &k.Events, "events-all": &k.EventsAll, "events-filter": &k.EventsFilter,
		"reconnect": &k.Reconnect,
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
