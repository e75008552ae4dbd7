package ui

import "charm.land/bubbles/v2/key"

// helpContext says which keys apply now; the help line shows that
// context's keys, and only keys its handler accepts.
type helpContext int

const (
	ctxFleet helpContext = iota
	ctxDetail
	ctxEvents
	ctxPalette // the action list: letters type into the query
	ctxPrompt  // an action's prompt
	ctxPromptComplete
	ctxConfirm
	ctxViewer
	ctxHelp
	ctxErrors
	ctxFilter      // typing the fleet filter
	ctxEventFilter // typing the event-name filter
)

// contextKeys adapts the key map to bubbles' help.KeyMap for one context.
type contextKeys struct {
	k   *keyMap
	ctx helpContext
}

// relabel is b with another description, for a context where the same
// keys mean something more specific.
func relabel(b key.Binding, desc string) key.Binding {
	b.SetHelp(b.Help().Key, desc)
	return b
}

func (c contextKeys) ShortHelp() []key.Binding {
	k := c.k
	switch c.ctx {
	case ctxDetail:
		return []key.Binding{k.Back, k.NextPane, k.Panes, k.Up, k.Down, k.Palette, k.Help, k.Quit}
	case ctxEvents:
		return []key.Binding{k.Back, k.Up, k.Down, k.EventsAll, k.EventsFilter, k.Bottom, k.Help, k.Quit}
	case ctxPalette:
		return []key.Binding{k.Run, k.InputUp, k.InputDown, k.InputBack}
	case ctxPrompt:
		return []key.Binding{k.Run, k.Recall, k.InputBack}
	case ctxPromptComplete:
		return []key.Binding{k.Run, k.Complete, k.Recall, k.InputBack}
	case ctxConfirm:
		return []key.Binding{k.Confirm, k.Cancel}
	case ctxViewer:
		return []key.Binding{k.Back, k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Sideways}
	case ctxHelp, ctxErrors:
		// How to close comes first: a narrow help line cuts from the right.
		return []key.Binding{k.Back, k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}
	case ctxFilter:
		return []key.Binding{relabel(k.Run, "keep"), k.InputUp, k.InputDown, relabel(k.InputBack, "clear")}
	case ctxEventFilter:
		return []key.Binding{relabel(k.Run, "keep"), relabel(k.InputBack, "clear")}
	}
	return []key.Binding{k.Up, k.Down, k.Open, k.Filter, k.Sort, k.Palette, k.Events, k.Help, k.Quit}
}

// FullHelp is every key, whatever the context: the help overlay.
func (c contextKeys) FullHelp() [][]key.Binding {
	k := c.k
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Open, k.Back, k.Filter, k.Sort, k.SortReverse},
		{k.NextPane, k.PrevPane, k.Panes, k.Events, k.EventsAll, k.EventsFilter},
		{k.Palette, k.Errors, k.Mouse, k.Help, k.Quit},
		{k.Run, k.Complete, relabel(k.Recall, "earlier input (prompt)"), k.Confirm, k.Cancel, relabel(k.Sideways, "scroll sideways (reply)")},
	}
}
