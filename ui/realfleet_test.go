package ui

import (
	"context"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/model"
)

// runRealFleet runs f until the test ends, and then waits (with a
// deadline) for Run to return. The context it returns ends with the test.
func runRealFleet(t *testing.T, f *model.Fleet) context.Context {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.Run(ctx); close(done) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Error("Fleet.Run did not return within 20 s of cancel")
		}
	})
	return ctx
}
