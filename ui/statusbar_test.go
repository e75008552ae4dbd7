package ui

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/qmp"
	"github.com/qmpdash/qmpdash/ui/render"
)

func TestStatusShowsEveryErrorClassWithItsLabel(t *testing.T) {
	cases := []struct {
		err   model.ErrorInfo
		label string
	}{
		{model.ErrorInfo{Kind: qmp.KindConnect}, "[CONNECT]"},
		{model.ErrorInfo{Kind: qmp.KindTimeout}, "[TIMEOUT]"},
		{model.ErrorInfo{Kind: qmp.KindProtocol}, "[PROTOCOL]"},
		{model.ErrorInfo{Kind: qmp.KindCapabilities}, "[CAPABILITIES]"},
		{model.ErrorInfo{Kind: qmp.KindResponse, Class: "GenericError"}, "[GENERIC]"},
		{model.ErrorInfo{Kind: qmp.KindResponse, Class: "CommandNotFound"}, "[NO-COMMAND]"},
		{model.ErrorInfo{Kind: qmp.KindResponse, Class: "DeviceNotFound"}, "[NO-DEVICE]"},
		{model.ErrorInfo{Kind: qmp.KindResponse, Class: "DeviceNotActive"}, "[DEV-INACTIVE]"},
		{model.ErrorInfo{Kind: qmp.KindResponse, Class: "KVMMissingCap"}, "[KVM-CAP]"},
		{model.ErrorInfo{Kind: qmp.KindResponse, Class: "SomethingNew"}, "[RESPONSE]"},
		{model.ErrorInfo{Kind: model.KindOther}, "[ERROR]"},
	}
	labels := map[string]bool{}
	inks := map[string]string{}
	for _, c := range cases {
		c.err.Message = "went wrong " + c.label
		h := demo(t, Options{}, 120, 30)
		h.press("G")
		h.src.reply = func(vmID, cmd string, _ json.RawMessage) model.CommandResult {
			return model.CommandResult{VMID: vmID, Command: cmd, Err: c.err}
		}
		h.press(":")
		h.typeText("pause", "enter")
		st := h.statusText()
		if !strings.Contains(st, c.label+" web-01: went wrong "+c.label) {
			t.Errorf("status for %+v = %q", c.err, st)
		}
		labels[c.label] = true
		// Each kind and class has its own colour in the default theme.
		inks[render.ErrorStyle(&h.a.st, c.err).Render("x")] = c.label
	}
	if len(labels) != len(cases) {
		t.Errorf("labels not distinct: %v", labels)
	}
	if len(inks) != len(cases) {
		t.Errorf("colours not distinct: %d for %d classes", len(inks), len(cases))
	}
}

func TestStatusErrorFadesButStaysInHistory(t *testing.T) {
	h := demo(t, Options{}, 120, 30)
	// The fixture's retrying VM reports a connect error on the first snapshot.
	if !strings.Contains(h.statusText(), "[CONNECT] legacy") {
		t.Fatalf("VM's error not in status: %q", h.statusText())
	}
	if len(h.ticks) != 1 {
		t.Fatalf("want exactly one fade tick armed, have %d", len(h.ticks))
	}
	h.fireTicks()
	if strings.Contains(h.statusText(), "CONNECT") {
		t.Fatalf("error did not fade: %q", h.statusText())
	}
	if len(h.ticks) != 0 {
		t.Fatal("fading re-armed a tick: the idle program would keep waking")
	}
	h.press("e")
	h.mustShow("Error history", "[CONNECT]", "legacy", "connection refused")
	h.press("esc")
	h.mustNotShow("Error history")
}

func TestStatusStaleFadeDoesNotClearNewerMessage(t *testing.T) {
	h := demo(t, Options{}, 120, 30)
	h.ticks = nil // drop the first error's fade; we fire it by hand below
	old := h.a.status.tag
	h.press(":")
	h.typeText("pause", "enter")
	if !strings.Contains(h.statusText(), "Pause VM on build-runner: done") {
		t.Fatalf("status %q", h.statusText())
	}
	h.send(fadeMsg{tag: old})
	if !strings.Contains(h.statusText(), "done") {
		t.Fatal("a stale fade cleared the newer message")
	}
	h.fireTicks()
	if strings.Contains(h.statusText(), "done") {
		t.Fatal("the message's own fade did not clear it")
	}
}

func TestStatusShowsNewVMErrorsFromSnapshots(t *testing.T) {
	h := demo(t, Options{}, 120, 30)
	h.fireTicks()
	h.src.update(func(s *model.FleetSnapshot) {
		for i := range s.VMs {
			if s.VMs[i].Name == "db-primary" {
				s.VMs[i].Conn = model.ConnRetrying
				s.VMs[i].LastError = model.ErrorInfo{Kind: qmp.KindTimeout, Message: "query-status timed out after 5s", Time: t0}
			}
		}
	})
	h.sync()
	if st := h.statusText(); !strings.Contains(st, "[TIMEOUT] db-primary: query-status timed out") {
		t.Fatalf("status %q", st)
	}
	// The same error in the next snapshot is not news.
	h.fireTicks()
	h.src.update(func(s *model.FleetSnapshot) {})
	h.sync()
	if strings.Contains(h.statusText(), "TIMEOUT") || len(h.ticks) != 0 {
		t.Fatal("an unchanged error was shown again")
	}
	if n := len(h.a.errs.entries); n != 2 {
		t.Fatalf("history has %d entries, want 2", n)
	}
}

