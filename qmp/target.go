package qmp

import (
	"fmt"
	"net"
	"strings"
)

// Address is where a monitor listens: a unix socket path, a TCP host:port,
// or a unix socket on another machine reached over SSH.
type Address struct {
	Network string // "unix", "tcp" or "ssh"
	Addr    string // for ssh: [user@]host[:port]/path, as after ssh://
}

// String gives the address back in the form ParseAddress takes.
func (a Address) String() string {
	if a.Network == "ssh" {
		return "ssh://" + a.Addr
	}
	return a.Network + ":" + a.Addr
}

// ParseAddress reads the target forms every qmpdash command takes:
// a socket path, "unix:PATH", or "tcp:HOST:PORT"; and "ssh://REST", which
// only a Dial with a Dialer that takes it can open (package remote parses
// REST).
func ParseAddress(target string) (Address, error) {
	switch {
	case target == "":
		return Address{}, fmt.Errorf("empty target")
	case strings.HasPrefix(target, "ssh://"):
		rest := strings.TrimPrefix(target, "ssh://")
		if !strings.Contains(rest, "/") {
			return Address{}, fmt.Errorf("target %q: want ssh://[user@]host[:port]/path", target)
		}
		return Address{Network: "ssh", Addr: rest}, nil
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
