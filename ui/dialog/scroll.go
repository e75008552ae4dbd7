package dialog

import (
	"charm.land/bubbles/v2/viewport"
	"github.com/qmpdash/qmpdash/themes"
	"github.com/qmpdash/qmpdash/ui/keys"
	"github.com/qmpdash/qmpdash/ui/render"
)

// scroller is a bubbles viewport over lines, with the last visible line
// given over to "↓ N more" while lines are hidden below, so a reader knows
// there is more and which keys scroll.
type scroller struct {
	vp viewport.Model
}

func newScroller() scroller {
	vp := viewport.New()
	vp.KeyMap = viewport.KeyMap{} // keys come from the dialog's table
	return scroller{vp: vp}
}

// show sets the content and the window, keeping the offset in range.
func (s *scroller) show(lines []string, w, h int) {
	s.vp.SetWidth(max(1, w))
	s.vp.SetHeight(max(1, h))
	s.vp.SetContentLines(lines)
	s.vp.SetYOffset(s.vp.YOffset()) // clamps to the new content
}

// scroll moves by n lines (negative is up); top and bottom jump.
func (s *scroller) scroll(n int) {
	if n < 0 {
		s.vp.ScrollUp(-n)
	} else {
		s.vp.ScrollDown(n)
	}
}

// act carries out one of the scrolling actions every scrolling dialog
// shares; it reports whether action was one.
func (s *scroller) act(action string) bool {
	switch action {
	case "up":
		s.scroll(-1)
	case "down":
		s.scroll(1)
	case "page-up":
		s.scroll(-10)
	case "page-down":
		s.scroll(10)
	case "top":
		s.vp.GotoTop()
	case "bottom":
		s.vp.GotoBottom()
	default:
		return false
	}
	return true
}

// view is the visible lines, the last one marking what is hidden below
// and naming downKey, the label of the keys that scroll.
func (s *scroller) view(st *themes.Styles, lines []string, w, h int, downKey string) []string {
	if h <= 0 {
		return nil
	}
	s.show(lines, w, h)
	off := s.vp.YOffset()
	end := min(len(lines), off+h)
	out := append([]string(nil), lines[off:end]...)
	if more := len(lines) - off - h + 1; more > 1 {
		out[h-1] = st.Muted.Render("↓ " + render.Itoa(more) + " more (" + downKey + " scrolls)")
	}
	return out
}

// scrollEntries are the table entries of the scrolling actions.
func scrollEntries(k *keys.Map) []keys.Entry {
	return []keys.Entry{
		{Action: "up", Binding: &k.Up}, {Action: "down", Binding: &k.Down},
		{Action: "page-up", Binding: &k.PageUp}, {Action: "page-down", Binding: &k.PageDown},
		{Action: "top", Binding: &k.Top}, {Action: "bottom", Binding: &k.Bottom},
	}
}
