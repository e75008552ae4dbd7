package ui

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemutest"
	"github.com/qmpdash/qmpdash/model"
)

// sendRecorder is a real fleet that notes every command the UI sends.
type sendRecorder struct {
	*model.Fleet
	mu   sync.Mutex
	sent []string
}

func (r *sendRecorder) Execute(ctx context.Context, vmID, command string, args json.RawMessage) model.CommandResult {
	r.mu.Lock()
	r.sent = append(r.sent, command+" "+string(args))
	r.mu.Unlock()
	return r.Fleet.Execute(ctx, vmID, command, args)
}

func (r *sendRecorder) commands() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.sent...)
}

// syncUntil reads the fleet into the UI at each change until cond holds,
// or fails after limit naming what it waited for.
func (h *harness) syncUntil(src Source, limit time.Duration, what string, cond func() bool) {
	h.t.Helper()
	deadline := time.NewTimer(limit)
	defer deadline.Stop()
	for {
		h.sync()
		if cond() {
			return
		}
		select {
		case <-src.Changed():
		case <-deadline.C:
			h.t.Fatalf("timed out after %v waiting for %s; screen:\n%s", limit, what, h.screen())
		}
	}
}

// A bad raw command typed the moment a real QEMU is connected (its schema
// not fetched yet) is refused locally, and nothing reaches QEMU.
func TestPaletteRawCheckedRightAfterConnectQEMU(t *testing.T) {
	qemutest.Require(t)
	dir := qemutest.Dir(t)
	vm := qemutest.Start(t, qemutest.Options{Name: "fresh", Dir: dir})
	f := startRealFleet(t, model.Config{Interval: time.Hour, Timeout: 10 * time.Second}, vm.Socket)
	src := &sendRecorder{Fleet: f}
	h := newHarnessOn(t, src, Options{}, 140, 30, true)
	h.syncUntil(src, 30*time.Second, "the VM connected", func() bool {
		s := f.Snapshot()
		return len(s.VMs) == 1 && s.VMs[0].Conn == model.ConnConnected
	})

	h.palette("qmp")
	h.typeText(`balloon {"valu": 100}`, "enter")
	t.Logf("right after enter, waiting for the schema: %v", h.pal().Checking())
	if !h.pal().Checking() && !strings.Contains(h.screen(), "arguments rejected") {
		t.Fatalf("raw command neither checked nor waiting for the schema:\n%s", h.screen())
	}
	h.syncUntil(src, 40*time.Second, "the schema check of balloon", func() bool {
		return strings.Contains(h.screen(), `arguments rejected: arguments: missing member "value"`)
	})
	if sent := src.commands(); len(sent) > 0 {
		t.Fatalf("sent to QEMU: %q", sent)
	}
	// The same input again: refused at once, still nothing sent.
	h.press("enter")
	h.mustShow(`arguments rejected: arguments: missing member "value"`)
	if h.pal().Checking() {
		t.Fatal("waiting for a schema that has come")
	}
	if sent := src.commands(); len(sent) > 0 {
		t.Fatalf("sent to QEMU: %q", sent)
	}
}
