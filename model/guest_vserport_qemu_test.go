package model

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemutest"
)

// VSERPORT_CHANGE wakes the guest agent poller: with the agent asked
// only once an hour, an agent that appears after the fleet connected is
// asked as soon as the monitor says a port changed, not an hour later.
//
// The monitor is a real QEMU and the agent a real qemu-ga on the host.
// QEMU sends VSERPORT_CHANGE only when a guest OS opens a virtio-serial
// port, and these VMs boot no OS, so the one event is injected by a
// line proxy between the fleet and the real monitor (everything else on
// the connection is QEMU's own). The agent sits beside the proxy's
// socket (NAME.qga) and is not one of the VM's chardevs, so the port
// state the chardevs give (notePort) never changes: only the event's
// poke can wake the poller.
func TestGuestAgentAskedOnVserportChange(t *testing.T) {
	vm := qemutest.Start(t, qemutest.Options{Name: "vm", Dir: qemutest.Dir(t)})
	dir := qemutest.Dir(t)
	proxy := startLineProxy(t, filepath.Join(dir, "vm.qmp"), vm.Socket)

	cfg := testConfig()
	cfg.AgentInterval = time.Hour
	f := startFleet(t, cfg, proxy.path)
	s := waitFor(t, f, 30*time.Second, "connected, no agent yet", func(s FleetSnapshot) bool {
		return len(s.VMs) == 1 && s.VMs[0].Conn == ConnConnected && s.VMs[0].Polls >= 1 && s.VMs[0].Guest.State == GuestNone
	})

	qemutest.StartAgent(t, filepath.Join(dir, "vm.qga"))
	// Monitor polls go on (each publish runs notePort, which wakes the
	// poller only when the agent port's state changes); the agent stays
	// unasked.
	p := s.VMs[0].Polls
	s = waitFor(t, f, 30*time.Second, "five more polls", func(s FleetSnapshot) bool { return s.VMs[0].Polls >= p+5 })
	if g := s.VMs[0].Guest; g.State != GuestNone {
		t.Fatalf("the agent was asked before any VSERPORT_CHANGE (interval 1h): %+v", g)
	}

	proxy.inject(t, fmt.Sprintf(`{"timestamp": {"seconds": %d, "microseconds": 0}, "event": "VSERPORT_CHANGE", "data": {"open": true, "id": "channel0"}}`,
		time.Now().Unix()))
	s = waitFor(t, f, 30*time.Second, "the agent's facts after VSERPORT_CHANGE", func(s FleetSnapshot) bool {
		return s.VMs[0].Guest.State == GuestOK
	})
	if n := s.VMs[0].EventCounts["VSERPORT_CHANGE"]; n != 1 {
		t.Fatalf("VSERPORT_CHANGE seen %d times, want 1", n)
	}
	if g := s.VMs[0].Guest; g.Socket != filepath.Join(dir, "vm.qga") || g.AgentVersion == "" || g.HostName == "" {
		t.Fatalf("facts: %+v", g)
	}
}

// lineProxy serves a unix socket and relays each client's connection to
// a real QMP monitor, one line at a time from the monitor, so a test can
// slip a whole message of its own between two of the monitor's.
type lineProxy struct {
	path string
	mu   sync.Mutex
	to   net.Conn // the current client; written under mu
}

func startLineProxy(t *testing.T, path, upstream string) *lineProxy {
	t.Helper()
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	p := &lineProxy{path: path}
	var wg sync.WaitGroup
	var conns []net.Conn
	var cmu sync.Mutex
	t.Cleanup(func() {
		ln.Close()
		cmu.Lock()
		for _, c := range conns {
			c.Close()
		}
		cmu.Unlock()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("unix", upstream)
			if err != nil {
				c.Close()
				continue
			}
			cmu.Lock()
			conns = append(conns, c, up)
			cmu.Unlock()
			p.mu.Lock()
			p.to = c
			p.mu.Unlock()
			wg.Go(func() { _, _ = io.Copy(up, c); up.Close() })
			wg.Go(func() {
				defer c.Close()
				r := bufio.NewReader(up)
				for {
					line, err := r.ReadBytes('\n')
					if len(line) > 0 {
						p.mu.Lock()
						_, werr := c.Write(line)
						p.mu.Unlock()
						if werr != nil {
							return
						}
					}
					if err != nil {
						return
					}
				}
			})
		}
	})
	return p
}

// inject sends msg to the current client as if the monitor had.
func (p *lineProxy) inject(t *testing.T, msg string) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.to == nil {
		t.Fatal("no client connected to the proxy")
	}
	if _, err := p.to.Write([]byte(msg + "\r\n")); err != nil {
		t.Fatal(err)
	}
}
