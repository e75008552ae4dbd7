package model

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/sim"
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
	if v.PID != os.Getpid() {
		t.Fatalf("peer pid %d, this process %d", v.PID, os.Getpid())
	}
	if v.Host.Valid || v.Host.RSSBytes != 0 || v.VCPUs[0].HasCPU {
		t.Fatalf("qmpdash's own figures shown as the VM's: %+v", v.Host)
	}
}
