package model

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/qmpdash/qmpdash/qmp"
	"github.com/qmpdash/qmpdash/remote"
)

// watcherEnv is all a vmWatcher uses of the fleet that owns it, handed over
// at construction: settings, the clock, and the ways out to readers. The
// watcher holds no *Fleet, so nothing it does can reach the fleet's state or
// its lock except through publish and changed.
type watcherEnv struct {
	timeout  time.Duration // connect, per-poll (slow queries 2x, schema 4x)
	backoff  Backoff
	localMax time.Duration  // the backoff's cap for unix sockets
	jitter   func() float64 // for backoff
	histLen  int
	procRoot string
	logger   *slog.Logger
	dial     func(ctx context.Context, target string, opts ...qmp.Option) (*qmp.Client, error)
	remote   *remote.Pool // carries ssh:// monitors
	rprocs   *remoteProcs // ssh:// VMs' host figures (remoteproc.go)
	now      func() time.Time
	interval func() time.Duration         // the poll interval now; it changes at run time
	merged   *EventLog                    // the fleet's merged event log
	publish  func(*vmWatcher, VMSnapshot) // hands readers this watcher's new snapshot
	changed  func()                       // tells readers something changed that is not in a snapshot (a schema arrived)
}

// vmWatcher owns one VM: a goroutine that connects, reconnects with
// backoff, polls at most once at a time, and applies events as they come.
// Its state (cur, figs) belongs to that goroutine alone; other goroutines
// see only what it publishes, the fields under mu, and the atomics.
type vmWatcher struct {
	env  watcherEnv
	id   string
	addr qmp.Address
	log  *EventLog // this VM's own events

	intervalChanged chan struct{}
	goneCh          chan struct{}
	reviveCh        chan struct{}
	kickCh          chan struct{} // retry now (Fleet.Reconnect, the socket came back)
	slowCh          chan struct{} // asks for the slow facts again (a device was added)
	requestCh       chan struct{} // a request was recorded (balloon): publish it now, not at the next poll
	gone            atomic.Bool
	scanned         atomic.Bool                    // a directory or glob watcher kicks it; else it stats its socket itself
	quitAsked       atomic.Bool                    // a quit was sent through the fleet on this connection
	balloonAsked    atomic.Pointer[BalloonRequest] // set by Fleet.Execute, read by publish
	migrateURI      atomic.Pointer[string]         // where Fleet.Execute sent "migrate"
	subDropped      atomic.Uint64                  // events the qmp subscriptions of past connections lost
	liveSub         atomic.Pointer[qmp.Subscription]
	commands        atomic.Pointer[[]string]  // what the VM accepts, sorted; set after each slow query
	guest           atomic.Pointer[Guest]     // the guest agent's facts (guestagent.go)
	agentPath       atomic.Pointer[string]    // the agent socket the guest poller uses
	vmAgentPath     atomic.Pointer[string]    // the agent socket the VM's own QOM names (guestfind.go)
	liveAgent       atomic.Pointer[qmp.Agent] // the guest poller's connection, for Fleet.ExecuteAgent
	agentPort       atomic.Pointer[agentPort] // what query-chardev says of the agent's port (guestagent.go)
	agentStatic     string                    // the agent socket the config names; set before the goroutines start
	agentTurn       chan struct{}             // held by whoever uses liveAgent: a poller round, or ExecuteAgent
	guestKick       chan struct{}             // ask the agent now (VSERPORT_CHANGE, the port opened)

	mu            sync.Mutex // guards the fields below, read by Fleet methods
	cl            *qmp.Client
	schema        *qmp.Schema
	schemaFetched *qmp.Client // the connection a schema fetch was started on
	schemaErr     error       // why that fetch failed, if it did
	unplugs       []Unplug    // device_del requests (unplug.go); replaced, never changed in place

	// Owned by the run goroutine.
	portNoted agentPort // what notePort last stored
	cur       VMSnapshot
	figs      *figures
	exit      string // the SHUTDOWN event's reason on this connection
}

// perVMEventLog bounds each VM's own log; the merged log has its own cap.
const perVMEventLog = 1000

var errGone = errors.New("monitor socket is gone")

// pendingRecheck is how soon a VM that owes replies is looked at again.
const pendingRecheck = 250 * time.Millisecond

func newVMWatcher(env watcherEnv, id string, a qmp.Address) *vmWatcher {
	v := &vmWatcher{
		env: env, id: id, addr: a,
		log:             NewEventLog(perVMEventLog),
		intervalChanged: make(chan struct{}, 1),
		goneCh:          make(chan struct{}, 1),
		reviveCh:        make(chan struct{}, 1),
		kickCh:          make(chan struct{}, 1),
		slowCh:          make(chan struct{}, 1),
		requestCh:       make(chan struct{}, 1),
		guestKick:       make(chan struct{}, 1),
		agentTurn:       make(chan struct{}, 1),
	}
	v.cur = initialSnapshot(id, a)
	return v
}

