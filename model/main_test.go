package model

import (
	"testing"

	"go.uber.org/goleak"
)

// Every fleet test stops its fleet; no watcher, poll or rescan goroutine
// may outlive it. The one exception is x/crypto/ssh's lost channel open
// (see remote's openOn): an open that races its connection's end can
// block for ever inside x/crypto, and nothing outside it can end it.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("golang.org/x/crypto/ssh.(*mux).openChannel"))
}
