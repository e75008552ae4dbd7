package sim

import (
	"fmt"
	"net"
	"sync"
	"time"
)

// Misbehaviour is a fault a simulated monitor shows on purpose, so a
// client can be tried against what a broken or overloaded QEMU (or
// something that is not QEMU at all) does to it. The VM underneath is
// normal: the fault is in what reaches the client's socket.
type Misbehaviour string

// The faults. Each applies to every connection the VM serves.
const (
	Behave  Misbehaviour = ""        // a well-behaved monitor
	Slow    Misbehaviour = "slow"    // every message reaches the client SlowDelay late
	Garbage Misbehaviour = "garbage" // a line that is not JSON follows every few messages
	Silent  Misbehaviour = "silent"  // accepts connections and never says anything
	Drop    Misbehaviour = "drop"    // closes each connection DropAfter after it was accepted
)

// Misbehaviours lists the faults, in the order help texts give them.
var Misbehaviours = []Misbehaviour{Slow, Garbage, Silent, Drop}

// ParseMisbehaviour checks a fault's name.
func ParseMisbehaviour(s string) (Misbehaviour, error) {
	for _, m := range Misbehaviours {
		if string(m) == s {
			return m, nil
		}
	}
	return Behave, fmt.Errorf("unknown misbehaviour %q (want slow, garbage, silent or drop)", s)
}

// The faults' timing: slower than a healthy monitor by far, yet within a
// client's usual few-second timeout, and a drop late enough that the client
// has negotiated and polled first.
const (
	SlowDelay    = 1500 * time.Millisecond
	DropAfter    = 3 * time.Second
	garbageEvery = 4
)

// garbageLine is what a Garbage monitor interleaves: broken JSON, control
// bytes and invalid UTF-8, each a way a client could choke.
var garbageLine = []byte("{\"return\": {\"oops\" \x1b[2J\xff\xfe not json\r\n")

// misbehave wraps a connection the VM is about to serve with its fault.
func (v *VM) misbehave(nc net.Conn) net.Conn {
	switch v.opts.Misbehave {
	case Slow, Garbage, Silent:
		return &faultyConn{Conn: nc, mode: v.opts.Misbehave, closed: make(chan struct{})}
	case Drop:
		fc := &faultyConn{Conn: nc, mode: Drop, closed: make(chan struct{})}
		fc.timer = time.AfterFunc(DropAfter, func() { _ = fc.Close() })
		return fc
	}
	return nc
}

// faultyConn is a connection whose writes show a fault. Only the VM's one
// writer goroutine writes, so writes need no lock of their own.
type faultyConn struct {
	net.Conn
	mode   Misbehaviour
	writes int
	timer  *time.Timer

	once   sync.Once
	closed chan struct{}
}

func (c *faultyConn) Write(b []byte) (int, error) {
	switch c.mode {
	case Silent:
		return len(b), nil
	case Slow:
		t := time.NewTimer(SlowDelay)
		select {
		case <-t.C:
		case <-c.closed:
			t.Stop()
			return 0, net.ErrClosed
		}
	case Garbage:
		c.writes++
		if c.writes%garbageEvery == 0 {
			if _, err := c.Conn.Write(garbageLine); err != nil {
				return 0, err
			}
		}
	}
	return c.Conn.Write(b)
}

func (c *faultyConn) Close() error {
	c.once.Do(func() {
		close(c.closed)
		if c.timer != nil {
			c.timer.Stop()
		}
	})
	return c.Conn.Close()
}
