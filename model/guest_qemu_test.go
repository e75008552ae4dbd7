package model

import (
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemutest"
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
	if g.Socket != filepath.Join(dir, "vm.qga") || len(g.Interfaces) == 0 || g.At.IsZero() {
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
	vm := qemutest.Start(t, qemutest.Options{Name: "vm", Dir: dir, Extra: []string{
		"-chardev", "socket,id=qga0,path=" + filepath.Join(dir, "vm.qga") + ",server=on,wait=off",
		"-device", "virtio-serial", "-device", "virtserialport,chardev=qga0,name=org.qemu.guest_agent.0",
	}})
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
