// Package sim is an in-process QMP server that answers as QEMU 7.2 does, and
// a simulated guest agent (agent.go, qemu-ga 7.2's wire), for `qmpdash demo`
// without QEMU (and the demo's guests) and as deterministic peers in tests
// (among them what a real host qemu-ga must never be sent). It is the
// server side of the protocol and deliberately shares no code with the
// client packages, so a bug in one cannot hide a bug in the other: it must
// never import qmp, model or any other qmpdash package, nor anything that
// draws.
package sim

import (
	"errors"
	"fmt"
	"hash/fnv"
	"net"
	"os"
	"sync"
	"time"
)

// VM is one simulated QEMU process with one QMP monitor.
type VM struct {
	opts  Options
	clock func() time.Time

	slot chan struct{} // held by the one client the monitor serves
	done chan struct{} // closed when the VM stops (Close or quit)
	wg   sync.WaitGroup

	mu        sync.Mutex
	closed    bool
	quit      bool // quit was executed: the "process" has exited
	quitting  bool // set by the quit handler, acted on after its reply
	listeners map[net.Listener]struct{}
	waiting   map[net.Conn]struct{}
	active    *conn
	sockPath  string

	// Guest state, all under mu.
	now       time.Time // latest clock reading; never goes backwards
	booted    time.Time
	lastStamp time.Time // latest event timestamp; strictly increasing
	status    string    // QEMU RunState: "running", "paused", "prelaunch"
	runAccum  time.Duration
	runSince  time.Time
	stoppedAt time.Time
	nextReset time.Duration // running time of the next guest reset
	disks     []*disk
	nodes     []*addedNode
	jobs      []*job
	balloon   uint64 // actual
	target    uint64 // requested by balloon, applied by the "guest" while running
	later     []laterEvent
	nodeSeq   int
	threadID  int
}

// New builds a VM; it starts no goroutines until it serves a connection.
func New(opts Options) *VM {
	if opts.VCPUs <= 0 {
		opts.VCPUs = 1
	}
	if opts.MemoryMiB <= 0 {
		opts.MemoryMiB = 128
	}
	clock := opts.Clock
	if clock == nil {
		clock = time.Now
	}
	v := &VM{
		opts:      opts,
		clock:     clock,
		slot:      make(chan struct{}, 1),
		done:      make(chan struct{}),
		listeners: map[net.Listener]struct{}{},
		waiting:   map[net.Conn]struct{}{},
		status:    "running",
		nodeSeq:   100,
	}
	v.now = clock()
	v.booted = v.now
	v.runSince = v.now
	v.stoppedAt = v.now
	if opts.Paused {
		v.status = "prelaunch"
	}
	v.nextReset = opts.ResetEvery
	v.balloon = v.memBytes()
	v.target = v.balloon
	// Fake but stable vCPU thread ids, so a dashboard shows the same
	// numbers across runs for the same VM name.
	h := fnv.New32a()
	_, _ = h.Write([]byte(opts.Name))
	v.threadID = 2000 + int(h.Sum32()%60000)
	v.setupDisks()
	if opts.MirrorJob {
		v.startDemoMirror()
	}
	return v
}

func (v *VM) memBytes() uint64 { return uint64(v.opts.MemoryMiB) << 20 }

func (v *VM) packageString() string {
	if v.opts.Name == "" {
		return "qmpdash-sim"
	}
	return fmt.Sprintf("qmpdash-sim (%s)", v.opts.Name)
}

// Serve accepts connections on l until l fails, the VM is closed, or a
// client runs quit. Like a QEMU monitor it serves one client at a time: a
// later connection is accepted but gets its greeting only when the current
// client goes away. Serve returns nil when stopped by Close or quit.
func (v *VM) Serve(l net.Listener) error {
	v.mu.Lock()
	if v.closed {
		v.mu.Unlock()
		_ = l.Close()
		return nil
	}
	v.listeners[l] = struct{}{}
	v.mu.Unlock()
	defer func() {
		v.mu.Lock()
		delete(v.listeners, l)
		v.mu.Unlock()
	}()
	for {
		nc, err := l.Accept()
		if err != nil {
			v.mu.Lock()
			closed := v.closed
			v.mu.Unlock()
			if closed {
				return nil
			}
			return err
		}
		if !v.track() {
			_ = nc.Close()
			return nil
		}
		go func() {
			defer v.wg.Done()
			v.serveConn(nc)
		}()
	}
}

