package ui

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/qmp"
	"github.com/qmpdash/qmpdash/ui/render"
)

// deviceDelFails runs Delete device and makes QEMU refuse with msg.
func deviceDelFails(h *harness, msg string) {
	h.t.Helper()
	h.src.reply = func(vmID, cmd string, _ json.RawMessage) model.CommandResult {
		return model.CommandResult{VMID: vmID, Command: cmd,
			Err: model.ErrorInfo{Kind: qmp.KindResponse, Class: "DeviceNotFound", Message: msg}}
	}
	h.press(":")
	h.typeText("delete device", "enter")
	h.typeText("nope", "enter")
}

func TestStatusMessageBeatsCountsAt80Columns(t *testing.T) {
	h := demo(t, Options{}, 80, 24)
	h.fireTicks()
	h.press("G") // web-01
	deviceDelFails(h, "device_del: Device 'nope' not found")
	st := h.statusText()
	if !strings.Contains(st, "[NO-DEVICE] web-01: device_del: Device 'nope' not found") {
		t.Fatalf("message cut at 80 columns: %q", st)
	}
	// The counts give way but stay while they fit beside it.
	if !strings.Contains(st, "▶1 ‖1 ■1 ✕1") {
		t.Fatalf("counts dropped although they fit: %q", st)
	}
	// A message longer than the bar: its start, QEMU's own words, shows.
	h.fireTicks()
	deviceDelFails(h, "device_del: Device 'virtio-disk-hotplug-0' not found (the guest did not answer the unplug request in time)")
	st = h.statusText()
	if !strings.Contains(st, "device_del: Device 'virtio-disk-hotplug-0' not found") {
		t.Fatalf("start of QEMU's description not visible: %q", st)
	}
	if render.Width(st) > 80 {
		t.Fatalf("status is %d cells wide", render.Width(st))
	}
	// Once the message fades, the counts come back in full.
	h.fireTicks()
	if st := h.statusText(); !strings.Contains(st, "▶1 running") || !strings.Contains(st, "poll 1s") {
		t.Fatalf("status after fade %q", st)
	}
}

func TestEmptyFleetSaysWhereItWatches(t *testing.T) {
	h := newHarness(t, newFakeSource(), Options{}, 100, 30)
	h.mustShow("no VMs yet — waiting for the fleet")

	h = newHarness(t, newFakeSource(), Options{Watching: "/run/qemu/, $XDG_RUNTIME_DIR/qemu/ …"}, 100, 30)
	h.mustShow("no VMs yet — watching /run/qemu/, $XDG_RUNTIME_DIR/qemu/ …")
	h.mustNotShow("waiting for the fleet")

	// Sanitised and clipped: no escape sequence reaches the terminal, and
	// a long description stays on its line.
	long := "/srv/\x1b[2J\x1b]0;pwned\x07vms/" + strings.Repeat("x", 300)
	h = newHarness(t, newFakeSource(), Options{Watching: long}, 100, 30)
	raw := h.a.render()
	if strings.Contains(raw, "\x1b[2J") || strings.Contains(raw, "\x1b]0;") {
		t.Fatal("Options.Watching reached the screen unsanitised")
	}
	h.mustShow("no VMs yet — watching /srv/")
	for i, l := range strings.Split(h.screen(), "\n") {
		if render.Width(l) > 100 {
			t.Fatalf("line %d is %d cells wide", i, render.Width(l))
		}
	}
}

// At 80 columns every state's help line still shows help and quit: the
// lower-value keys before them are dropped first.
func TestHelpLineKeepsHelpAndQuitAt80(t *testing.T) {
	h := demo(t, Options{}, 80, 24)
	for _, keys := range [][]string{nil, {"G", "enter"}, {"G", "l"}, {"G", "enter", "4"}} {
		h.press("esc", "esc")
		h.press(keys...)
		if l := h.helpLine(); !strings.Contains(l, "? help") || !strings.Contains(l, "q/ctrl+c quit") {
			t.Errorf("after %v the help line hides help or quit: %q", keys, l)
		}
	}
}