func TestStatusBarFigures(t *testing.T) {
	h := demo(t, Options{ReadOnly: true, NoMouse: true}, 120, 30)
	h.mustShow("READ-ONLY", "[CONNECT] legacy", "▶1 ‖1 ■1 ✕1", "poll 1s") // an error takes room from the counts
	h.fireTicks()
	h.mustShow("READ-ONLY", "▶1 running", "‖1 paused", "■1 stopped", "✕1 down", "poll 1s", "mouse off")
	h.src.SetInterval(250 * time.Millisecond)
	h.sync()
	h.mustShow("poll 250ms")
}

func TestErrorHistoryFoldsRepeatsAndIsBounded(t *testing.T) {
	var eh errHistory
	e := errEntry{vm: "a", err: model.ErrorInfo{Kind: qmp.KindConnect, Message: "refused"}}
	eh.add(e)
	eh.add(e)
	if len(eh.entries) != 1 || eh.entries[0].count != 2 {
		t.Fatalf("repeat not folded: %+v", eh.entries)
	}
	for i := 0; i < maxErrHist*2; i++ {
		e.err.Message = "m" + render.Itoa(i)
		eh.add(e)
	}
	if len(eh.entries) != maxErrHist {
		t.Fatalf("history holds %d", len(eh.entries))
	}
}

func TestIdleArmsNoTicks(t *testing.T) {
	vms := demoVMs()
	vms[2].LastError = model.ErrorInfo{} // no errors anywhere
	h := newHarness(t, newFakeSource(vms...), Options{}, 120, 30)
	h.src.update(func(s *model.FleetSnapshot) {})
	h.sync()
	h.press("j", "enter", "tab", "esc")
	if len(h.ticks) != 0 {
		t.Fatalf("%d ticks armed with nothing to fade", len(h.ticks))
	}
}

// The config file's warnings show in the status bar when the dashboard
// starts, not only on stderr after it quits.
func TestConfigWarningsShowAtStart(t *testing.T) {
	h := newHarness(t, newFakeSource(), Options{Warnings: []string{`config.toml:3: unknown key "colour" (ignored)`}}, 120, 30)
	if s := h.statusText(); !strings.Contains(s, `config warning: config.toml:3: unknown key "colour" (ignored)`) {
		t.Fatalf("status bar: %q", s)
	}
}

// SSH hosts: how many are up and which are down, once, in the status bar;
// unchecked host keys are a badge for as long as they are unchecked.
func TestStatusBarSaysSSHHostsAndUncheckedKeys(t *testing.T) {
	src := newFakeSource(demoVMs()...)
	h := newHarness(t, src, Options{}, 160, 30)
	if s := h.statusText(); strings.Contains(s, "ssh") || strings.Contains(s, "UNCHECKED") {
		t.Fatalf("local fleet: %q", s)
	}
	src.update(func(s *model.FleetSnapshot) {
		s.Hosts = []model.RemoteHost{{Name: "lab1", State: "up"}, {Name: "lab2", State: "down"}}
		s.Insecure = true
	})
	h.sync()
	h.fireTicks() // the start's error message fades: the counts have room
	s := h.statusText()
	for _, want := range []string{"⇄1/2 ssh up", "(down: lab2)", "SSH HOST KEYS UNCHECKED"} {
		if !strings.Contains(s, want) {
			t.Errorf("status bar %q lacks %q", s, want)
		}
	}
}

// Every VM of an SSH host that is down fails alike at each retry: the
// status bar and the error history say it once, for the host, until the
// host is up again.
func TestSSHHostDownSaidOnceForItsVMs(t *testing.T) {
	src := newFakeSource(demoVMs()...)
	h := newHarness(t, src, Options{}, 160, 30)
	before := len(h.a.errs.entries)
	down := func(at time.Time) {
		src.update(func(s *model.FleetSnapshot) {
			for i := range s.VMs {
				s.VMs[i].RemoteHost = "root@lab1"
				s.VMs[i].LastError = model.ErrorInfo{Kind: qmp.KindConnect, Message: "cannot connect: ssh host root@lab1 is down: connection refused",
					Time: at, SSHHost: "root@lab1"}
			}
			s.Hosts = []model.RemoteHost{{Name: "root@lab1", State: "down"}}
		})
		h.sync()
	}
	down(time.Unix(100, 0))
	down(time.Unix(105, 0)) // the next retry of every VM
	if got := len(h.a.errs.entries) - before; got != 1 {
		t.Fatalf("%d error entries for one host down, want 1: %+v", got, h.a.errs.entries[before:])
	}
	if e := h.a.errs.entries[before]; e.vm != "ssh root@lab1" {
		t.Fatalf("said for %q, want the host", e.vm)
	}
	src.update(func(s *model.FleetSnapshot) { s.Hosts[0].State = "up" })
	h.sync()
	down(time.Unix(200, 0)) // down again later: said again (folded into the same entry, counted)
	if e := h.a.errs.entries[len(h.a.errs.entries)-1]; e.vm != "ssh root@lab1" || e.count != 2 {
		t.Fatalf("after the host went down a second time: %+v, want the host's entry counted twice", e)
	}
}
