package model

import (
	"fmt"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/qmp"
)

// startFleet runs a fleet over the given sockets until the test ends.
func startFleet(t *testing.T, cfg Config, sockets ...string) *Fleet {
	t.Helper()
	f := NewFleet(cfg)
	for _, s := range sockets {
		a, err := qmp.ParseAddress(s)
		if err != nil {
			t.Fatal(err)
		}
		f.Add(canonical(a))
	}
	runFleet(t, f)
	return f
}

// runFleet runs f until the test ends, then stops it (with a deadline).
func runFleet(t *testing.T, f *Fleet) {
	stop := f.Start(t.Context())
	t.Cleanup(func() {
		if err := stop(20 * time.Second); err != nil {
			t.Error(err)
		}
	})
}

// waitFor blocks until cond holds on a snapshot, waking on the fleet's
// change signal (not on a sleep), or fails after limit.
func waitFor(t *testing.T, f *Fleet, limit time.Duration, what string, cond func(FleetSnapshot) bool) FleetSnapshot {
	t.Helper()
	deadline := time.NewTimer(limit)
	defer deadline.Stop()
	for {
		s := f.Snapshot()
		if cond(s) {
			return s
		}
		select {
		case <-f.Changed():
		case <-deadline.C:
			t.Fatalf("timed out waiting for %s; last snapshot:\n%s", what, describe(f.Snapshot()))
		}
	}
}

func vmBy(s FleetSnapshot, name string) VMSnapshot {
	for _, v := range s.VMs {
		if v.Name == name {
			return v
		}
	}
	return VMSnapshot{}
}

func describe(s FleetSnapshot) string {
	out := ""
	for _, v := range s.VMs {
		out += fmt.Sprintf("  %s name=%q conn=%s run=%q polls=%d stale=%v pid=%d err=%+v\n",
			v.ID, v.Name, v.Conn, v.RunState, v.Polls, v.Stale, v.PID, v.LastError)
	}
	return out
}

func testConfig() Config {
	return Config{
		Interval: 200 * time.Millisecond,
		Timeout:  10 * time.Second, // an upper bound: healthy TCG VMs under -race on 2 loaded cores must never time out
		Backoff:  Backoff{Min: 50 * time.Millisecond, Max: 300 * time.Millisecond, Factor: 2, Jitter: 0.1},
	}
}

func mustParse(tb testing.TB, s string) qmp.Address {
	a, err := qmp.ParseAddress(s)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}
