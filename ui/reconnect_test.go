package ui

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/model"
)

// r (rebindable "reconnect") and the palette's "Reconnect now" ask the
// fleet to try the selected VM at once, from the fleet and from its panes.
func TestReconnectKeyAndPaletteAction(t *testing.T) {
	h := demo(t, Options{}, 160, 48)
	h.press("down", "down")
	h.mustSelect("legacy", "down twice")
	h.press("r")
	if got := h.src.reconnects(); !slices.Equal(got, []string{"unix:/run/qemu/legacy.qmp"}) {
		t.Fatalf("reconnects %v", got)
	}
	if s := h.statusText(); !strings.Contains(s, "reconnecting legacy now") {
		t.Fatalf("status %q", s)
	}
	// From the detail panes too, and on a connected VM it says so.
	h.press("G")
	h.mustSelect("web-01", "G")
	h.press("enter", "r")
	if s := h.statusText(); !strings.Contains(s, "web-01 is connected: nothing to reconnect") {
		t.Fatalf("status %q", s)
	}
	h.press("esc", "up")
	h.mustSelect("legacy", "esc, up")
	h.typeText(":reconnect", "enter")
	if got := h.src.reconnects(); len(got) != 3 || got[2] != "unix:/run/qemu/legacy.qmp" {
		t.Fatalf("palette reconnect: %v", got)
	}
}

func TestReconnectKeyRebinds(t *testing.T) {
	h := demo(t, Options{Keys: map[string][]string{"reconnect": {"ctrl+r"}}}, 160, 48)
	h.press("down", "down")
	h.mustSelect("legacy", "down twice")
	h.press("r")
	h.press("ctrl+r")
	if got := h.src.reconnects(); len(got) != 1 {
		t.Fatalf("after r and ctrl+r: %v", got)
	}
}

// A VM that quit is not an error: no [CONNECT] in the status bar, and its
// row says so.
func TestVMThatQuitIsNotAnError(t *testing.T) {
	h := demo(t, Options{}, 160, 48)
	h.press("e", "esc") // errors seen so far
	h.src.update(func(s *model.FleetSnapshot) {
		for i := range s.VMs {
			if s.VMs[i].Name == "web-01" {
				v := &s.VMs[i]
				v.Conn, v.Exit, v.StateAt, v.Stale = model.ConnClosed, "host-qmp-quit", t0.Add(-2*time.Second), true
				v.Host, v.VCPUs = model.Host{}, nil
			}
		}
	})
	h.sync()
	row := h.screenLinesWith("web-01")
	if !strings.Contains(row, "■ quit") || !strings.Contains(row, "○ closed") || strings.Contains(row, "49.5%") {
		t.Fatalf("row of a VM that quit:\n%s", row)
	}
	if s := h.statusText(); strings.Contains(s, "web-01") {
		t.Fatalf("status bar speaks of web-01: %q", s)
	}
}
