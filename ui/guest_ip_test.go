package ui

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/sim"
	"github.com/qmpdash/qmpdash/model"
)

// The fleet's ip column shows the address the model worked out when the
// agent's facts arrived (Guest.IP): the guest's first that is neither
// loopback nor link-local, here eth0's 10.0.2.15 after lo's 127.0.0.1 and
// ::1 and before eth0's fe80::. Through a real fleet, whose agent is
// simulated (its facts are the test's to choose).
func TestFleetRowShowsTheGuestIPFromTheModel(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "vm.qmp")
	vm := sim.New(sim.Options{Name: "vm"})
	if err := vm.ListenUnix(sock); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { vm.Close() })
	agent, err := sim.ListenAgent(filepath.Join(dir, "vm.qga"), sim.DemoAgentFacts("vm", 0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { agent.Close() })
	f := startRealFleet(t, model.Config{Interval: 200 * time.Millisecond, Timeout: 10 * time.Second,
		AgentInterval: 50 * time.Millisecond}, sock)
	src := &sendRecorder{Fleet: f}
	h := newHarnessOn(t, src, Options{Columns: []string{"name", "ip"}}, 100, 24, true)
	h.syncUntil(src, 20*time.Second, "the guest's address in the row", func() bool {
		row := h.screenLinesWith("vm")
		return strings.Contains(row, "10.0.2.15") && !strings.Contains(row, "? 10.0.2.15") // "?" until the monitor's first poll
	})
	if row := h.screenLinesWith("vm"); strings.Contains(row, "127.0.0.1") || strings.Contains(row, "fe80") {
		t.Fatalf("row %q: want 10.0.2.15, current", row)
	}
}
