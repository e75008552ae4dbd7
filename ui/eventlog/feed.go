package eventlog

import "github.com/qmpdash/qmpdash/model"

// Feeding the log from the fleet. Whatever arrives, a view scrolled up
// stays on the lines being read; the root clamps it to the height after.

// NextFetch numbers a new read of the selected VM's own log; a read that
// arrives after a newer one was armed is ignored.
func (l *Model) NextFetch() uint64 {
	l.vmAsked++
	return l.vmAsked
}

// TakeFleet takes in what one fleet read brought: new events for the
// merged buffer, the selected VM's own log, and how many events the
// bounded log has dropped.
func (l *Model) TakeFleet(evs []model.LoggedEvent, f Fetch, dropped uint64, selID string) {
	was := l.usesVM(selID)
	shownMerged := 0
	if len(evs) > 0 {
		shownMerged = l.add(evs, selID)
	}
	addedVM, _ := l.setVM(f, selID)
	if l.cursor > 0 {
		// Counted in the list the view reads (if it switched lists, the
		// root's clamp will do).
		switch now := l.usesVM(selID); {
		case now && was:
			l.stay(addedVM)
		case !now && !was:
			l.stay(shownMerged)
		}
	}
	l.dropped = dropped
}

// TakeFetch takes in an immediate read of a VM's own log.
func (l *Model) TakeFetch(f Fetch, selID string) {
	was := l.usesVM(selID)
	added, ok := l.setVM(f, selID)
	if ok && was && l.usesVM(selID) && l.cursor > 0 {
		l.stay(added)
	}
}

// stay keeps the cursor and the view on the lines being read when added
// newer lines arrive (a cursor on the newest follows instead).
func (l *Model) stay(added int) {
	l.cursor += added
	l.scroll += added
}

// SelectionMoved forgets what belonged to the VM selected before: the
// cursor, the offset and its own log.
func (l *Model) SelectionMoved() {
	l.cursor, l.scroll = 0, 0
	l.dropVM()
}

// ScrollBy moves the view (the wheel); positive is up (older). It clamps
// so the view never scrolls past the oldest of the h lines shown, and the
// cursor stays in view.
func (l *Model) ScrollBy(delta, h int, selID string) { l.scrollBy(delta, h, selID) }

// MoveCursor moves the selected line (the keys); positive is up (older).
// The view follows it; back on the newest line, the log follows the tail.
func (l *Model) MoveCursor(delta, h int, selID string) { l.moveBy(delta, h, selID) }

// Clamp keeps the cursor and the view within the lines there are (a
// bounded log drops its oldest as new ones come) and the h lines shown.
func (l *Model) Clamp(h int, selID string) { l.clamp(h, selID) }

// Selected is the event under the cursor, whole.
func (l *Model) Selected(selID string) (Event, bool) {
	e, ok := l.at(l.cursor, selID)
	if !ok {
		return Event{}, false
	}
	return Event{Name: e.name, VMID: e.vm, Time: e.t, Data: e.raw}, true
}
