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
	if l.scroll > 0 {
		// Counted in the list the view reads (if it switched lists, the
		// root's clamp will do).
		switch now := l.usesVM(selID); {
		case now && was:
			l.scroll += addedVM
		case !now && !was:
			l.scroll += shownMerged
		}
	}
	l.dropped = dropped
}

// TakeFetch takes in an immediate read of a VM's own log.
func (l *Model) TakeFetch(f Fetch, selID string) {
	was := l.usesVM(selID)
	added, ok := l.setVM(f, selID)
	if ok && was && l.usesVM(selID) && l.scroll > 0 {
		l.scroll += added // stay on the lines being read
	}
}

// SelectionMoved forgets what belonged to the VM selected before: the
// offset and its own log.
func (l *Model) SelectionMoved() {
	l.scroll = 0
	l.dropVM()
}

// ScrollBy moves the view; positive is up (older). It clamps so the view
// never scrolls past the oldest of the h lines shown.
func (l *Model) ScrollBy(delta, h int, selID string) { l.scrollBy(delta, h, selID) }
