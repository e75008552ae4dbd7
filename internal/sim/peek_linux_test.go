//go:build linux

package sim

import (
	"net"
	"syscall"
	"testing"
)

// pendingBytes reports how many bytes wait unread in c's receive buffer,
// without consuming or blocking (MSG_PEEK|MSG_DONTWAIT).
func pendingBytes(t *testing.T, c net.Conn) int {
	t.Helper()
	rc, err := c.(*net.UnixConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	n := 0
	var rerr error
	err = rc.Control(func(fd uintptr) {
		n, _, rerr = syscall.Recvfrom(int(fd), buf, syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
	})
	if err != nil {
		t.Fatal(err)
	}
	if rerr == syscall.EAGAIN {
		return 0
	}
	if rerr != nil {
		t.Fatal(rerr)
	}
	return n
}
