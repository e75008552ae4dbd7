package model

import (
	"fmt"
	"net"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemutest"
	"github.com/qmpdash/qmpdash/remote"
)

// remoteFleet is a fleet whose ssh:// targets reach sshd with the test's
// own keys and known_hosts.
func remoteFleet(t *testing.T, sshd *qemutest.SSHD) (*Fleet, *remote.Pool) {
	t.Helper()
	o := remote.HomeOptions(sshd.ClientHome(t))
	o.LocalUser = sshd.User
	o.BackoffMin, o.BackoffMax = 50*time.Millisecond, 200*time.Millisecond
	pool := remote.NewPool(o)
	t.Cleanup(func() {
		closed := make(chan struct{})
		go func() { pool.Close(); close(closed) }()
		select {
		case <-closed:
		case <-time.After(30 * time.Second):
			buf := make([]byte, 1<<20)
			t.Fatalf("pool.Close did not return within 30s; goroutines:\n%s", buf[:runtime.Stack(buf, true)])
		}
	})
	cfg := testConfig()
	cfg.Remote = pool
	return NewFleet(cfg), pool
}

func connectedRunning(s FleetSnapshot, names ...string) bool {
	for _, n := range names {
		if v := vmBy(s, n); v.Conn != ConnConnected || v.RunState != "running" {
			return false
		}
	}
	return true
}

