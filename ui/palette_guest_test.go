package ui

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/sim"
	"github.com/qmpdash/qmpdash/model"
)

// simGuestFleet is a real fleet over a simulated VM with a simulated
// agent beside it: guest-shutdown must never reach a real host qemu-ga,
// which would power off the machine running the tests.
func simGuestFleet(t *testing.T, readOnly bool) (*sendRecorder, *sim.Agent) {
	t.Helper()
	dir := t.TempDir()
	sock := filepath.Join(dir, "guest-vm.qmp")
	vm := sim.New(sim.Options{Name: "guest-vm"})
	if err := vm.ListenUnix(sock); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { vm.Close() })
	agent, err := sim.ListenAgent(filepath.Join(dir, "guest-vm.qga"), sim.DemoAgentFacts("guest-vm", 0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { agent.Close() })
	f := startRealFleet(t, model.Config{Interval: time.Hour, Timeout: 10 * time.Second, ReadOnly: readOnly}, sock)
	return &sendRecorder{Fleet: f}, agent
}

// Reboot and shut down through the agent: a y/N question naming the VM
// and the mode, then guest-shutdown with that mode at the agent, and a
// status that says it was asked, not done.
func TestPaletteGuestRebootAndShutdown(t *testing.T) {
	src, agent := simGuestFleet(t, false)
	h := newHarnessOn(t, src, Options{Confirm: true}, 120, 32, true)
	h.syncUntil(src, 20*time.Second, "the agent answering", func() bool {
		s := src.Snapshot()
		return len(s.VMs) == 1 && s.VMs[0].Guest.State == model.GuestOK
	})
	for _, c := range []struct{ query, mode, question string }{
		{"reboot guest", "reboot", "Reboot the guest of guest-vm through its agent (guest-shutdown reboot)"},
		{"shut down guest", "powerdown", "Shut down the guest of guest-vm through its agent (guest-shutdown powerdown)"},
	} {
		h.palette(c.query)
		h.mustShow(c.question)
		h.press("y")
		select {
		case got := <-agent.Shutdowns():
			if got != c.mode {
				t.Fatalf("%s: the agent got mode %q", c.query, got)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("%s: nothing reached the agent; screen:\n%s", c.query, h.screen())
		}
		h.syncUntil(src, 20*time.Second, "the result", func() bool {
			return strings.Contains(h.statusText(), "asked (the agent does not confirm")
		})
		if sent := src.commands(); len(sent) > 0 {
			t.Fatalf("sent to the monitor: %q", sent)
		}
	}
}

// Read-only mode: the guest actions are disabled and say why; enter on
// one sends nothing, to the agent or anywhere.
func TestPaletteGuestActionsReadOnly(t *testing.T) {
	src, agent := simGuestFleet(t, true)
	h := newHarnessOn(t, src, Options{ReadOnly: true, Confirm: true}, 160, 32, true)
	h.syncUntil(src, 20*time.Second, "the agent answering", func() bool {
		s := src.Snapshot()
		return len(s.VMs) == 1 && s.VMs[0].Guest.State == model.GuestOK
	})
	h.palette("reboot guest")
	h.mustShow("Reboot guest is disabled: read-only mode")
	// A ping after: had the reboot gone out on the agent's connection, it
	// would have arrived first.
	if res := src.ExecuteAgent(t.Context(), src.Snapshot().VMs[0].ID, "guest-ping", nil); !res.Err.IsZero() {
		t.Fatalf("ping: %+v", res.Err)
	}
	select {
	case m := <-agent.Shutdowns():
		t.Fatalf("read-only mode sent guest-shutdown %q", m)
	default:
	}
}

// A VM with no agent channel, or one whose agent does not answer: the
// guest actions are disabled with the reason.
func TestPaletteGuestActionsNeedAnAgent(t *testing.T) {
	for _, c := range []struct {
		guest model.Guest
		why   string
	}{
		{model.Guest{State: model.GuestNone}, "no guest agent known for this VM"},
		{model.Guest{State: model.GuestNotAnswering, PortClosed: true}, "no agent running in the guest"},
		{model.Guest{State: model.GuestNotAnswering}, "the guest agent is not answering"},
	} {
		vms := demoVMs()
		for i := range vms {
			vms[i].Guest = c.guest
		}
		h := newHarness(t, newFakeSource(vms...), Options{Confirm: true}, 160, 32)
		h.palette("shut down guest")
		h.mustShow("Shut down guest is disabled: " + c.why)
		h.mustNotSend()
	}
}
