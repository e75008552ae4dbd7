// Package lineinput is the one-line editor of the palette, its prompts and
// the filters, and the list of keys it edits with (which the key map keeps
// out of inputs). It imports themes, render and termsafe; never ui.
package lineinput

import (
	"strings"
	"unicode"

	tea "charm.land/bubbletea/v2"
	"github.com/qmpdash/qmpdash/internal/termsafe"
	"github.com/qmpdash/qmpdash/themes"
	"github.com/qmpdash/qmpdash/ui/render"
)

// Model is a small one-line editor for the palette, its prompts and the
// filters. (bubbles' textinput needs a clipboard module that is not in this
// module's go.sum, and we want no blinking cursor timer anyway.)
type Model struct {
	Prompt      string
	Placeholder string
	value       []rune
	pos         int
}

// maxInputRunes bounds what a paste can put into an input.
const maxInputRunes = 4096

func (l *Model) Value() string { return string(l.value) }

// SetValue replaces the text (sanitised: completions and recalled history
// come from VMs and files).
func (l *Model) SetValue(s string) {
	l.value = []rune(termsafe.Line(s))
	if len(l.value) > maxInputRunes {
		l.value = l.value[:maxInputRunes]
	}
	l.pos = len(l.value)
}

func (l *Model) Reset() { l.value, l.pos = nil, 0 }

// Insert adds text at the cursor; control characters and escape sequences
// are dropped (a paste can carry them).
func (l *Model) Insert(s string) {
	s = termsafe.Line(s)
	rs := []rune(strings.ReplaceAll(s, termsafe.Replacement, ""))
	if room := maxInputRunes - len(l.value); len(rs) > room {
		rs = rs[:max(0, room)]
	}
	if len(rs) == 0 {
		return
	}
	v := make([]rune, 0, len(l.value)+len(rs))
	v = append(v, l.value[:l.pos]...)
	v = append(v, rs...)
	v = append(v, l.value[l.pos:]...)
	l.value = v
	l.pos += len(rs)
}

// HandleKey edits the line; it reports whether the key was an editing key.
func (l *Model) HandleKey(msg tea.KeyPressMsg) bool {
	switch msg.String() {
	case "left", "ctrl+b":
		l.pos = max(0, l.pos-1)
	case "right", "ctrl+f":
		l.pos = min(len(l.value), l.pos+1)
	case "home", "ctrl+a":
		l.pos = 0
	case "end", "ctrl+e":
		l.pos = len(l.value)
	case "backspace", "ctrl+h":
		if l.pos > 0 {
			l.value = append(l.value[:l.pos-1], l.value[l.pos:]...)
			l.pos--
		}
	case "delete", "ctrl+d":
		if l.pos < len(l.value) {
			l.value = append(l.value[:l.pos], l.value[l.pos+1:]...)
		}
	case "ctrl+u":
		l.value = append([]rune(nil), l.value[l.pos:]...)
		l.pos = 0
	case "ctrl+k":
		l.value = l.value[:l.pos]
	case "ctrl+w", "alt+backspace":
		i := l.pos
		for i > 0 && unicode.IsSpace(l.value[i-1]) {
			i--
		}
		for i > 0 && !unicode.IsSpace(l.value[i-1]) {
			i--
		}
		l.value = append(l.value[:i], l.value[l.pos:]...)
		l.pos = i
	case "alt+left", "ctrl+left":
		for l.pos > 0 && unicode.IsSpace(l.value[l.pos-1]) {
			l.pos--
		}
		for l.pos > 0 && !unicode.IsSpace(l.value[l.pos-1]) {
			l.pos--
		}
	case "alt+right", "ctrl+right":
		for l.pos < len(l.value) && unicode.IsSpace(l.value[l.pos]) {
			l.pos++
		}
		for l.pos < len(l.value) && !unicode.IsSpace(l.value[l.pos]) {
			l.pos++
		}
	default:
		if msg.Text == "" || msg.Mod&(tea.ModCtrl|tea.ModAlt) != 0 {
			return false
		}
		l.Insert(msg.Text)
	}
	return true
}

// View draws prompt, text and a reverse-video cursor in w cells, scrolling
// horizontally to keep the cursor visible.
func (l *Model) View(st *themes.InputStyles, w int, focused bool) string {
	p := st.Prompt.Render(l.Prompt)
	room := w - render.Width(l.Prompt) - 1
	if room < 1 {
		return render.Trunc(p, w)
	}
	if len(l.value) == 0 {
		cur := ""
		if focused {
			cur = st.Cursor.Render(" ")
		}
		return p + cur + st.Placeholder.Render(render.Trunc(l.Placeholder, room))
	}
	start := 0
	if l.pos > room {
		start = l.pos - room
	}
	end := min(len(l.value), start+room)
	before := string(l.value[start:l.pos])
	var b strings.Builder
	b.WriteString(p)
	b.WriteString(st.Text.Render(before))
	if focused {
		under := " "
		rest := ""
		if l.pos < end {
			under = string(l.value[l.pos])
			rest = string(l.value[l.pos+1 : end])
		}
		b.WriteString(st.Cursor.Render(under))
		b.WriteString(st.Text.Render(rest))
	} else {
		b.WriteString(st.Text.Render(string(l.value[l.pos:end])))
	}
	return render.Trunc(b.String(), w)
}

// editKeys are the keys HandleKey edits with besides typing; the key map
// keeps them out of inputs so a rebinding never steals one.
var editKeys = map[string]bool{
	"left": true, "right": true, "home": true, "end": true, "backspace": true, "delete": true,
	"ctrl+a": true, "ctrl+b": true, "ctrl+e": true, "ctrl+f": true, "ctrl+h": true, "ctrl+d": true,
	"ctrl+u": true, "ctrl+k": true, "ctrl+w": true, "alt+backspace": true,
	"alt+left": true, "ctrl+left": true, "alt+right": true, "ctrl+right": true,
}

// IsEditKey says whether HandleKey edits with the key named s.
func IsEditKey(s string) bool { return editKeys[s] }

// EditFilter applies one key to a filter typed in l: "clear" stops editing
// and empties the filter, "keep" stops editing and keeps it, and any other
// key goes to the line, whose trimmed text becomes the filter. It reports
// whether anything changed.
func (l *Model) EditFilter(act string, msg tea.KeyPressMsg, editing *bool, filter *string) bool {
	switch act {
	case "clear":
		*editing, *filter = false, ""
	case "keep":
		*editing = false
	default:
		if !l.HandleKey(msg) {
			return false
		}
		*filter = strings.TrimSpace(l.Value())
	}
	return true
}
