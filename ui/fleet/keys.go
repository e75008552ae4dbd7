package fleet

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/qmpdash/qmpdash/ui/keys"
	"github.com/qmpdash/qmpdash/ui/lineinput"
)

// Keys is the table's own keys while the fleet has focus (the root adds
// the global keys and its own: open a VM, switch pane, the event log).
func Keys(k *keys.Map) keys.Table {
	return keys.Table{
		Context: "fleet",
		Entries: []keys.Entry{
			{Action: "back", Binding: &k.Back},
			{Action: "up", Binding: &k.Up}, {Action: "down", Binding: &k.Down},
			{Action: "page-up", Binding: &k.PageUp}, {Action: "page-down", Binding: &k.PageDown},
			{Action: "top", Binding: &k.Top}, {Action: "bottom", Binding: &k.Bottom},
			{Action: "filter", Binding: &k.Filter},
			{Action: "sort", Binding: &k.Sort}, {Action: "sort-reverse", Binding: &k.SortReverse},
		},
	}
}

// FilterKeys is the table while the filter is typed: letters type, so
// only keys that do not type move the selection.
func FilterKeys(k *keys.Map) keys.Table {
	return keys.Table{
		Context: "fleet filter", Input: true,
		Entries: []keys.Entry{{Action: "keep", Binding: &k.Run, Desc: "keep"},
			{Action: "up", Binding: &k.InputUp}, {Action: "down", Binding: &k.InputDown},
			{Action: "clear", Binding: &k.InputBack, Desc: "clear"}},
		Short: []string{"keep", "up", "down", "clear"},
	}
}

// Table is the keys the table answers to now: the filter's while it is
// typed, else its own.
func (m *Model) Table() *keys.Table {
	if m.editing {
		return &m.filterTable
	}
	return &m.table
}

// Do carries out action (matched in Table) with page rows to a page; it
// reports whether the action was the table's and, for a new sort, what
// to say in the status bar.
func (m *Model) Do(action string, page int) (status string, ok bool) {
	switch action {
	case "back":
		if m.filter != "" {
			m.filter = ""
			m.refresh()
		}
	case "up":
		m.Move(-1)
	case "down":
		m.Move(1)
	case "page-up":
		m.Move(-page)
	case "page-down":
		m.Move(page)
	case "top":
		m.MoveTo(0)
	case "bottom":
		m.MoveTo(len(m.order) - 1)
	case "filter":
		m.editing = true
		m.input = lineinput.Model{Prompt: "/", Placeholder: "fuzzy filter by name; @ to filter by target"}
		m.input.SetValue(m.filter)
	case "sort":
		m.sortBy = (m.sortBy + 1) % NumSortKeys
		m.refresh()
		return "sorted by " + m.SortLabel() + " (" + m.SortMeaning() + ")", true
	case "sort-reverse":
		m.desc = !m.desc
		m.refresh()
		return "sorted by " + m.SortLabel() + " (" + m.SortMeaning() + ")", true
	default:
		return "", false
	}
	return "", true
}

// EditFilter handles a key while the filter is typed: enter keeps it, esc
// clears it, the arrows move, anything else edits the line.
func (m *Model) EditFilter(action string, msg tea.KeyPressMsg) {
	if action == "up" || action == "down" {
		m.Move(map[string]int{"up": -1, "down": 1}[action])
		return
	}
	if !m.input.EditFilter(action, msg, &m.editing, &m.filter) {
		return
	}
	m.offset = 0
	m.refresh()
}

// Paste types s into the filter being edited.
func (m *Model) Paste(s string) {
	m.input.Insert(s)
	m.filter = strings.TrimSpace(m.input.Value())
	m.refresh()
}
