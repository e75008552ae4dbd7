package ui

import (
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/model"
)

// startRealFleet watches target (a QMP socket) with a fleet of cfg until
// the test ends, and then stops the fleet with a deadline.
func startRealFleet(t *testing.T, cfg model.Config, target string) *model.Fleet {
	t.Helper()
	spec, err := model.ParseSpec(target)
	if err != nil {
		t.Fatal(err)
	}
	f := model.NewFleet(cfg)
	stop := f.Start(t.Context())
	t.Cleanup(func() {
		if err := stop(20 * time.Second); err != nil {
			t.Error(err)
		}
	})
	if err := f.Watch(t.Context(), []model.Spec{spec}); err != nil {
		t.Fatal(err)
	}
	return f
}
