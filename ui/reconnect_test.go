package ui

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/model"
)

// VMs whose monitor is gone: panes that say how old their figures are,
// reconnecting at once, and a VM that quit on purpose.

// ageTicks counts the armed redraws of ages.
func (h *harness) ageTicks() int {
	n := 0
	for _, m := range h.ticks {
		if _, ok := m.(ageTickMsg); ok {
			n++
		}
	}
	return n
}

// A VM that stopped answering: its panes say their figures are last known
// and how old, and one redraw a second keeps that age true, for as long
// as it is shown (and no longer).
func TestDeadVMPanesSayLastKnownAndAgesTick(t *testing.T) {
	h := demo(t, Options{}, 160, 48)
	if h.ageTicks() != 0 {
		t.Fatal("an age tick is armed with no age on screen")
	}
	h.src.update(func(s *model.FleetSnapshot) {
		for i := range s.VMs {
			if s.VMs[i].Name == "web-01" {
				s.VMs[i].Conn, s.VMs[i].StateAt = model.ConnRetrying, t0.Add(-30*time.Second)
			}
		}
	})
	h.sync()
	h.press("G", "enter")
	h.mustShow("✕ not connected: last known, as of 11:59:30 (30s ago)")
	if n := h.ageTicks(); n != 1 {
		t.Fatalf("%d age ticks armed, want 1", n)
	}
	h.fireTicks()
	if n := h.ageTicks(); n != 1 {
		t.Fatalf("after a tick %d are armed, want 1 (one loop, re-armed)", n)
	}
	// Back up: no age on screen, so the loop ends at its next tick.
	h.src.update(func(s *model.FleetSnapshot) {
		for i := range s.VMs {
			if s.VMs[i].Name == "web-01" {
				s.VMs[i].Conn, s.VMs[i].StateAt = model.ConnConnected, time.Time{}
			}
		}
	})
	h.sync()
	h.mustNotShow("not connected: last known")
	h.fireTicks()
	if n := h.ageTicks(); n != 0 {
		t.Fatalf("%d age ticks armed after the VM came back", n)
	}
}

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
