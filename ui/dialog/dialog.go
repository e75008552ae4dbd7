// Package dialog holds what opens on top of the dashboard (help, the reply
// viewer, the error history, a y/N question) and the one Stack that says
// which of them is on top. Each dialog satisfies one small interface; the
// root gives the top dialog every key, paste and mouse message first and
// carries out the Action it returns, so adding a dialog is a new file, not
// an edit in every router.
//
// Dialogs get their content and callbacks passed in; the package imports
// keys, render and bubbles, never ui or the other parts.
package dialog

import (
	tea "charm.land/bubbletea/v2"
	"github.com/qmpdash/qmpdash/ui/keys"
)

// Dialog is one thing open on top.
type Dialog interface {
	// ID names the dialog: "help", "viewer", "errors", "confirm", ...
	ID() string
	// Keys is the table the dialog answers to now: its routing, its help
	// line and its part of the clash check.
	Keys() keys.Table
	// Update takes a key, paste or mouse message and says what the root
	// should do.
	Update(msg tea.Msg) Action
	// View draws the dialog in an interior of w x h cells: its title and
	// at most h lines.
	View(w, h int) (title string, lines []string)
}

// Fixed is implemented by dialogs whose box keeps its full height even
// when their lines are fewer (the reply viewer).
type Fixed interface{ FixedHeight() bool }

// Action is what a dialog asks of the root; nil asks nothing. The root
// knows the types below, and the ones its own dialogs define (the
// palette's choice).
type Action any

type (
	// Close pops the dialog.
	Close struct{}
	// Quit ends the program.
	Quit struct{}
	// Run pops the dialog and runs Cmd (which may be nil).
	Run struct{ Cmd tea.Cmd }
	// Do keeps the dialog open and runs Cmd.
	Do struct{ Cmd tea.Cmd }
)

// Stack is the dialogs open, bottom first. The zero value is empty.
type Stack struct{ ds []Dialog }

// Push opens d on top, sized for a w x h terminal if it is Sized.
func (s *Stack) Push(d Dialog, w, h int) {
	if z, ok := d.(Sized); ok {
		z.SetSize(w, h)
	}
	s.ds = append(s.ds, d)
}

// Resize tells every Sized dialog the terminal's new size.
func (s *Stack) Resize(w, h int) {
	for _, d := range s.ds {
		if z, ok := d.(Sized); ok {
			z.SetSize(w, h)
		}
	}
}

// Pop closes the top dialog.
func (s *Stack) Pop() {
	if n := len(s.ds); n > 0 {
		s.ds[n-1] = nil
		s.ds = s.ds[:n-1]
	}
}

// Top is the dialog on top, or nil.
func (s *Stack) Top() Dialog {
	if n := len(s.ds); n > 0 {
		return s.ds[n-1]
	}
	return nil
}

// Open says whether a dialog with this id is open anywhere in the stack.
func (s *Stack) Open(id string) bool {
	for _, d := range s.ds {
		if d.ID() == id {
			return true
		}
	}
	return false
}

// Find is the dialog with this id nearest the top, or nil.
func (s *Stack) Find(id string) Dialog {
	for i := len(s.ds) - 1; i >= 0; i-- {
		if s.ds[i].ID() == id {
			return s.ds[i]
		}
	}
	return nil
}

// Remove closes every dialog with this id.
func (s *Stack) Remove(id string) {
	kept := s.ds[:0]
	for _, d := range s.ds {
		if d.ID() != id {
			kept = append(kept, d)
		}
	}
	clear(s.ds[len(kept):])
	s.ds = kept
}

// Sized is implemented by dialogs that lay themselves out for the
// terminal's size; the root calls SetSize on push and on every resize.
type Sized interface{ SetSize(w, h int) }

// Len is how many dialogs are open.
func (s *Stack) Len() int { return len(s.ds) }
