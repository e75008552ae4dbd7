package model

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/sim"
)

// simAgentVM starts a simulated VM dir/vm.qmp with a simulated agent
// beside it (dir/vm.qga): guest-shutdown must never reach a real host
// qemu-ga, which would power off the machine running the tests.
func simAgentVM(t *testing.T) (sock string, agent *sim.Agent) {
	t.Helper()
	dir := t.TempDir()
	sock = filepath.Join(dir, "vm.qmp")
	vm := sim.New(sim.Options{Name: "vm"})
	if err := vm.ListenUnix(sock); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { vm.Close() })
	agent, err := sim.ListenAgent(filepath.Join(dir, "vm.qga"), sim.DemoAgentFacts("vm", 0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { agent.Close() })
	return sock, agent
}

// waitUntil checks cond until it holds or limit passes.
func waitUntil(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

// Rounds that find the same facts publish nothing (no redraw every agent
// interval); a change publishes at once, with a new Since; an agent that
// goes silent is published as not answering, its last answer's time kept.
func TestGuestPublishesOnlyChanges(t *testing.T) {
	sock, agent := simAgentVM(t)
	cfg := testConfig()
	cfg.Interval = time.Hour // the monitor polls once: only the agent changes things
	cfg.AgentInterval = 20 * time.Millisecond
	f := startFleet(t, cfg, sock)
	s := waitFor(t, f, 20*time.Second, "the agent's facts", func(s FleetSnapshot) bool {
		return s.VMs[0].Guest.State == GuestOK && s.VMs[0].Polls >= 1 && s.VMs[0].Name == "vm"
	})
	first := s.VMs[0].Guest
	if first.HostName != "vm" || first.Since.IsZero() || first.IP == "" || first.IP != first.FirstIP() {
		t.Fatalf("guest %+v", first)
	}
	// Let the monitor's connect-time work settle, then count rounds.
	p := agent.Pings()
	waitUntil(t, 20*time.Second, "two more rounds", func() bool { return agent.Pings() >= p+2 })
	version := f.Snapshot().Version
	p = agent.Pings()
	waitUntil(t, 20*time.Second, "five more rounds", func() bool { return agent.Pings() >= p+5 })
	s = f.Snapshot()
	if s.Version != version {
		t.Fatalf("unchanged rounds published: version %d -> %d", version, s.Version)
	}
	if g := s.VMs[0].Guest; !g.Since.Equal(first.Since) {
		t.Fatalf("Since moved without a change: %v -> %v", first.Since, g.Since)
	}

	facts := sim.DemoAgentFacts("renamed", 0)
	agent.SetFacts(facts)
	s = waitFor(t, f, 20*time.Second, "the new hostname", func(s FleetSnapshot) bool {
		return s.VMs[0].Guest.HostName == "renamed"
	})
	changed := s.VMs[0].Guest
	if !changed.Since.After(first.Since) || changed.State != GuestOK {
		t.Fatalf("after a change: since %v (was %v), state %v", changed.Since, first.Since, changed.State)
	}

	agent.SetSilent(true)
	s = waitFor(t, f, 20*time.Second, "not answering", func(s FleetSnapshot) bool {
		return s.VMs[0].Guest.State == GuestNotAnswering
	})
	g := s.VMs[0].Guest
	if g.At.Before(changed.Since) || !g.Since.After(g.At) || g.HostName != "renamed" || g.Error.Message == "" {
		t.Fatalf("not answering: at %v since %v (facts since %v), %+v", g.At, g.Since, changed.Since, g)
	}
}

// Guest shutdown and reboot go to the agent (guest-shutdown with the mode)
// and count as done though the agent never replies.
func TestExecuteAgentShutdownAndReboot(t *testing.T) {
	sock, agent := simAgentVM(t)
	f := startFleet(t, testConfig(), sock)
	s := waitFor(t, f, 20*time.Second, "the agent's facts", func(s FleetSnapshot) bool {
		return s.VMs[0].Guest.State == GuestOK
	})
	id := s.VMs[0].ID
	for _, mode := range []string{"reboot", "powerdown"} {
		args, _ := json.Marshal(map[string]string{"mode": mode})
		res := f.ExecuteAgent(context.Background(), id, "guest-shutdown", args)
		if !res.Err.IsZero() {
			t.Fatalf("%s: %+v", mode, res.Err)
		}
		select {
		case got := <-agent.Shutdowns():
			if got != mode {
				t.Fatalf("agent got mode %q, want %q", got, mode)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s never reached the agent", mode)
		}
		// The stream is resynchronised: the agent answers again.
		if res := f.ExecuteAgent(context.Background(), id, "guest-ping", nil); !res.Err.IsZero() {
			t.Fatalf("ping after %s: %+v", mode, res.Err)
		}
	}
}

// Read-only mode refuses guest-shutdown in the model itself, whoever
// asks; what reads is still sent.
func TestExecuteAgentReadOnly(t *testing.T) {
	sock, agent := simAgentVM(t)
	cfg := testConfig()
	cfg.ReadOnly = true
	f := startFleet(t, cfg, sock)
	s := waitFor(t, f, 20*time.Second, "the agent's facts", func(s FleetSnapshot) bool {
		return s.VMs[0].Guest.State == GuestOK
	})
	id := s.VMs[0].ID
	for _, cmd := range []string{"guest-shutdown", "guest-suspend-ram", "guest-exec", "guest-set-time", "guest-file-open"} {
		res := f.ExecuteAgent(context.Background(), id, cmd, json.RawMessage(`{"mode":"reboot"}`))
		if !strings.Contains(res.Err.Message, "read-only") {
			t.Fatalf("%s in read-only mode: %+v", cmd, res.Err)
		}
	}
	// Sent on the same connection after the refusals: had a shutdown
	// gone out, the agent would have seen it first.
	res := f.ExecuteAgent(context.Background(), id, "guest-get-host-name", nil)
	if !res.Err.IsZero() || !strings.Contains(string(res.Reply), `"vm"`) {
		t.Fatalf("guest-get-host-name: %s %+v", res.Reply, res.Err)
	}
	select {
	case m := <-agent.Shutdowns():
		t.Fatalf("read-only mode sent guest-shutdown (mode %q)", m)
	default:
	}
}

// No agent channel: said so, nothing sent.
func TestExecuteAgentWithoutAgent(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "bare.qmp")
	vm := sim.New(sim.Options{Name: "bare"})
	if err := vm.ListenUnix(sock); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { vm.Close() })
	f := startFleet(t, testConfig(), sock)
	s := waitFor(t, f, 20*time.Second, "connected", func(s FleetSnapshot) bool {
		return s.VMs[0].Conn == ConnConnected && s.VMs[0].Polls >= 1
	})
	res := f.ExecuteAgent(context.Background(), s.VMs[0].ID, "guest-shutdown", nil)
	if !strings.Contains(res.Err.Message, ErrNoAgent.Error()) {
		t.Fatalf("without an agent: %+v", res.Err)
	}
}

func TestAgentReadOnlyRule(t *testing.T) {
	for cmd, want := range map[string]bool{
		"guest-ping": true, "guest-info": true, "guest-get-osinfo": true, "guest-network-get-interfaces": true,
		"guest-get-": false, "guest-shutdown": false, "guest-suspend-disk": false, "guest-exec": false,
		"guest-file-write": false, "guest-set-user-password": false, "query-status": false,
	} {
		if got := AgentReadOnlyAllows(cmd); got != want {
			t.Errorf("AgentReadOnlyAllows(%s) = %v", cmd, got)
		}
	}
}
