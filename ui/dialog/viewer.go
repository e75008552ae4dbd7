package dialog

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"github.com/qmpdash/qmpdash/ui/keys"
)

// Viewer is a scrollable box over a command's reply (pretty JSON) or HMP
// output, in bubbles' viewport. Content arrives sanitised.
type Viewer struct {
	title string
	vp    viewport.Model
	table keys.Table
}

// NewViewer shows content under title (Push sizes it).
func NewViewer(km *keys.Map, title, content string) *Viewer {
	d := &Viewer{title: title, vp: viewport.New(), table: ViewerKeys(km)}
	d.vp.MouseWheelEnabled = true
	// The viewport answers to our bindings, not its own pager defaults, so
	// the help line (drawn from the key map) is what works, rebinds included.
	d.vp.KeyMap = viewport.KeyMap{
		Up: km.Up, Down: km.Down, PageUp: km.PageUp, PageDown: km.PageDown,
		Left: key.NewBinding(key.WithKeys("left")), Right: key.NewBinding(key.WithKeys("right")),
	}
	d.vp.SetContent(content)
	return d
}

// ViewerKeys is the reply viewer's table.
func ViewerKeys(k *keys.Map) keys.Table {
	return keys.Table{
		Context: "reply viewer",
		Entries: append([]keys.Entry{{Action: "quit", Binding: &k.Quit}, {Action: "back", Binding: &k.Back}},
			append(scrollEntries(k), keys.Entry{Action: "sideways", Binding: &k.Sideways})...),
		Short: []string{"back", "up", "down", "page-up", "page-down", "top", "bottom", "sideways"},
	}
}

// SetSize fits the viewport inside the overlay box of a w x h terminal.
func (d *Viewer) SetSize(w, h int) {
	ow, oh := OverlaySize(w, h)
	d.vp.SetWidth(max(1, ow-4))
	d.vp.SetHeight(max(1, oh-3))
}

func (d *Viewer) ID() string        { return "viewer" }
func (d *Viewer) Keys() keys.Table  { return d.table }
func (d *Viewer) FixedHeight() bool { return true }

// Content is what the viewer shows, for tests.
func (d *Viewer) Content() string { return d.vp.GetContent() }

// Offset is the first line shown.
func (d *Viewer) Offset() int { return d.vp.YOffset() }

func (d *Viewer) Update(msg tea.Msg) Action {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch d.table.Match(k) {
		case "quit":
			return Quit{}
		case "back":
			return Close{}
		case "top":
			d.vp.GotoTop()
			return nil
		case "bottom":
			d.vp.GotoBottom()
			return nil
		case "":
			return nil
		}
	} else if _, ok := msg.(tea.MouseMsg); !ok {
		return nil
	}
	var cmd tea.Cmd
	d.vp, cmd = d.vp.Update(msg)
	if cmd != nil {
		return Do{Cmd: cmd}
	}
	return nil
}

func (d *Viewer) View(w, h int) (string, []string) {
	return d.title, strings.Split(d.vp.View(), "\n")
}

// OverlaySize is the box a dialog gets in a w x h area.
func OverlaySize(w, h int) (int, int) {
	return max(10, min(w-4, 110)), max(5, min(h-4, 36))
}

// AtBottom says whether the last line is in view.
func (d *Viewer) AtBottom() bool { return d.vp.AtBottom() }
