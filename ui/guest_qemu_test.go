package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemutest"
	"github.com/qmpdash/qmpdash/model"
)

// A real VM with an agent channel and no guest OS: the Guest pane says
// "agent not answering", and nothing about it reaches the status bar.
func TestGuestPaneNoAgentQEMU(t *testing.T) {
	qemutest.Require(t)
	dir := qemutest.Dir(t)
	vm := qemutest.Start(t, qemutest.Options{Name: "vm", Dir: dir, Extra: qemutest.AgentPort(filepath.Join(dir, "vm.qga"))})
	f := startRealFleet(t, model.Config{Interval: 200 * time.Millisecond, Timeout: 10 * time.Second}, vm.Socket)
	src := &sendRecorder{Fleet: f}
	h := newHarnessOn(t, src, Options{}, 160, 48, true)
	h.press("7")
	h.syncUntil(src, 30*time.Second, "agent not answering", func() bool {
		return strings.Contains(h.screen(), "agent not answering since")
	})
	// The pane may say why the agent is silent; the status bar must not.
	if st := h.statusText(); strings.Contains(st, "no answer in time") || strings.Contains(st, "TIMEOUT") ||
		strings.Contains(st, "agent") {
		t.Fatalf("the silent agent reached the status bar: %q", st)
	}
	if s := f.Snapshot(); len(s.VMs) != 1 || !s.VMs[0].LastError.IsZero() {
		t.Fatalf("the VM has an error: %+v", s.VMs[0].LastError)
	}
}

// The host's qemu-ga as vm.qga beside the VM's vm.qmp: its facts in the
// Guest pane.
func TestGuestPaneFactsQEMU(t *testing.T) {
	qemutest.Require(t)
	dir := qemutest.Dir(t)
	vm := qemutest.Start(t, qemutest.Options{Name: "vm", Dir: dir})
	qemutest.StartAgent(t, filepath.Join(dir, "vm.qga"))
	f := startRealFleet(t, model.Config{Interval: 200 * time.Millisecond, Timeout: 10 * time.Second}, vm.Socket)
	src := &sendRecorder{Fleet: f}
	h := newHarnessOn(t, src, Options{}, 160, 48, true)
	h.press("7")
	host, _ := os.Hostname()
	h.syncUntil(src, 30*time.Second, "the host agent's facts", func() bool {
		scr := h.screen()
		return strings.Contains(scr, "hostname  "+host) && strings.Contains(scr, "127.0.0.1/8")
	})
}
