package eventlog

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/qmpdash/qmpdash/ui/keys"
	"github.com/qmpdash/qmpdash/ui/lineinput"
)

// FilterKeys is the table while the event-name filter is typed.
func FilterKeys(k *keys.Map) keys.Table {
	return keys.Table{
		Context: "event filter", Input: true,
		Entries: []keys.Entry{{Action: "keep", Binding: &k.Run, Desc: "keep"},
			{Action: "clear", Binding: &k.InputBack, Desc: "clear"}},
		Short: []string{"keep", "clear"},
	}
}

// New makes an empty log answering to km's keys.
func New(km *keys.Map) Model { return Model{filterTable: FilterKeys(km)} }

// FilterTable is the keys the filter answers to while it is typed.
func (l *Model) FilterTable() *keys.Table { return &l.filterTable }

// Editing says whether the filter is being typed.
func (l *Model) Editing() bool { return l.editing }

// All says whether the log shows every VM's events.
func (l *Model) All() bool { return l.all }

// Scroll is how many lines the view is above the newest.
func (l *Model) Scroll() int { return l.scroll }

// Cursor is how many lines the selected line is above the newest (0
// follows the tail).
func (l *Model) Cursor() int { return l.cursor }

// ToggleAll switches between this VM's events and all VMs', back at the
// tail.
func (l *Model) ToggleAll() {
	l.all = !l.all
	l.cursor, l.scroll = 0, 0
}

// StartFilter opens the event-name filter for typing.
func (l *Model) StartFilter() {
	l.editing = true
	l.input = lineinput.Model{Prompt: "event name: ", Placeholder: "e.g. BLOCK_JOB (enter keeps, esc clears)"}
	l.input.SetValue(l.filter)
}

// EditFilter handles a key (action matched in FilterKeys) while the
// filter is typed; the filter is kept upper-cased.
func (l *Model) EditFilter(action string, msg tea.KeyPressMsg) {
	if l.input.EditFilter(action, msg, &l.editing, &l.filter) {
		l.filter = strings.ToUpper(l.filter)
		l.cursor, l.scroll = 0, 0
	}
}

// Paste types s into the filter being edited.
func (l *Model) Paste(s string) {
	l.input.Insert(s)
	l.filter = strings.ToUpper(strings.TrimSpace(l.input.Value()))
}
