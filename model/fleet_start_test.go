package model

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/qmp"
)

// Start runs the fleet in the background; stop ends it and waits, and
// says so, naming its limit, when Run does not return in time.
func TestFleetStartStop(t *testing.T) {
	release := make(chan struct{})
	dialing := make(chan struct{}, 1)
	cfg := testConfig()
	cfg.Dial = func(context.Context, string, ...qmp.Option) (*qmp.Client, error) {
		dialing <- struct{}{}
		<-release // a dial that ignores cancellation holds Run up
		return nil, errors.New("released")
	}
	f := NewFleet(cfg)
	f.Add(mustParse(t, "unix:/nonexistent/stuck.qmp"))
	stop := f.Start(t.Context())
	select {
	case <-dialing:
	case <-time.After(20 * time.Second):
		t.Fatal("the VM was not dialled within 20 s of Start")
	}
	err := stop(50 * time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "50ms") {
		t.Fatalf("stop while a dial holds Run up: %v, want an error naming 50ms", err)
	}
	close(release)
	if err := stop(20 * time.Second); err != nil {
		t.Fatalf("stop once the dial returned: %v", err)
	}

	// A run whose context ends stops by itself; stop then returns at once.
	ctx, cancel := context.WithCancel(context.Background())
	stop = NewFleet(testConfig()).Start(ctx)
	cancel()
	if err := stop(20 * time.Second); err != nil {
		t.Fatal(err)
	}
}
