package model

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemutest"
	"github.com/qmpdash/qmpdash/qmp"
)

// A VM's life as the fleet tells it: when its process started, what a
// dead one shows, how one that quit is reported, and how fast a VM
// restarted on the same socket is connected again.

func TestFleetUptimeIsTheProcessStartNotTheFleetStart(t *testing.T) {
	dir := qemutest.Dir(t)
	port := qemutest.FreePort(t)
	before := time.Now()
	vm := qemutest.Start(t, qemutest.Options{Name: "old", Dir: dir,
		Extra: []string{"-qmp", fmt.Sprintf("tcp:127.0.0.1:%d,server=on,wait=off", port)}})
	after := time.Now()
	// A deliberate gap, so the process start and the fleet start cannot
	// be taken for each other.
	time.Sleep(3 * time.Second)
	fleetStart := time.Now()
	tcp := fmt.Sprintf("tcp:127.0.0.1:%d", port)
	f := startFleet(t, testConfig(), vm.Socket, tcp)
	s := waitFor(t, f, 30*time.Second, "both monitors of the VM polled", func(s FleetSnapshot) bool {
		return len(s.VMs) == 2 && s.VMs[0].Polls > 0 && s.VMs[1].Polls > 0
	})
	local, ok := s.VM("unix:" + vm.Socket)
	if !ok {
		t.Fatalf("no unix VM:\n%s", describe(s))
	}
	// btime is whole seconds, so the start is good to a second.
	if local.StartTime.Before(before.Add(-1500*time.Millisecond)) || local.StartTime.After(after.Add(1500*time.Millisecond)) {
		t.Fatalf("start time %v; the process started between %v and %v", local.StartTime, before, after)
	}
	if !local.StartTime.Before(fleetStart.Add(-time.Second)) || local.SeenSince.Before(fleetStart) {
		t.Fatalf("start %v, seen since %v: not the process start before the fleet's %v", local.StartTime, local.SeenSince, fleetStart)
	}
	remote, _ := s.VM(tcp)
	if remote.PID != 0 || !remote.StartTime.IsZero() || remote.SeenSince.Before(fleetStart) {
		t.Fatalf("tcp VM: pid %d start %v seen since %v: a TCP peer's start cannot be known", remote.PID, remote.StartTime, remote.SeenSince)
	}
	if !local.RunningSince.IsZero() {
		t.Fatalf("running since %v: no change of state was seen", local.RunningSince)
	}
}

// restartWithin is how soon after its socket returns a restarted VM must
// be connected: the socket is looked at every 200 ms (named) or scanned
// every 200 ms here (directory), plus the handshake under -race.
const restartWithin = 1500 * time.Millisecond

func TestFleetKilledVMIsMarkedDeadAndReconnectsWhenItsSocketReturns(t *testing.T) {
	for _, watched := range []string{"named socket", "directory"} {
		t.Run(watched, func(t *testing.T) {
			dir := qemutest.Dir(t)
			sock := filepath.Join(dir, "k.qmp")
			vm := qemutest.Start(t, qemutest.Options{Name: "k", Dir: dir, Socket: sock})
			cfg := testConfig()
			cfg.Backoff = DefaultBackoff() // the real policy: the wait grows past a second
			cfg.ScanInterval = 200 * time.Millisecond
			f := NewFleet(cfg)
			runFleet(t, f)
			target := sock
			if watched == "directory" {
				target = dir
			}
			if err := f.Watch(t.Context(), []Spec{mustSpec(t, target)}); err != nil {
				t.Fatal(err)
			}
			id := "unix:" + sock
			byID := func(s FleetSnapshot) VMSnapshot { v, _ := s.VM(id); return v }
			waitFor(t, f, 30*time.Second, "k connected with host figures", func(s FleetSnapshot) bool {
				v := byID(s)
				return v.Conn == ConnConnected && v.Host.Valid && len(v.VCPUs) == 1 && v.RunState == "running"
			})

			vm.Kill() // SIGKILL: QEMU says nothing
			s := waitFor(t, f, 10*time.Second, "k's connection lost after kill -9", func(s FleetSnapshot) bool {
				return byID(s).Conn == ConnRetrying
			})
			v := byID(s)
			if v.Host.Valid || v.Host.RSSBytes != 0 || v.Host.Threads != 0 || v.Host.CPUHistory != nil || v.VCPUs != nil {
				t.Fatalf("figures of a dead process: host %+v vcpus %+v", v.Host, v.VCPUs)
			}
			if v.RunState != "running" || v.StateAt.IsZero() || v.StateAt.After(time.Now()) || !v.Stale || v.Exit != "" {
				t.Fatalf("last known state %q at %v stale=%v exit=%q", v.RunState, v.StateAt, v.Stale, v.Exit)
			}
			if v.LastError.Kind != qmp.KindConnect {
				t.Fatalf("a killed VM is a lost connection: %+v", v.LastError)
			}
			// Let the backoff grow past a second, so a reconnect within
			// one cannot be the backoff running out.
			waitFor(t, f, 20*time.Second, "k's reconnect backoff grown to 1.6 s or more (attempt 4)", func(s FleetSnapshot) bool {
				return byID(s).Attempt >= 4
			})

			old := statSocket(sock)
			back := make(chan time.Time, 1)
			stop := make(chan struct{})
			defer close(stop)
			go func() {
				for {
					select {
					case <-stop:
						return
					case <-time.After(2 * time.Millisecond):
					}
					if now := statSocket(sock); now.ok && now != old {
						back <- time.Now()
						return
					}
				}
			}()
			vm2 := qemutest.Start(t, qemutest.Options{Name: "k", Dir: dir, Socket: sock})
			var at time.Time
			select {
			case at = <-back:
			case <-time.After(10 * time.Second):
				t.Fatal("timed out waiting for the restarted QEMU's socket to replace the old one")
			}
			waitFor(t, f, 10*time.Second, "k connected to the restarted QEMU", func(s FleetSnapshot) bool {
				v := byID(s)
				return v.Conn == ConnConnected && v.PID == vm2.PID()
			})
			if took := time.Since(at); took > restartWithin {
				t.Fatalf("connected %v after the socket returned; want within %v", took, restartWithin)
			}
		})
	}
}

