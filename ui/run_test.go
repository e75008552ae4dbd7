package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/qmpdash/qmpdash/internal/testio"
	"github.com/qmpdash/qmpdash/model"
	"go.uber.org/goleak"
)

// runUntil starts Run and returns a func that waits for it to end.
func runUntil(t *testing.T, ctx context.Context, src Source, opts Options) func() error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- Run(ctx, src, opts) }()
	return func() error {
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return")
			return nil
		}
	}
}

// running is Run in progress, fed through a pipe and writing to a buffer.
type running struct {
	in   *io.PipeWriter
	out  *testio.SyncBuffer
	wait func() error
}

// startRun starts Run on src and waits for its first frame (web-01 shown).
func startRun(t *testing.T, ctx context.Context, src Source) *running {
	t.Helper()
	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.Close() })
	r := &running{in: pw, out: &testio.SyncBuffer{}}
	r.wait = runUntil(t, ctx, src, Options{Input: pr, Output: r.out})
	waitFor(t, r.out, "web-01")
	return r
}

// end waits for Run to return, then closes its input.
func (r *running) end() error {
	err := r.wait()
	r.in.Close()
	return err
}

// waitFor polls out until it contains want (the program renders on its own
// schedule; there is no event to wait on from outside).
func waitFor(t *testing.T, out *testio.SyncBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("output never showed %q:\n%q", want, out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestRunQuitsOnQ(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	r := startRun(t, context.Background(), newFakeSource(demoVMs()...))
	if _, err := r.in.Write([]byte("q")); err != nil {
		t.Fatal(err)
	}
	if err := r.end(); err != nil {
		t.Fatalf("Run: %v", err)
	}
}

func TestRunEndsWithContext(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ctx, cancel := context.WithCancel(context.Background())
	r := startRun(t, ctx, newFakeSource(demoVMs()...))
	cancel()
	if err := r.end(); err != nil {
		t.Fatalf("Run after cancel: %v", err)
	}
}

func TestRunRejectsUnknownTheme(t *testing.T) {
	err := Run(context.Background(), newFakeSource(), Options{Theme: "neon"})
	if err == nil || !strings.Contains(err.Error(), "valid: dark, default, high-contrast, light") {
		t.Fatalf("err = %v", err)
	}
	if err := Run(context.Background(), nil, Options{}); err == nil {
		t.Fatal("nil source accepted")
	}
}

func TestRunFollowsFleetChanges(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	src := newFakeSource(demoVMs()...)
	ctx, cancel := context.WithCancel(context.Background())
	r := startRun(t, ctx, src)
	src.update(func(s *model.FleetSnapshot) { s.VMs[0].Name = "renamed-vm" })
	waitFor(t, r.out, "renamed-vm")
	src.addEvents(model.LoggedEvent{Source: src.snap.VMs[0].ID, Name: "SHUTDOWN", Time: t0})
	r.in.Write([]byte("8")) // the selected VM's event log
	waitFor(t, r.out, "SHUTDOWN")
	cancel()
	if err := r.end(); err != nil {
		t.Fatal(err)
	}
}

func TestRunNoColor(t *testing.T) {
	t.Setenv("NO_COLOR", "yes please") // any non-empty value, not just "1"/"true"
	ctx, cancel := context.WithCancel(context.Background())
	r := startRun(t, ctx, newFakeSource(demoVMs()...))
	r.in.Write([]byte(":")) // the palette, with its selection highlight
	waitFor(t, r.out, "Commands")
	cancel()
	if err := r.end(); err != nil {
		t.Fatal(err)
	}
	out := r.out.String()
	if c := colourSGR(out); c != "" {
		t.Fatalf("NO_COLOR output has a colour sequence %q", c)
	}
	if !strings.Contains(out, "[CONNECT]") || !strings.Contains(out, "▶ running") {
		t.Fatal("labels and glyphs missing without colour")
	}
}

// TestProgramColourProfiles runs the model in a real program (teatest):
// with the Ascii profile the terminal gets no colour at all, while the same
// frames under TrueColor do carry colour (so the check above means something).
func TestProgramColourProfiles(t *testing.T) {
	for _, tc := range []struct {
		profile colorprofile.Profile
		noColor bool
	}{{colorprofile.Ascii, true}, {colorprofile.TrueColor, false}} {
		src := newFakeSource(demoVMs()...)
		ctx, cancel := context.WithCancel(context.Background())
		a, err := newApp(src, Options{}, appConfig{ctx: ctx, now: func() time.Time { return t0 }, loc: time.UTC, noColor: tc.noColor})
		if err != nil {
			t.Fatal(err)
		}
		tm := teatest.NewTestModel(t, a, teatest.WithInitialTermSize(100, 30),
			teatest.WithProgramOptions(tea.WithColorProfile(tc.profile)))
		var seen []byte
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
			seen = append(seen[:0], b...)
			return bytes.Contains(b, []byte("web-01"))
		}, teatest.WithDuration(10*time.Second))
		tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
		tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
		cancel()
		rest, _ := io.ReadAll(tm.FinalOutput(t))
		outb := append(seen, rest...)
		has := colourSGR(string(outb)) != ""
		if has == tc.noColor {
			t.Errorf("profile %v: colour in output = %v: %q", tc.profile, has, outb)
		}
	}
}

func TestFleetWaitCommand(t *testing.T) {
	src := newFakeSource(demoVMs()...)
	src.addEvents(demoEvents()...)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, _ := newApp(src, Options{}, appConfig{ctx: ctx})
	recvWithin(t, src.changed, "the change signal addEvents left") // drain it
	a.lastSeq = 2
	got := make(chan tea.Msg, 1)
	go func() { got <- a.loadFleet(true)() }()
	// A wait that does not wait returns at once; a quarter second leaves
	// room for a loaded machine to schedule it.
	select {
	case <-got:
		t.Fatal("the wait returned with nothing changed")
	case <-time.After(250 * time.Millisecond):
	}
	src.update(func(s *model.FleetSnapshot) {})
	m := recvWithin(t, got, "the fleet wait after a change").(fleetMsg)
	if m.snap.Version != src.Snapshot().Version || len(m.events) != 2 || m.events[0].Seq != 3 {
		t.Fatalf("fleetMsg %+v", m)
	}
	// Cancelling the context releases a waiting command.
	go func() { got <- a.loadFleet(true)() }()
	cancel()
	if m := recvWithin(t, got, "the fleet wait after its context was cancelled"); m != nil {
		t.Fatalf("cancelled wait returned %T", m)
	}
	// A closed channel means the fleet stopped.
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	a.ctx = ctx2
	close(src.changed)
	if _, ok := a.loadFleet(true)().(fleetClosedMsg); !ok {
		t.Fatal("closed Changed not reported")
	}
	_ = json.Valid
	_ = errors.New
}

// recvWithin returns what ch delivers, failing after 10 s naming what it
// waited for.
func recvWithin[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out after 10 s waiting for %s", what)
	}
	panic("unreachable")
}