// initialSnapshot is what a VM shows before its watcher has published.
func initialSnapshot(id string, a qmp.Address) VMSnapshot {
	return VMSnapshot{ID: id, Target: a.String(), Name: fallbackName(a), Conn: ConnConnecting, RemoteHost: RemoteHostOf(a)}
}

func (v *vmWatcher) poke(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// eventsLost counts events this VM's subscriptions had to drop because the
// watcher fell behind (they never reached the logs).
func (v *vmWatcher) eventsLost() uint64 {
	n := v.subDropped.Load()
	if s := v.liveSub.Load(); s != nil {
		n += s.Dropped()
	}
	return n
}

func (v *vmWatcher) markGone() {
	if !v.gone.Swap(true) {
		v.poke(v.goneCh)
	}
}

func (v *vmWatcher) revive() {
	if v.gone.Swap(false) {
		v.poke(v.reviveCh)
	}
}

func (v *vmWatcher) client() *qmp.Client {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.cl
}

// commandNames is what the VM accepts, sorted; nil until it has
// connected once.
func (v *vmWatcher) commandNames() []string {
	if p := v.commands.Load(); p != nil {
		return *p
	}
	return nil
}

func (v *vmWatcher) setClient(c *qmp.Client) {
	v.mu.Lock()
	v.cl = c
	v.schema, v.schemaErr = nil, nil // a new QEMU may be another version
	// A new QEMU has its own balloon target and migration: under mu, so a
	// request answered by the old one (recordOn) cannot land after this.
	v.balloonAsked.Store(nil)
	v.migrateURI.Store(nil)
	v.mu.Unlock()
}

// recordOn runs record only while c is still the VM's connection: what a
// command's reply says describes the QEMU that answered it, and a
// reconnect in between means another QEMU now stands behind the VM.
func (v *vmWatcher) recordOn(c *qmp.Client, record func()) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.cl != c {
		return false
	}
	record()
	return true
}

func (v *vmWatcher) publish() {
	v.cur.Memory.Requested = BalloonRequest{}
	if r := v.balloonAsked.Load(); r != nil {
		req := *r
		req.Target = BalloonTargetFor(req.Asked, v.cur.Memory.BaseBytes+v.cur.Memory.PluggedBytes)
		v.cur.Memory.Requested = req
	}
	v.cur.Updated = v.env.now()
	v.notePort()
	v.env.publish(v, v.cur)
}

// watch serves one connection until it ends. The returned error is why.
func (v *vmWatcher) watch(ctx context.Context, c *qmp.Client) error {
	// Subscribe before announcing the connection, so a reader that acts on
	// "connected" cannot make an event we miss.
	sub := c.Subscribe(256)
	v.liveSub.Store(sub)
	defer func() {
		v.liveSub.Store(nil)
		v.subDropped.Add(sub.Dropped())
		sub.Close()
	}()
	kind, names := v.env.identify(ctx, c)
	if names != nil {
		names = sortedCopy(names)
		v.commands.Store(&names)
	}
	v.connected(c, kind)

	// One goroutine runs this connection's polls, one at a time, for as
	// long as it lasts: a goroutine started per poll grew its stack anew
	// each time, 7 % of the dashboard's CPU at 500 VMs.
	type pollJob struct {
		proc *ProcSampler
		rs   *remoteSampler
		asks pollAsks
		cpus []qmp.CPUInfoFast
	}
	pollDone := make(chan pollResult, 1)
	pollNext := make(chan pollJob)
	defer close(pollNext)
	go func() {
		for j := range pollNext {
			pollDone <- v.env.poll(ctx, c, j.proc, j.rs, kind, j.asks, j.cpus)
		}
	}()
	slowDone := make(chan slowResult, 1)
	slowRunning, slowWanted := true, false
	go func() { slowDone <- v.env.slowQuery(ctx, c, kind) }()

	timer := time.NewTimer(0) // first poll at once
	defer timer.Stop()
	gates := newPollGates()
	polling := false
	var pollStarted time.Time
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-v.goneCh:
			return errGone
		case <-c.Done():
			// What QEMU said last (SHUTDOWN before it exits) may still
			// be queued; the channel is closed once it is drained.
			for ev := range sub.C() {
				v.applyEvent(ev)
			}
			return c.Err()
		case <-v.slowCh:
			gates.askEverything() // a device was added: a vCPU or a balloon, perhaps
			if slowRunning {
				slowWanted = true
			} else {
				slowRunning = true
				go func() { slowDone <- v.env.slowQuery(ctx, c, kind) }()
			}
		case <-v.requestCh:
			v.publish()
		case <-v.intervalChanged:
			if !polling {
				timer.Reset(0)
			}
		case ev, ok := <-sub.C():
			if !ok {
				return c.Err()
			}
			gates.event(ev.Name)
			if v.applyEvent(ev) {
				slowWanted = true
			}
			if slowWanted && !slowRunning {
				slowRunning, slowWanted = true, false
				go func() { slowDone <- v.env.slowQuery(ctx, c, kind) }()
			}
			v.publish()
		case <-timer.C:
			if c.Pending() > 0 {
				// Still owed replies from a poll that timed out: the VM
				// is frozen or overloaded. Leave it alone until it
				// answers; look again soon, not a whole interval later.
				timer.Reset(min(v.env.interval(), pendingRecheck))
				continue
			}
			polling, pollStarted = true, v.env.now()
			proc, rs, cpus := v.figs.proc, v.figs.remote, v.figs.cpus
			asks := gates.begin(sub.Dropped(), v.env.interval())
			pollNext <- pollJob{proc: proc, rs: rs, asks: asks, cpus: cpus} // the worker is idle: polling was false
		case r := <-pollDone:
			polling = false
			gates.done(r)
			v.applyPoll(r)
			v.publish()
			next := v.env.interval() - v.env.now().Sub(pollStarted)
			timer.Reset(max(next, 0))
		case r := <-slowDone:
			slowRunning = false
			v.applySlow(r)
			v.publish()
			if slowWanted {
				slowRunning, slowWanted = true, false
				go func() { slowDone <- v.env.slowQuery(ctx, c, kind) }()
			}
		}
	}
}

