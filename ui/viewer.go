package ui

import (
	"bytes"
	"encoding/json"

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
		if keyIs(k, a.keys.Quit) {
			return tea.Quit
		}
		switch k.String() {
		case "esc":
			a.view = viewer{}
			return nil
		case "home", "g":
			a.view.vp.GotoTop()
			return nil
		case "end", "G":
			a.view.vp.GotoBottom()
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
