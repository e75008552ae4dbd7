package themes

import (
	"strings"

	"charm.land/lipgloss/v2"
)

// Ink is a lipgloss.Style whose Render is precomputed. A dashboard frame
// styles hundreds of short strings, and lipgloss's general Render (width,
// padding, per-line handling) costs microseconds each; for a style that only
// sets colours and attributes, rendering is just a fixed prefix and suffix
// around the text, so we work those out once.
type Ink struct {
	lipgloss.Style
	pre, post string
	fast      bool
}

// NewInk wraps a style. Styles that need lipgloss's general path
// (underline and strike-through treat spaces specially; sizes, padding and
// borders reshape the text) keep it.
func NewInk(s lipgloss.Style) Ink {
	i := Ink{Style: s}
	if s.GetUnderline() || s.GetStrikethrough() || s.GetWidth() != 0 || s.GetHeight() != 0 ||
		s.GetHorizontalFrameSize() != 0 || s.GetVerticalFrameSize() != 0 || s.GetTransform() != nil {
		return i
	}
	out := s.Render("X")
	if k := strings.IndexByte(out, 'X'); k >= 0 && strings.Count(out, "X") == 1 {
		i.pre, i.post, i.fast = out[:k], out[k+1:], true
	}
	return i
}

// Render styles the strings (joined by spaces, as lipgloss does).
func (i Ink) Render(strs ...string) string {
	if !i.fast {
		return i.Style.Render(strs...)
	}
	var s string
	if len(strs) == 1 {
		s = strs[0]
	} else {
		s = strings.Join(strs, " ")
	}
	if strings.ContainsAny(s, "\n\t") {
		// Multi-line text is styled line by line and tabs are expanded;
		// let lipgloss do it.
		return i.Style.Render(s)
	}
	if i.pre == "" {
		return s
	}
	return i.pre + s + i.post
}
