package model

import (
	"testing"

	"go.uber.org/goleak"
)

// Every fleet test stops its fleet; no watcher, poll or rescan goroutine
// may outlive it.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
