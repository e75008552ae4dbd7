package ui

import (
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/qmpdash/qmpdash/ui/panes"
	"github.com/qmpdash/qmpdash/ui/render"
)

func click(x, y int) tea.MouseClickMsg { return tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft} }

func TestMouseClickSelectsVM(t *testing.T) {
	h := demo(t, Options{}, 100, 30)
	// Compact layout: header at y=0, table header at y=1, rows from y=2.
	h.send(click(5, 5))
	h.mustSelect("web-01", "click on the 4th row")
	h.send(click(5, 2))
	h.mustSelect("build-runner", "click on the 1st row")
	// Below the rows: nothing happens.
	h.send(click(5, 20))
	h.mustSelect("build-runner", "click on empty space changed the selection")
}

func TestMouseClickSelectsTab(t *testing.T) {
	h := demo(t, Options{}, 100, 30)
	h.press("enter")
	// Find the "4 Block" tab on the tab row (y=1).
	x := 0
	for i, l := range tabLabels(100) {
		if i == int(panes.BlockPane) {
			break
		}
		x += render.Width(l) + tabGap(100)
	}
	h.send(click(x+2, 1))
	if h.a.pane != panes.BlockPane {
		t.Fatalf("click on the Block tab chose %v", h.a.pane)
	}
}

func TestMouseWideClicksAndWheel(t *testing.T) {
	h := demo(t, Options{}, 160, 48)
	l := h.a.layout()
	rows := l.fleetRows()
	h.send(click(rows.x+3, rows.y+3))
	h.mustSelect("web-01", "wide click")
	h.send(click(l.events.x+5, l.events.y+2))
	if h.a.focus != focusDetail || h.a.pane != panes.EventsPane {
		t.Fatal("click on the event log did not focus it")
	}
	v, _ := h.a.selected()
	for _, b := range h.a.widePanes(v, l.detail) {
		if b.id == panes.ChardevsPane {
			h.send(click(b.r.x+2, b.r.y+1))
		}
	}
	if h.a.pane != panes.ChardevsPane {
		t.Fatalf("click on the Chardevs pane chose %v", h.a.pane)
	}
	h.send(tea.MouseWheelMsg{X: rows.x + 3, Y: rows.y, Button: tea.MouseWheelUp})
	h.mustSelect("build-runner", "wheel up on the fleet")
}

func TestMouseOffByOptionAndKey(t *testing.T) {
	h := demo(t, Options{NoMouse: true}, 100, 30)
	if h.a.View().MouseMode != tea.MouseModeNone {
		t.Fatal("NoMouse still captures the mouse")
	}
	h.send(click(5, 5))
	h.mustSelect("build-runner", "click acted with the mouse off")
	h.press("m")
	if h.a.View().MouseMode != tea.MouseModeCellMotion {
		t.Fatal("m did not turn the mouse on")
	}
	h.send(click(5, 5))
	h.mustSelect("web-01", "click ignored with the mouse on")
	h.press("m")
	if h.a.View().MouseMode != tea.MouseModeNone {
		t.Fatal("m did not turn the mouse off")
	}
	h.mustShow("mouse off")
}

func TestViewUsesAltScreen(t *testing.T) {
	h := demo(t, Options{}, 100, 30)
	v := h.a.View()
	if !v.AltScreen || v.MouseMode != tea.MouseModeCellMotion {
		t.Fatalf("view fields: alt=%v mouse=%v", v.AltScreen, v.MouseMode)
	}
}