// connected starts the figures over for a new connection.
func (v *vmWatcher) connected(c *qmp.Client, kind ServerKind) {
	v.setClient(c)
	v.clearUnplugs()
	pid := c.PID()
	if pid == os.Getpid() || !qemuProcess(v.env.procRoot, pid) {
		// An in-process peer (the simulated demo) or a process that is no
		// QEMU (qmpdash sim serving hundreds of monitors): /proc would
		// describe qmpdash or the simulator, not this VM.
		pid = 0
	}
	v.figs = newFigures(v.env.histLen, v.env.procRoot, pid)
	if v.addr.Network == "ssh" && v.env.rprocs != nil {
		if t, err := remote.ParseTarget(v.addr.String()); err == nil {
			v.figs.remote = &remoteSampler{host: v.env.rprocs.host(t)}
		}
	}
	v.exit = ""
	v.quitAsked.Store(false)
	var started time.Time
	if pid > 0 {
		var err error
		if started, err = ProcStartTime(v.env.procRoot, pid); err != nil {
			v.env.logger.Info("qmpdash: no start time", "vm", v.id, "pid", pid, "err", err)
		}
	}
	name := v.cur.Name
	v.cur = VMSnapshot{
		ID:          v.id,
		Target:      v.cur.Target,
		RemoteHost:  v.cur.RemoteHost,
		Name:        name,
		Conn:        ConnConnected,
		Kind:        kind,
		LastError:   v.cur.LastError,
		EventsSeen:  v.cur.EventsSeen,
		EventCounts: v.cur.EventCounts,
		ErrorCounts: v.cur.ErrorCounts,
		Polls:       v.cur.Polls,
		// The latest complete poll stays the latest until the next one.
		LastPollDuration: v.cur.LastPollDuration,
		Version:          c.Version().String(),
		VersionPackage:   c.Version().Package,
		PID:              pid, // 0 for an in-process or non-QEMU peer: it has no process of its own
		StartTime:        started,
		SeenSince:        v.env.now(),
	}
	v.publish()
}

// schemaOrFetch returns the VM's schema, or why it cannot be had now:
// ErrSchemaPending while it is being fetched, a SchemaUnavailableError
// when the VM is not connected or the fetch failed. query-qmp-schema is
// ~200 KB that QEMU builds on request: fetched once per connection, on
// first use, never as part of connecting (fifty VMs doing it at once slow
// every other query down for seconds). retry starts a failed fetch again
// (the argument check does; completion, asked at every key, does not).
func (v *vmWatcher) schemaOrFetch(retry bool) (*qmp.Schema, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	switch {
	case v.schema != nil:
		return v.schema, nil
	case v.cl == nil:
		return nil, &SchemaUnavailableError{Reason: "the VM is not connected"}
	case v.schemaFetched == v.cl && v.schemaErr == nil:
		return nil, ErrSchemaPending
	case v.schemaFetched == v.cl && !retry:
		return nil, &SchemaUnavailableError{Reason: v.schemaErr.Error()}
	}
	c := v.cl
	v.schemaFetched, v.schemaErr = c, nil
	go v.fetchSchema(c)
	return nil, ErrSchemaPending
}

func (v *vmWatcher) fetchSchema(c *qmp.Client) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*v.env.timeout)
	defer cancel()
	s, err := c.QueryQMPSchema(ctx)
	if err != nil {
		v.env.logger.Info("qmpdash: no schema", "vm", v.id, "err", err)
	}
	v.mu.Lock()
	if v.cl == c {
		v.schema, v.schemaErr = s, err
	}
	v.mu.Unlock()
	// Readers waiting for completions learn through the change signal.
	v.env.changed()
}
