package model

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemutest"
	"github.com/qmpdash/qmpdash/internal/sim"
	"github.com/qmpdash/qmpdash/qmp"
	"github.com/qmpdash/qmpdash/remote"
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

// The fleet's count of lost events never goes back: what a forgotten VM
// lost stays counted.
func TestEventsDroppedKeepsWhatAForgottenVMLost(t *testing.T) {
	f := NewFleet(testConfig())
	id := f.Add(mustParse(t, "unix:/nonexistent/a.qmp"))
	f.mu.Lock()
	m := f.vms[id]
	f.mu.Unlock()
	m.w.subDropped.Add(5)
	if got := f.EventsDropped(); got != 5 {
		t.Fatalf("EventsDropped = %d, want 5", got)
	}
	f.mu.Lock()
	f.forgetLocked(id, m)
	f.mu.Unlock()
	if got := f.EventsDropped(); got != 5 {
		t.Fatalf("EventsDropped after forgetting the VM = %d, want 5 still", got)
	}
}

// While its host cannot be listed, a remote VM's time "gone" is not
// counted: one that went missing before the outage gets a fresh grace from
// the last failed listing, not forgotten at the first listing after it.
func TestAHostThatCannotBeListedStopsTheGoneClock(t *testing.T) {
	o := remote.HomeOptions(t.TempDir())
	o.ConnectTimeout = 2 * time.Second
	pool := remote.NewPool(o)
	t.Cleanup(pool.Close)
	cfg := testConfig()
	cfg.Remote = pool
	cfg.GoneGrace = time.Minute
	f := NewFleet(cfg)
	port := qemutest.FreePort(t) // nothing listens: every listing fails
	spec, err := ParseSpec(fmt.Sprintf("ssh://qmpdash@127.0.0.1:%d/run/qemu", port))
	if err != nil || spec.Kind != SpecRemoteScan {
		t.Fatalf("spec %+v, %v", spec, err)
	}
	id := f.Add(qmp.Address{Network: "ssh", Addr: fmt.Sprintf("qmpdash@127.0.0.1:%d/run/qemu/a.qmp", port)})
	longAgo := time.Now().Add(-time.Hour)
	f.mu.Lock()
	m := f.vms[id]
	m.scanned = true
	m.published.RemoteHost = spec.Remote.HostKey()
	m.goneSince = longAgo
	f.mu.Unlock()
	if err := f.rescan(t.Context(), []Spec{spec}); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.vms[id] == nil {
		t.Fatal("a VM of a host that could not be listed was forgotten")
	}
	if !m.goneSince.After(longAgo) {
		t.Fatal("the time its host could not be listed was counted as gone")
	}
}
