package ui

import (
	"bytes"
	"encoding/json"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
)

// The reply viewer: a scrollable box over a command's reply (pretty JSON)
// or HMP output. Content arrives sanitised.

const maxReplyBytes = 4 << 20

type viewer struct {
	open  bool
	title string
	vp    viewport.Model
}

func (a *app) openViewer(title, content string) {
	a.view = viewer{open: true, title: title, vp: viewport.New()}
	a.view.vp.MouseWheelEnabled = true
	// The viewport answers to our bindings, not its own pager defaults, so
	// the help line (drawn from the key map) is what works, rebinds included.
	k := &a.keys
	a.view.vp.KeyMap = viewport.KeyMap{
		Up: k.Up, Down: k.Down, PageUp: k.PageUp, PageDown: k.PageDown,
		Left: key.NewBinding(key.WithKeys("left")), Right: key.NewBinding(key.WithKeys("right")),
	}
	a.view.vp.SetContent(content)
	a.sizeViewer()
}

// sizeViewer fits the viewport inside the overlay box for the current size.
func (a *app) sizeViewer() {
	if !a.view.open {
		return
	}
	w, h := overlaySize(a.w, a.h)
	a.view.vp.SetWidth(max(1, w-4))
	a.view.vp.SetHeight(max(1, h-3))
}

func (a *app) updateViewer(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		km := &a.keys
		switch {
		case keyIs(k, km.Quit):
			return tea.Quit
		case keyIs(k, km.Back):
			a.view = viewer{}
			return nil
		case keyIs(k, km.Top):
			a.view.vp.GotoTop()
			return nil
		case keyIs(k, km.Bottom):
			a.view.vp.GotoBottom()
			return nil
		case !keyIs(k, km.Up, km.Down, km.PageUp, km.PageDown, km.Sideways):
			return nil
		}
	}
	var cmd tea.Cmd
	a.view.vp, cmd = a.view.vp.Update(msg)
	return cmd
}

func prettyJSON(raw json.RawMessage) string {
	if len(raw) > maxReplyBytes {
		return string(raw[:maxReplyBytes]) + "\n… (reply cut at 4 MiB)"
	}
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return string(raw)
	}
	return b.String()
}