func TestFleetVMThatQuitIsClosedNotAnError(t *testing.T) {
	cases := []struct {
		name, exit string
		end        func(*testing.T, *Fleet, *qemutest.VM, string)
	}{
		{"quit through the fleet", "host-qmp-quit", func(t *testing.T, f *Fleet, _ *qemutest.VM, id string) {
			if r := f.Execute(context.Background(), id, "quit", nil); !r.Err.IsZero() {
				t.Fatalf("quit: %+v", r.Err)
			}
		}},
		{"SIGTERM", "host-signal", func(t *testing.T, _ *Fleet, vm *qemutest.VM, _ string) {
			if err := vm.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			vm := qemutest.Start(t, qemutest.Options{Name: "q"})
			var dials atomic.Int64
			cfg := testConfig()
			cfg.Dial = func(ctx context.Context, target string, opts ...qmp.Option) (*qmp.Client, error) {
				dials.Add(1)
				return qmp.Dial(ctx, target, opts...)
			}
			f := startFleet(t, cfg, vm.Socket)
			id := "unix:" + vm.Socket
			waitFor(t, f, 30*time.Second, "q connected with host figures", func(s FleetSnapshot) bool {
				v, _ := s.VM(id)
				return v.Conn == ConnConnected && v.Host.Valid
			})
			tc.end(t, f, vm, id)
			select {
			case <-vm.Exited():
			case <-time.After(10 * time.Second):
				t.Fatal("timed out waiting for QEMU to exit")
			}
			n := dials.Load()
			s := waitFor(t, f, 10*time.Second, "q closed, and two dials after its exit", func(s FleetSnapshot) bool {
				v, _ := s.VM(id)
				return v.Conn == ConnClosed && dials.Load() >= n+2
			})
			v, _ := s.VM(id)
			if v.Exit != tc.exit || !v.LastError.IsZero() || v.Host.Valid || v.Attempt != 0 {
				t.Fatalf("exit %q (want %q), error %+v, host %+v, attempt %d", v.Exit, tc.exit, v.LastError, v.Host, v.Attempt)
			}
		})
	}
}

func TestFleetReconnectCutsTheWaitShort(t *testing.T) {
	dir := qemutest.Dir(t)
	sock := filepath.Join(dir, "r.qmp")
	cfg := testConfig()
	cfg.Backoff = Backoff{Min: time.Hour, Max: time.Hour, Factor: 2}
	cfg.LocalBackoffMax = time.Hour
	f := startFleet(t, cfg, "tcp:127.0.0.1:1") // nothing listens there
	s := waitFor(t, f, 10*time.Second, "the tcp VM waiting an hour to retry", func(s FleetSnapshot) bool {
		return s.VMs[0].Conn == ConnRetrying && s.VMs[0].Attempt == 1
	})
	first := s.VMs[0].LastError.Time
	if ok, err := f.Reconnect("tcp:127.0.0.1:1"); !ok || err != nil {
		t.Fatalf("Reconnect = %v, %v", ok, err)
	}
	waitFor(t, f, 10*time.Second, "another attempt at once (a new error)", func(s FleetSnapshot) bool {
		return s.VMs[0].Conn == ConnRetrying && s.VMs[0].LastError.Time.After(first)
	})
	if _, err := f.Reconnect("unix:" + sock); err == nil {
		t.Fatal("Reconnect of an unknown VM: no error")
	}
	// A connected VM has nothing to cut short.
	vm := qemutest.Start(t, qemutest.Options{Name: "r", Dir: dir, Socket: sock})
	id := f.Add(canonical(mustParse(t, vm.Socket)))
	waitFor(t, f, 30*time.Second, "r connected", func(s FleetSnapshot) bool {
		v, _ := s.VM(id)
		return v.Conn == ConnConnected
	})
	if ok, err := f.Reconnect(id); ok || err != nil {
		t.Fatalf("Reconnect of a connected VM = %v, %v", ok, err)
	}
}
