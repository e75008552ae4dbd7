package model

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/sim"
)

// A monitor served from inside qmpdash (the simulated demo) has qmpdash's
// own pid as its peer: its /proc figures would describe qmpdash, so the
// fleet must not show them as the VM's.
func TestFleetSkipsHostFiguresForInProcessPeers(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "sim.qmp")
	vm := sim.New(sim.Options{Name: "sim", VCPUs: 2, MemoryMiB: 256})
	if err := vm.ListenUnix(sock); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { vm.Close() })
	f := startFleet(t, testConfig(), sock)
	s := waitFor(t, f, 20*time.Second, "a few polls", func(s FleetSnapshot) bool {
		return s.VMs[0].Polls >= 3 && len(s.VMs[0].VCPUs) == 2
	})
	v := s.VMs[0]
	if v.PID != 0 {
		t.Fatalf("an in-process peer shown with pid %d (this process is %d)", v.PID, os.Getpid())
	}
	if v.Host.Valid || v.Host.RSSBytes != 0 || v.VCPUs[0].HasCPU {
		t.Fatalf("qmpdash's own figures shown as the VM's: %+v", v.Host)
	}
}

// The poll interval changes at run time, within bounds, and takes effect
// at once rather than after the old (hour-long) interval.
func TestFleetIntervalChangesAtRunTime(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "iv.qmp")
	vm := sim.New(sim.Options{Name: "iv"})
	if err := vm.ListenUnix(sock); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { vm.Close() })
	cfg := testConfig()
	cfg.Interval = time.Hour
	f := startFleet(t, cfg, sock)
	s := waitFor(t, f, 20*time.Second, "the poll on connect", func(s FleetSnapshot) bool { return s.VMs[0].Polls == 1 })
	if s.Interval != time.Hour {
		t.Fatalf("interval %v", s.Interval)
	}
	// Shorter: polls start coming (the change also pokes a poll at once).
	f.SetInterval(MinInterval)
	waitFor(t, f, 20*time.Second, "polls at the new interval", func(s FleetSnapshot) bool {
		return s.VMs[0].Polls >= 5 && s.Interval == MinInterval
	})
	// Out of range values are clamped.
	f.SetInterval(time.Nanosecond)
	if got := f.Interval(); got != MinInterval {
		t.Fatalf("clamped to %v", got)
	}
	f.SetInterval(48 * time.Hour)
	if got := f.Interval(); got != MaxInterval {
		t.Fatalf("clamped to %v", got)
	}
}
