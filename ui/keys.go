package ui

import (
	"fmt"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
)

// keyMap holds every binding the dashboard answers to. The help overlay and
// the help line are drawn from it, so they always show the keys in force
// (including the user's rebindings).
type keyMap struct {
	Quit, Help, Palette, Errors, Mouse, Back key.Binding

	Up, Down, PageUp, PageDown, Top, Bottom key.Binding

	Open, Filter, Sort, SortReverse key.Binding

	NextPane, PrevPane, Panes key.Binding

	Events, EventsAll, EventsFilter key.Binding

	Run, Complete, Confirm, Cancel key.Binding
}

func defaultKeyMap() keyMap {
	b := func(keys []string, helpKey, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(helpKey, desc))
	}
	return keyMap{
		Quit:    b([]string{"q", "ctrl+c"}, "q", "quit"),
		Help:    b([]string{"?"}, "?", "help"),
		Palette: b([]string{":", "ctrl+p"}, ":", "commands"),
		Errors:  b([]string{"e"}, "e", "error history"),
		Mouse:   b([]string{"m"}, "m", "mouse on/off"),
		Back:    b([]string{"esc"}, "esc", "back/close"),

		Up:       b([]string{"up", "k"}, "↑/k", "up"),
		Down:     b([]string{"down", "j"}, "↓/j", "down"),
		PageUp:   b([]string{"pgup", "ctrl+u"}, "pgup", "page up"),
		PageDown: b([]string{"pgdown", "ctrl+d"}, "pgdn", "page down"),
		Top:      b([]string{"home", "g"}, "g", "top"),
		Bottom:   b([]string{"end", "G"}, "G", "bottom"),

		Open:        b([]string{"enter"}, "enter", "details"),
		Filter:      b([]string{"/"}, "/", "filter"),
		Sort:        b([]string{"s"}, "s", "sort by"),
		SortReverse: b([]string{"S"}, "S", "reverse sort"),

		NextPane: b([]string{"tab"}, "tab", "next pane"),
		PrevPane: b([]string{"shift+tab"}, "shift+tab", "prev pane"),
		Panes:    b([]string{"1", "2", "3", "4", "5", "6", "7"}, "1-7", "pane"),

		Events:       b([]string{"l"}, "l", "event log"),
		EventsAll:    b([]string{"a"}, "a", "events: this VM/all"),
		EventsFilter: b([]string{"f"}, "f", "filter events"),

		Run:      b([]string{"enter"}, "enter", "run"),
		Complete: b([]string{"tab"}, "tab", "complete"),
		Confirm:  b([]string{"y", "Y"}, "y", "yes"),
		Cancel:   b([]string{"n", "N", "esc"}, "n/esc", "no"),
	}
}

// KeyActions lists the action names Options.Keys may rebind.
func KeyActions() []string {
	k := defaultKeyMap()
	names := make([]string, 0, len(k.byName()))
	for n := range k.byName() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (k *keyMap) byName() map[string]*key.Binding {
	return map[string]*key.Binding{
		"quit": &k.Quit, "help": &k.Help, "palette": &k.Palette, "errors": &k.Errors,
		"mouse": &k.Mouse, "back": &k.Back,
		"up": &k.Up, "down": &k.Down, "page-up": &k.PageUp, "page-down": &k.PageDown,
		"top": &k.Top, "bottom": &k.Bottom,
		"open": &k.Open, "filter": &k.Filter, "sort": &k.Sort, "sort-reverse": &k.SortReverse,
		"next-pane": &k.NextPane, "prev-pane": &k.PrevPane,
		"events": &k.Events, "events-all": &k.EventsAll, "events-filter": &k.EventsFilter,
	}
}

// rebind applies the user's bindings. Unknown action names are reported,
// not fatal. ctrl+c always quits, whatever the user does to "quit", so the
// program can never trap its user.
func (k *keyMap) rebind(m map[string][]string) error {
	var bad []string
	byName := k.byName()
	for name, keys := range m {
		b, ok := byName[name]
		if !ok {
			bad = append(bad, name)
			continue
		}
		var clean []string
		for _, s := range keys {
			if s = strings.TrimSpace(s); s != "" {
				clean = append(clean, s)
			}
		}
		if len(clean) == 0 {
			continue
		}
		if name == "quit" && !contains(clean, "ctrl+c") {
			clean = append(clean, "ctrl+c")
		}
		b.SetKeys(clean...)
		b.SetHelp(strings.Join(helpKeys(clean), "/"), b.Help().Desc)
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return fmt.Errorf("unknown key action(s) %s (valid: %s)", strings.Join(bad, ", "), strings.Join(KeyActions(), ", "))
	}
	return nil
}

// helpKeys hides ctrl+c from the help text when other quit keys exist.
func helpKeys(keys []string) []string {
	if len(keys) > 1 {
		out := make([]string, 0, len(keys))
		for _, k := range keys {
			if k != "ctrl+c" {
				out = append(out, k)
			}
		}
		return out
	}
	return keys
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// helpContext says which keys apply now.
type helpContext int

const (
	ctxFleet helpContext = iota
	ctxDetail
	ctxEvents
	ctxPalette
	ctxConfirm
	ctxViewer
	ctxErrors
	ctxFilter
)

// contextKeys adapts the key map to bubbles' help.KeyMap for one context.
type contextKeys struct {
	k   *keyMap
	ctx helpContext
}

func (c contextKeys) ShortHelp() []key.Binding {
	k := c.k
	switch c.ctx {
	case ctxDetail:
		return []key.Binding{k.Back, k.NextPane, k.Panes, k.Up, k.Down, k.Palette, k.Help, k.Quit}
	case ctxEvents:
		return []key.Binding{k.Back, k.Up, k.Down, k.EventsAll, k.EventsFilter, k.Bottom, k.Help, k.Quit}
	case ctxPalette:
		return []key.Binding{k.Run, k.Complete, k.Up, k.Down, k.Back}
	case ctxConfirm:
		return []key.Binding{k.Confirm, k.Cancel}
	case ctxViewer, ctxErrors:
		return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Back}
	case ctxFilter:
		return []key.Binding{k.Run, k.Back}
	}
	return []key.Binding{k.Up, k.Down, k.Open, k.Filter, k.Sort, k.Palette, k.Events, k.Help, k.Quit}
}

func (c contextKeys) FullHelp() [][]key.Binding {
	k := c.k
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Open, k.Back, k.Filter, k.Sort, k.SortReverse},
		{k.NextPane, k.PrevPane, k.Panes, k.Events, k.EventsAll, k.EventsFilter},
		{k.Palette, k.Errors, k.Mouse, k.Help, k.Quit},
	}
}
