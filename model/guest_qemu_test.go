package model

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemutest"
	"github.com/qmpdash/qmpdash/qmp"
)

// A real qemu-ga on the host, listening as vm.qga beside a real VM's
// vm.qmp, is that VM's agent: its facts are this machine's.
func TestGuestAgentBesideMonitor(t *testing.T) {
	dir := qemutest.Dir(t)
	vm := qemutest.Start(t, qemutest.Options{Name: "vm", Dir: dir})
	qemutest.StartAgent(t, filepath.Join(dir, "vm.qga"))
	f := startFleet(t, testConfig(), vm.Socket)
	s := waitFor(t, f, 30*time.Second, "the guest agent's facts", func(s FleetSnapshot) bool {
		return len(s.VMs) == 1 && s.VMs[0].Guest.State == GuestOK
	})
	g := s.VMs[0].Guest
	host, _ := os.Hostname()
	if g.HostName != host || g.AgentVersion == "" || g.OSName == "" || g.Kernel == "" || g.Timezone == "" {
		t.Fatalf("facts: %+v", g)
	}
	if g.Socket != filepath.Join(dir, "vm.qga") || len(g.Interfaces) == 0 || g.At.IsZero() || g.IP != g.FirstIP() {
		t.Fatalf("facts: %+v", g)
	}
	if !s.VMs[0].LastError.IsZero() {
		t.Fatalf("the VM has an error: %+v", s.VMs[0].LastError)
	}
}

// An agent socket named in the config, anywhere.
func TestGuestAgentFromConfig(t *testing.T) {
	dir := qemutest.Dir(t)
	vm := qemutest.Start(t, qemutest.Options{Name: "vm", Dir: dir})
	sock := filepath.Join(qemutest.Dir(t), "elsewhere")
	qemutest.StartAgent(t, sock)
	cfg := testConfig()
	cfg.AgentSockets = map[string]string{canonical(mustParse(t, vm.Socket)).String(): sock}
	f := startFleet(t, cfg, vm.Socket)
	waitFor(t, f, 30*time.Second, "the configured agent's facts", func(s FleetSnapshot) bool {
		return len(s.VMs) == 1 && s.VMs[0].Guest.State == GuestOK && s.VMs[0].Guest.Socket == sock
	})
}

// A VM with an agent channel but no guest OS: "not answering", the
// monitor unharmed, and no error on the VM.
func TestGuestNoAgentInside(t *testing.T) {
	dir := qemutest.Dir(t)
	vm := qemutest.Start(t, qemutest.Options{Name: "vm", Dir: dir, Extra: qemutest.AgentPort(filepath.Join(dir, "vm.qga"))})
	f := startFleet(t, testConfig(), vm.Socket)
	s := waitFor(t, f, 30*time.Second, "the agent not answering, port closed", func(s FleetSnapshot) bool {
		return len(s.VMs) == 1 && s.VMs[0].Guest.State == GuestNotAnswering && s.VMs[0].Guest.PortClosed
	})
	v := s.VMs[0]
	if v.Conn != ConnConnected || !v.LastError.IsZero() || v.Guest.Since.IsZero() {
		t.Fatalf("vm: conn=%s err=%+v guest=%+v", v.Conn, v.LastError, v.Guest)
	}
	// Nothing dials the agent while the port is closed: the chardev keeps
	// accepting, so a second client would be let in; none is needed.
	if _, err := net.Dial("unix", filepath.Join(dir, "vm.qga")); err != nil {
		t.Fatalf("the agent's socket: %v", err)
	}
}

// With no socket beside the monitor and none in the config, the VM itself
// names its agent channel: the unix server socket of the chardev behind
// its org.qemu.guest_agent.0 port (QOM and query-chardev). No guest runs
// an agent here, so the port is closed: found, not answering, not dialled.
func TestGuestAgentFoundThroughQOM(t *testing.T) {
	dir := qemutest.Dir(t)
	agentSock := filepath.Join(dir, "x-agent.sock")
	vm := qemutest.Start(t, qemutest.Options{Name: "vm", Dir: dir, Extra: qemutest.AgentPort(agentSock)})
	// The monitor's own answer, on a connection closed before the fleet's.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := qmp.Dial(ctx, vm.Socket)
	if err != nil {
		t.Fatal(err)
	}
	ch, ok, err := FindAgent(ctx, c, nil)
	c.Close()
	if err != nil || !ok || ch.Path != agentSock || ch.Label != "qga0" || ch.Open {
		t.Fatalf("FindAgent = %+v, %v, %v", ch, ok, err)
	}

	cfg := testConfig()
	cfg.AgentInterval = time.Hour // only the finding itself may wake the poller
	f := startFleet(t, cfg, vm.Socket)
	s := waitFor(t, f, 30*time.Second, "the QOM-named agent, port closed", func(s FleetSnapshot) bool {
		g := s.VMs[0].Guest
		return g.Socket == agentSock && g.State == GuestNotAnswering && g.PortClosed
	})
	if v := s.VMs[0]; v.Conn != ConnConnected || !v.LastError.IsZero() {
		t.Fatalf("vm: conn=%s err=%+v", v.Conn, v.LastError)
	}
}

// A VM without a virtserialport has no agent channel, and says so.
func TestFindAgentNone(t *testing.T) {
	vm := qemutest.Start(t, qemutest.Options{Name: "plain", Dir: qemutest.Dir(t)})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := qmp.Dial(ctx, vm.Socket)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if ch, ok, err := FindAgent(ctx, c, nil); ok || err != nil {
		t.Fatalf("FindAgent on a VM without an agent port = %+v, %v, %v", ch, ok, err)
	}
}
