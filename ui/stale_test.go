package ui

import (
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/model"
)

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
