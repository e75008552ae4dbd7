package model

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemutest"
	"github.com/qmpdash/qmpdash/qmp"
)

// TestWatchNeverDialsMigrationListener: a watched directory holds a VM's
// monitor, its guest agent's and serial console's sockets, and the
// listener of a QEMU waiting for an incoming migration. The fleet shows
// the VM and nothing else, and the waiting QEMU is still alive and still
// in inmigrate afterwards: it was never connected to.
func TestWatchNeverDialsMigrationListener(t *testing.T) {
	dir := qemutest.Dir(t)
	mig := filepath.Join(dir, "mig.sock")
	// The waiting QEMU's own monitor is outside the watched directory.
	incoming := qemutest.Start(t, qemutest.Options{Name: "incoming", Dir: qemutest.Dir(t), Paused: true,
		Extra: []string{"-incoming", "unix:" + mig}})
	qemutest.Start(t, qemutest.Options{Name: "web", Dir: dir, Extra: []string{
		"-chardev", "socket,id=ga,path=" + filepath.Join(dir, "vm.qga") + ",server=on,wait=off",
		"-device", "virtio-serial", "-device", "virtserialport,chardev=ga,name=org.qemu.guest_agent.0",
		"-serial", "unix:" + filepath.Join(dir, "console.sock") + ",server=on,wait=off",
	}})
	waitSocket(t, mig)

	cfg := testConfig()
	cfg.ScanInterval = 50 * time.Millisecond
	f := NewFleet(cfg)
	runFleet(t, f)
	if err := f.Watch(t.Context(), []Spec{mustSpec(t, dir)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, f, 30*time.Second, "web connected", func(s FleetSnapshot) bool {
		return len(s.VMs) == 1 && s.VMs[0].Conn == ConnConnected && s.VMs[0].Name == "web"
	})
	// Ten more scans, each of which could have added the listener: none did.
	waitScans(t, f, f.scans.Load()+10)
	if ids := f.IDs(); len(ids) != 1 || ids[0] != "unix:"+filepath.Join(dir, "web.qmp") {
		t.Fatalf("fleet watches %v, want only web's monitor", ids)
	}
	// 'qmpdash status DIR' expands through the same judge.
	if addrs, err := ExpandSpecs([]Spec{mustSpec(t, dir)}, nil); err != nil || len(addrs) != 1 {
		t.Fatalf("status expansion %v %v, want web's monitor alone", addrs, err)
	}

	select {
	case <-incoming.Exited():
		t.Fatal("the QEMU waiting for a migration exited: its listener was dialled")
	default:
	}
	if st := queryStatus(t, incoming.Socket); st != "inmigrate" {
		t.Fatalf("incoming QEMU is %q, want inmigrate", st)
	}
}

// waitScans returns once the fleet has finished n rescans in all, or fails.
func waitScans(t *testing.T, f *Fleet, n uint64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for f.scans.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d rescans within 30s", f.scans.Load(), n)
		}
		time.Sleep(f.cfg.ScanInterval / 5)
	}
}

func waitSocket(t *testing.T, path string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if fi, err := os.Stat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never appeared", path)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// queryStatus asks a monitor for its run state.
func queryStatus(t *testing.T, sock string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := qmp.Dial(ctx, "unix:"+sock)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var st struct {
		Status string `json:"status"`
	}
	if err := c.Execute(ctx, "query-status", nil, &st); err != nil {
		t.Fatal(err)
	}
	return st.Status
}
