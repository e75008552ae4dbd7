package model

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/sim"
)

// TestForeignPeerHelper is not a test: run as a child by the test below
// (QMPDASH_SIM_SOCKET set), it serves one simulated monitor from a process
// of its own, as `qmpdash sim` does, until its stdin closes.
func TestForeignPeerHelper(t *testing.T) {
	path := os.Getenv("QMPDASH_SIM_SOCKET")
	if path == "" {
		t.Skip("a helper process for TestFleetSkipsHostFiguresOfNonQEMUPeers")
	}
	vm := sim.New(sim.Options{Name: "foreign", VCPUs: 2})
	if err := vm.ListenUnix(path); err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, os.Stdin)
	vm.Close()
}

// A monitor served by another process that is no QEMU (qmpdash sim, which
// serves hundreds from one process) has no process figures of its own: the
// simulator's CPU and RSS must not be shown as each VM's.
func TestFleetSkipsHostFiguresOfNonQEMUPeers(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "foreign.qmp")
	cmd := exec.Command(os.Args[0], "-test.run=^TestForeignPeerHelper$")
	cmd.Env = append(os.Environ(), "QMPDASH_SIM_SOCKET="+sock)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		_ = cmd.Wait()
	})
	deadline := time.Now().Add(20 * time.Second)
	for statSocket(sock) == (socketID{}) {
		if time.Now().After(deadline) {
			t.Fatal("the helper's socket did not appear")
		}
		time.Sleep(10 * time.Millisecond)
	}
	f := startFleet(t, testConfig(), sock)
	s := waitFor(t, f, 20*time.Second, "a few polls", func(s FleetSnapshot) bool {
		return s.VMs[0].Polls >= 3 && len(s.VMs[0].VCPUs) == 2
	})
	if v := s.VMs[0]; v.PID != 0 || v.Host.Valid || v.Host.RSSBytes != 0 || v.VCPUs[0].HasCPU || !v.StartTime.IsZero() {
		t.Fatalf("the simulator's process shown as the VM's: pid %d host %+v", v.PID, v.Host)
	}
}
