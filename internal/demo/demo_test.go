package demo

import (
	"context"
	"strings"
	"time"

	"github.com/qmpdash/qmpdash/model"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

func TestSweepStaleRemovesOnlyDirectoriesWhoseOwnerIsGone(t *testing.T) {
	tmp := t.TempDir()
	// A process that has exited: its pid is free (until reused, which a
	// sweep then errs on the side of keeping).
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	dead := cmd.Process.Pid
	mk := func(name, owner string) string {
		d := filepath.Join(tmp, name)
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
		if owner != "" {
			if err := os.WriteFile(filepath.Join(d, ownerFile), []byte(owner), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		return d
	}
	stale := mk(dirPrefix+"stale", strconv.Itoa(dead))
	live := mk(dirPrefix+"live", strconv.Itoa(os.Getpid()))
	noOwner := mk(dirPrefix+"unowned", "")
	other := mk("something-else", strconv.Itoa(dead))
	SweepStale(tmp)
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale demo directory kept: %v", err)
	}
	for _, d := range []string{live, noOwner, other} {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("%s removed: %v", d, err)
		}
	}
}

func TestSimulatedDemoStopsAndRemovesEverything(t *testing.T) {
	f, err := Start(false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !f.Simulated || len(f.PIDs()) != 0 {
		t.Fatalf("simulated %v pids %v", f.Simulated, f.PIDs())
	}
	socks, _ := filepath.Glob(filepath.Join(f.Dir, "*.qmp"))
	if len(socks) != 4 {
		t.Fatalf("sockets %v", socks)
	}
	f.Stop()
	f.Stop()
	if _, err := os.Stat(f.Root()); !os.IsNotExist(err) {
		t.Fatalf("demo directory left behind: %v", err)
	}
}

// Asked for real VMs on a host without QEMU (qemu-system-x86_64 not on
// PATH), the demo falls back to the simulation instead of failing.
func TestDemoFallsBackToSimulationWithoutQEMU(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // an empty directory: no emulator on it
	f, err := Start(true, nil)
	if err != nil {
		t.Fatalf("demo without QEMU: %v", err)
	}
	defer f.Stop()
	if !f.Simulated || len(f.PIDs()) != 0 {
		t.Fatalf("simulated %v pids %v", f.Simulated, f.PIDs())
	}
	if socks, _ := filepath.Glob(filepath.Join(f.Dir, "*.qmp")); len(socks) != 4 {
		t.Fatalf("sockets %v", socks)
	}
}

// The simulated demo's guests have agents beside their monitors, so the
// dashboard shows a hostname and an address for each booted VM; the one
// waiting for cont has no guest running, so no agent.
func TestSimulatedDemoHasGuestAgents(t *testing.T) {
	f, err := Start(false, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Stop()
	fleet := model.NewFleet(model.Config{AgentInterval: 100 * time.Millisecond})
	spec, err := model.ParseSpec(f.Dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := fleet.Watch(ctx, []model.Spec{spec}); err != nil {
		t.Fatal(err)
	}
	stop := fleet.Start(ctx)
	defer func() {
		cancel() // the directory watch too, before the fleet is stopped
		if err := stop(10 * time.Second); err != nil {
			t.Error(err)
		}
	}()
	deadline := time.After(30 * time.Second)
	for {
		s := fleet.Snapshot()
		ok := len(s.VMs) == 4
		for _, v := range s.VMs {
			if v.Name == "build-02" {
				ok = ok && v.Guest.State == model.GuestNone
			} else {
				ok = ok && v.Guest.State == model.GuestOK && v.Guest.HostName == v.Name && strings.HasPrefix(v.Guest.FirstIP(), "10.0.2.")
			}
		}
		if ok {
			return
		}
		select {
		case <-fleet.Changed():
		case <-deadline:
			for _, v := range s.VMs {
				t.Logf("%s: %+v", v.Name, v.Guest)
			}
			t.Fatal("timed out waiting for the demo guests' agents")
		}
	}
}
