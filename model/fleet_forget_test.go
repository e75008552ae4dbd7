package model

import (
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/sim"
)

func serveSim(t *testing.T, name, path string) *sim.VM {
	t.Helper()
	vm := sim.New(sim.Options{Name: name})
	if err := vm.ListenUnix(path); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { vm.Close() })
	return vm
}

// watcherGoroutines counts the goroutines running a VM's connection loop.
func watcherGoroutines() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Count(string(buf[:n]), "model.(*vmWatcher).run(")
		}
		buf = make([]byte, 2*len(buf))
	}
}

// A VM found in a watched directory whose socket went is shown gone for
// GoneGrace, then forgotten, its goroutines ended; a monitor named outright
// stays however long it is away; a forgotten VM whose socket comes back is
// watched afresh.
func TestFleetForgetsDiscoveredVMsGoneForGrace(t *testing.T) {
	dir := t.TempDir()
	named := filepath.Join(t.TempDir(), "named.qmp")
	cfg := testConfig()
	cfg.ScanInterval = 20 * time.Millisecond
	cfg.GoneGrace = 300 * time.Millisecond
	f := NewFleet(cfg)
	f.Add(canonical(mustParse(t, named)))
	runFleet(t, f)
	nvm := serveSim(t, "named", named)
	found := serveSim(t, "found", filepath.Join(dir, "found.qmp"))
	if err := f.Watch(t.Context(), []Spec{mustSpec(t, dir)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, f, 20*time.Second, "both connected", func(s FleetSnapshot) bool {
		return len(s.VMs) == 2 && vmBy(s, "named").Conn == ConnConnected && vmBy(s, "found").Conn == ConnConnected
	})
	if n := watcherGoroutines(); n != 2 {
		t.Fatalf("%d watcher goroutines for 2 VMs", n)
	}
	// The named monitor goes first, so it is away longer than the found one.
	nvm.Close()
	waitFor(t, f, 20*time.Second, "the named monitor retrying", func(s FleetSnapshot) bool {
		return vmBy(s, "named").Conn == ConnRetrying
	})
	found.Close()
	waitFor(t, f, 20*time.Second, "the found VM marked gone", func(s FleetSnapshot) bool {
		return vmBy(s, "found").Conn == ConnGone
	})
	s := waitFor(t, f, 20*time.Second, "the found VM forgotten", func(s FleetSnapshot) bool { return len(s.VMs) == 1 })
	if v := s.VMs[0]; v.Name != "named" || v.Conn == ConnGone {
		t.Fatalf("left %s conn %s, want the named monitor, not gone", v.Name, v.Conn)
	}
	deadline := time.Now().Add(20 * time.Second)
	for watcherGoroutines() != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("%d watcher goroutines for 1 VM after forgetting one", watcherGoroutines())
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Back again: a new row, connected.
	serveSim(t, "found", filepath.Join(dir, "found.qmp"))
	waitFor(t, f, 20*time.Second, "the returning VM watched again", func(s FleetSnapshot) bool {
		return len(s.VMs) == 2 && vmBy(s, "found").Conn == ConnConnected
	})
}