// A directory on the host is listed over the one SSH connection; what
// appears later is picked up; sockets not named like monitors are left
// alone; all VMs share one login.
func TestFleetWatchesRemoteDirectoryOverOneSSHConnection(t *testing.T) {
	sshd := qemutest.StartSSHD(t)
	dir := qemutest.Dir(t)
	qemutest.Start(t, qemutest.Options{Name: "r1", Dir: dir})
	qemutest.Start(t, qemutest.Options{Name: "r2", Dir: dir})
	// A socket that is no monitor, by its name: never dialled.
	l, err := net.Listen("unix", filepath.Join(dir, "r1.serial"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	f, pool := remoteFleet(t, sshd)
	spec, err := ParseSpec(sshd.Target(dir))
	if err != nil || spec.Kind != SpecRemoteScan {
		t.Fatalf("spec %+v, %v", spec, err)
	}
	runFleet(t, f)
	if err := f.Watch(t.Context(), []Spec{spec}); err != nil {
		t.Fatal(err)
	}
	s := waitFor(t, f, 30*time.Second, "both remote VMs running", func(s FleetSnapshot) bool {
		return len(s.VMs) == 2 && connectedRunning(s, "r1", "r2")
	})
	host := fmt.Sprintf("%s@127.0.0.1:%d", sshd.User, sshd.Port)
	for _, v := range s.VMs {
		if v.RemoteHost != host || !strings.HasPrefix(v.ID, "ssh://"+host+dir+"/") {
			t.Errorf("VM %+v: want remote host %s and an ssh:// ID", v, host)
		}
	}
	qemutest.Start(t, qemutest.Options{Name: "r3", Dir: dir})
	s = waitFor(t, f, 30*time.Second, "the VM started later", func(s FleetSnapshot) bool {
		return len(s.VMs) == 3 && connectedRunning(s, "r1", "r2", "r3")
	})
	if len(s.Hosts) != 1 || !s.Hosts[0].Up() || s.Hosts[0].Channels != 3 {
		t.Fatalf("hosts %+v, want one up with 3 monitor channels", s.Hosts)
	}
	if hs := pool.Hosts(); hs[0].Dials != 1 {
		t.Fatalf("%d SSH connections, want 1", hs[0].Dials)
	}
	if n := strings.Count(sshd.Log(), "Accepted publickey"); n != 1 {
		t.Fatalf("sshd saw %d logins, want 1", n)
	}
}

// sshd dying takes every VM's connection with it: each VM says the host is
// down (one cause, not a dial each), and all come back with sshd.
func TestFleetRemoteHostDownThenBack(t *testing.T) {
	sshd := qemutest.StartSSHD(t)
	dir := qemutest.Dir(t)
	a := qemutest.Start(t, qemutest.Options{Name: "d1", Dir: dir})
	b := qemutest.Start(t, qemutest.Options{Name: "d2", Dir: dir})
	f, pool := remoteFleet(t, sshd)
	var specs []Spec
	for _, sock := range []string{a.Socket, b.Socket} {
		s, err := ParseSpec(sshd.Target(sock))
		if err != nil || s.Kind != SpecRemoteMonitor {
			t.Fatalf("spec %+v, %v", s, err)
		}
		specs = append(specs, s)
	}
	runFleet(t, f)
	if err := f.Watch(t.Context(), specs); err != nil {
		t.Fatal(err)
	}
	waitFor(t, f, 30*time.Second, "both VMs running", func(s FleetSnapshot) bool { return connectedRunning(s, "d1", "d2") })
	sshd.Kill()
	s := waitFor(t, f, 30*time.Second, "both VMs marked with the host down", func(s FleetSnapshot) bool {
		for _, n := range []string{"d1", "d2"} {
			v := vmBy(s, n)
			if v.Conn != ConnRetrying || !strings.Contains(v.LastError.Message, "is down") || v.LastError.SSHHost != v.RemoteHost {
				return false
			}
		}
		return len(s.Hosts) == 1 && s.Hosts[0].State == "down"
	})
	// Why depends on the instant sshd died (connection lost, refused, a
	// handshake cut off): any cause, but one.
	if s.Hosts[0].Error.Message == "" {
		t.Errorf("host down with no cause: %+v", s.Hosts[0])
	}
	sshd.Start()
	waitFor(t, f, 30*time.Second, "both VMs back", func(s FleetSnapshot) bool {
		return connectedRunning(s, "d1", "d2") && len(s.Hosts) == 1 && s.Hosts[0].Up()
	})
	if d := pool.Hosts()[0].Dials; d != 2 {
		t.Fatalf("%d SSH logins, want 2 (one before, one after)", d)
	}
}

// Remote VMs' host figures come from the host's /proc over the same SSH
// connection: the pid from a vCPU thread's Tgid (sshd is on this machine,
// so it must be the real QEMU's), CPU, RSS, per-vCPU and start time, and
// one batch carries every VM of the host.
func TestRemoteHostFiguresFromRemoteProc(t *testing.T) {
	sshd := qemutest.StartSSHD(t)
	dir := qemutest.Dir(t)
	vms := map[string]*qemutest.VM{}
	for _, n := range []string{"p1", "p2", "p3"} {
		vms[n] = qemutest.Start(t, qemutest.Options{Name: n, Dir: dir})
	}
	f, _ := remoteFleet(t, sshd)
	spec, err := ParseSpec(sshd.Target(dir))
	if err != nil {
		t.Fatal(err)
	}
	runFleet(t, f)
	if err := f.Watch(t.Context(), []Spec{spec}); err != nil {
		t.Fatal(err)
	}
	s := waitFor(t, f, 60*time.Second, "host figures of all three", func(s FleetSnapshot) bool {
		if len(s.VMs) != 3 {
			return false
		}
		for _, v := range s.VMs {
			if !v.Host.Valid || v.Host.RSSBytes == 0 || v.PID == 0 || v.StartTime.IsZero() || len(v.VCPUs) == 0 || !v.VCPUs[0].HasCPU {
				return false
			}
		}
		return true
	})
	for name, vm := range vms {
		v := vmBy(s, name)
		if v.PID != vm.PID() {
			t.Errorf("%s: pid %d from the remote /proc, want %d", name, v.PID, vm.PID())
		}
		local, err := ProcStartTime("", vm.PID())
		if err != nil || !v.StartTime.Equal(local) {
			t.Errorf("%s: start %v, want %v (%v)", name, v.StartTime, local, err)
		}
		if v.Host.Threads < 2 {
			t.Errorf("%s: %d threads", name, v.Host.Threads)
		}
	}
	f.rprocs.mu.Lock()
	h := f.rprocs.hosts[s.VMs[0].RemoteHost]
	f.rprocs.mu.Unlock()
	b := h.last()
	for name, vm := range vms {
		if _, ok := b.files[fmt.Sprintf("/proc/%d/stat", vm.PID())]; !ok {
			t.Errorf("the host's last batch lacks %s's stat: one command does not carry every VM", name)
		}
		// RSS from status's VmRSS: statm's pages are the remote size.
		if _, ok := b.files[fmt.Sprintf("/proc/%d/status", vm.PID())]; !ok {
			t.Errorf("the host's last batch lacks %s's status", name)
		}
		if _, ok := b.files[fmt.Sprintf("/proc/%d/statm", vm.PID())]; ok {
			t.Errorf("the host's last batch has %s's statm", name)
		}
	}
	if b.up <= 0 {
		t.Errorf("the batch has no remote uptime: %v", b.up)
	}
}
