// Package qemuproc holds what both QEMU launchers need, the tests'
// (internal/qemutest) and the demo's (internal/demo): today, waiting until
// a started QEMU's monitor accepts connections. It uses the standard
// library only and must never import another qmpdash package (not even
// qmp: a launcher's readiness probe must not depend on the client under
// test) nor testing, since the demo ships in the binary.
package qemuproc

import (
	"errors"
	"fmt"
	"net"
	"time"
)

// WaitMonitor waits until a freshly started QEMU's unix monitor socket
// accepts connections, or the process exits, or limit passes. QEMU creates
// the socket file early but listens only once it is ready, so a successful
// dial is the signal; that probe connection is closed at once, which QEMU
// treats as a client that came and went. A process has no readiness
// signal to wait on, so this looks every 20 ms.
func WaitMonitor(path string, exited <-chan struct{}, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return errors.New("QEMU exited before its monitor came up (see its log)")
		default:
		}
		if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("monitor socket %s did not come up in %s", path, limit)
}
