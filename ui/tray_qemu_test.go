package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemutest"
	"github.com/qmpdash/qmpdash/model"
)

// Against a real QEMU with an ide-cd drive: ejecting from the palette
// opens the tray, the event log shows DEVICE_TRAY_MOVED with the telling
// field first ("tray-open"), and enter on it shows the event whole.
func TestTrayEventReadWholeQEMU(t *testing.T) {
	qemutest.Require(t)
	vm := qemutest.Start(t, qemutest.Options{Name: "cd", Dir: qemutest.Dir(t), Extra: []string{
		"-drive", "if=none,id=cd0,media=cdrom", "-device", "ide-cd,drive=cd0,id=cdrom0"}})
	f := startRealFleet(t, model.Config{Interval: 200 * time.Millisecond, Timeout: 10 * time.Second}, vm.Socket)
	src := &sendRecorder{Fleet: f}
	h := newHarnessOn(t, src, Options{Confirm: true}, 160, 48, true)
	h.syncUntil(src, 30*time.Second, "the VM and its cd drive", func() bool {
		s := f.Snapshot()
		return len(s.VMs) == 1 && s.VMs[0].Conn == model.ConnConnected && len(s.VMs[0].Blocks) > 0
	})

	h.palette("eject")
	h.typeText("cdrom0", "enter")
	h.press("y")
	h.syncUntil(src, 20*time.Second, "DEVICE_TRAY_MOVED in the event log", func() bool {
		return strings.Contains(h.screen(), `DEVICE_TRAY_MOVED {"tray-open":true`)
	})
	if sent := src.commands(); len(sent) != 1 || !strings.HasPrefix(sent[0], "eject ") {
		t.Fatalf("sent %q, want one eject", sent)
	}
	h.press("l", "enter")
	v := h.viewer()
	if c := v.Content(); !strings.Contains(c, `"tray-open": true`) || !strings.Contains(c, `"id": "cdrom0"`) {
		t.Fatalf("the event whole:\n%s", c)
	}
}
