package qmp

import (
	"fmt"
	"net"
	"strings"
)

// Address is where a monitor listens: a unix socket path or a TCP host:port.
type Address struct {
	Network string // "unix" or "tcp"
	Addr    string
}

// String gives the address back in the form ParseAddress takes.
func (a Address) String() string { return a.Network + ":" + a.Addr }

// ParseAddress reads the target forms every qmpdash command takes:
// a socket path, "unix:PATH", or "tcp:HOST:PORT".
func ParseAddress(target string) (Address, error) {
	switch {
	case target == "":
		return Address{}, fmt.Errorf("empty target")
	case strings.HasPrefix(target, "unix:"):
		p := strings.TrimPrefix(target, "unix:")
		if p == "" {
			return Address{}, fmt.Errorf("target %q: no socket path after \"unix:\"", target)
		}
		return Address{Network: "unix", Addr: p}, nil
	case strings.HasPrefix(target, "tcp:"):
		hp := strings.TrimPrefix(target, "tcp:")
		host, port, err := net.SplitHostPort(hp)
		if err != nil || port == "" {
			return Address{}, fmt.Errorf("target %q: want tcp:HOST:PORT", target)
		}
		return Address{Network: "tcp", Addr: net.JoinHostPort(host, port)}, nil
	}
	return Address{Network: "unix", Addr: target}, nil
}