// ServeConn serves one already-open connection and returns when it ends.
// It waits for the monitor to be free first, as Serve's connections do.
func (v *VM) ServeConn(c net.Conn) {
	if !v.track() {
		_ = c.Close()
		return
	}
	defer v.wg.Done()
	v.serveConn(c)
}

// ListenUnix listens on a unix socket at path (replacing a stale socket
// there, as QEMU does) and serves it in the background until Close or quit.
func (v *VM) ListenUnix(path string) error {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
		_ = os.Remove(path)
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return err
	}
	v.mu.Lock()
	if v.closed {
		v.mu.Unlock()
		_ = l.Close()
		return errors.New("sim: VM is closed")
	}
	v.sockPath = path
	v.wg.Add(1)
	v.mu.Unlock()
	go func() {
		defer v.wg.Done()
		if err := v.Serve(l); err != nil {
			_ = l.Close()
		}
	}()
	return nil
}

// Close stops the VM: listeners and every connection are closed and all
// goroutines the VM started have exited when it returns.
func (v *VM) Close() error {
	v.mu.Lock()
	v.shutdownLocked(nil)
	if v.active != nil {
		v.active.kill()
	}
	v.mu.Unlock()
	v.wg.Wait()
	return nil
}

// Done is closed when the VM has stopped, by Close or by a client's quit.
func (v *VM) Done() <-chan struct{} { return v.done }

// track registers a goroutine Close must wait for; false once closed, so
// no goroutine can start after Close began waiting.
func (v *VM) track() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed {
		return false
	}
	v.wg.Add(1)
	return true
}

// shutdownLocked stops accepting and serving. keep, if not nil, is a client
// that is allowed to flush its last reply (the one that ran quit).
func (v *VM) shutdownLocked(keep *conn) {
	if v.closed {
		return
	}
	v.closed = true
	close(v.done)
	for l := range v.listeners {
		_ = l.Close()
	}
	for nc := range v.waiting {
		_ = nc.Close()
	}
	if v.active != nil && v.active != keep {
		v.active.kill()
	}
}

// maxWaiting bounds connections queued behind the active client; QEMU's
// bound is the kernel's listen backlog.
const maxWaiting = 16

func (v *VM) serveConn(nc net.Conn) {
	nc = v.misbehave(nc)
	v.mu.Lock()
	if v.closed || len(v.waiting) >= maxWaiting {
		v.mu.Unlock()
		_ = nc.Close()
		return
	}
	v.waiting[nc] = struct{}{}
	v.mu.Unlock()

	select {
	case v.slot <- struct{}{}:
	case <-v.done:
		v.mu.Lock()
		delete(v.waiting, nc)
		v.mu.Unlock()
		_ = nc.Close()
		return
	}
	defer func() { <-v.slot }()

	c := newConn(nc)
	v.mu.Lock()
	delete(v.waiting, nc)
	if v.closed {
		v.mu.Unlock()
		_ = nc.Close()
		return
	}
	v.active = c
	v.tickClock()
	c.send(encodeLine(greetingMsg{QMP: greetingBody{
		Version:      versionInfo{Qemu: qemuVersion, Package: v.packageString()},
		Capabilities: []string{"oob"},
	}}))
	v.mu.Unlock()

	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		c.writeLoop()
	}()
	go func() {
		defer wg.Done()
		v.tickLoop(c)
	}()
	v.readLoop(c)
	c.closeAfterFlush()
	wg.Wait()

	v.mu.Lock()
	if v.active == c {
		v.active = nil
	}
	v.mu.Unlock()
}

func (v *VM) readLoop(c *conn) {
	f := newFramer(c.nc)
	for {
		msg, bad, err := f.next()
		if err != nil {
			return
		}
		if !v.handle(c, msg, bad) {
			return
		}
	}
}

// tickInterval is how often time-driven state (resets, job progress,
// guest reactions) is turned into events while a client is attached.
// Commands also catch up first, so tests never depend on this timer.
const tickInterval = 200 * time.Millisecond

func (v *VM) tickLoop(c *conn) {
	t := time.NewTicker(tickInterval)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
			v.mu.Lock()
			if v.active == c && !v.quit {
				v.advance()
			}
			v.mu.Unlock()
		}
	}
}
