package model

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/qmpdash/qmpdash/qmp"
	"github.com/qmpdash/qmpdash/remote"
)

// Config shapes a Fleet. Zero values take the defaults.
type Config struct {
	Interval time.Duration // poll interval (default 1 s)
	Timeout  time.Duration // connect and per-poll timeout (default 3 s)
	Backoff  Backoff       // reconnect delays (DefaultBackoff)
	// LocalBackoffMax caps Backoff.Max for unix sockets (default
	// DefaultLocalBackoffMax; TCP keeps Backoff.Max).
	LocalBackoffMax time.Duration
	EventLogSize    int           // merged event log capacity (default 10 000)
	HistoryLen      int           // samples kept per figure (default 120)
	ScanInterval    time.Duration // how often directories and globs are rescanned (default 1 s)
	// GoneGrace is how long a VM found by a directory or glob stays,
	// marked gone, after its socket went; then the fleet forgets it
	// (default DefaultGoneGrace). Named monitors are never forgotten.
	GoneGrace time.Duration
	ProcRoot  string // default /proc
	Logger    *slog.Logger
	// ReadOnly makes Execute refuse every command ReadOnlyAllows does not.
	ReadOnly bool
	// Dial connects to a monitor; tests replace it. Default qmp.Dial.
	Dial func(ctx context.Context, target string, opts ...qmp.Option) (*qmp.Client, error)
	// Remote carries ssh:// targets; nil makes the fleet its own from
	// remote.DefaultOptions (the user's ~/.ssh), closed when Run ends. A
	// pool given here is the caller's to close.
	Remote *remote.Pool
	// Now is the clock for derived figures; tests replace it.
	Now func() time.Time
	// AgentInterval is how often guest agents are asked (default
	// DefaultAgentInterval).
	AgentInterval time.Duration
	// AgentSockets names a VM's guest agent socket by the VM's ID (its
	// target as qmp.ParseAddress resolves it); otherwise NAME.qga beside
	// the monitor socket is the agent's.
	AgentSockets map[string]string
}

// Limits on the poll interval that a user can set.
const (
	MinInterval = 100 * time.Millisecond
	MaxInterval = time.Hour
)

func (c Config) withDefaults() Config {
	if c.Interval <= 0 {
		c.Interval = time.Second
	}
	if c.Timeout <= 0 {
		c.Timeout = 3 * time.Second
	}
	if c.Backoff == (Backoff{}) {
		c.Backoff = DefaultBackoff()
	}
	if c.LocalBackoffMax <= 0 {
		c.LocalBackoffMax = DefaultLocalBackoffMax
	}
	if c.EventLogSize <= 0 {
		c.EventLogSize = 10000
	}
	if c.HistoryLen <= 0 {
		c.HistoryLen = 120
	}
	if c.ScanInterval <= 0 {
		c.ScanInterval = time.Second
	}
	if c.GoneGrace <= 0 {
		c.GoneGrace = DefaultGoneGrace
	}
	if c.ProcRoot == "" {
		c.ProcRoot = "/proc"
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Dial == nil {
		c.Dial = qmp.Dial
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.AgentInterval <= 0 {
		c.AgentInterval = DefaultAgentInterval
	}
	return c
}

// Fleet watches many VMs. Each VM has its own goroutine that connects,
// polls and listens to events; a slow VM only ever delays itself. Readers
// get immutable snapshots and a coalesced change signal.
type Fleet struct {
	cfg      Config
	env      watcherEnv   // what every watcher is given
	interval atomic.Int64 // time.Duration
	events   *EventLog
	judge    *SocketJudge // which discovered sockets are dialled
	pool     *remote.Pool // ssh:// targets' connections
	ownPool  bool         // made here, so closed when Run ends
	rprocs   *remoteProcs // batches remote VMs' /proc reads per host
	// scans counts the rescans finished, so a test can show what several
	// scans did not do by counting them rather than sleeping.
	scans atomic.Uint64
	// dirs are the directory specs' last listings, by spec (dirlisting.go);
	// owned by the rescan loop.
	dirs map[string]*dirListing

	mu    sync.Mutex // guards the fields below and every member
	vms   map[string]*member
	order []*member // vms sorted by ID, so a snapshot needs no sort
	// forgottenLost counts the events lost by VMs forgotten since (see
	// forgetLocked), so EventsDropped never goes back.
	forgottenLost uint64
	ctx           context.Context // set by Run; VMs added before Run start then
	wg            sync.WaitGroup
	version       uint64
	cache         *FleetSnapshot

	changed chan struct{}
}

// member is the fleet's record of one watched VM, guarded by Fleet.mu. The
// watcher itself knows nothing of it.
type member struct {
	w         *vmWatcher
	started   bool               // its goroutines have been started
	stop      context.CancelFunc // ends its goroutines (set when started)
	scanned   bool               // found by a directory or glob, so it can go away
	sock      socketID           // its socket file at the last scan (scanned VMs)
	goneSince time.Time          // when a scan first missed its socket; zero while present
	published VMSnapshot         // the watcher's latest snapshot
}

// NewFleet makes an empty fleet; add targets with Add or Watch, then Run.
func NewFleet(cfg Config) *Fleet {
	cfg = cfg.withDefaults()
	f := &Fleet{
		cfg:     cfg,
		events:  NewEventLog(cfg.EventLogSize),
		vms:     make(map[string]*member),
		changed: make(chan struct{}, 1),
		judge:   NewSocketJudge(cfg.ProcRoot, cfg.Logger),
	}
	f.interval.Store(int64(cfg.Interval))
	f.pool = cfg.Remote
	if f.pool == nil {
		o := remote.DefaultOptions()
		o.Logger, o.ConnectTimeout = cfg.Logger, cfg.Timeout
		f.pool, f.ownPool = remote.NewPool(o), true
	}
	f.rprocs = &remoteProcs{pool: f.pool, interval: f.Interval, timeout: cfg.Timeout, now: cfg.Now,
		logf: cfg.Logger.Info, wg: &f.wg, hosts: map[string]*procHost{}}
	f.env = watcherEnv{
		remote:   f.pool,
		rprocs:   f.rprocs,
		timeout:  cfg.Timeout,
		backoff:  cfg.Backoff,
		localMax: cfg.LocalBackoffMax,
		jitter:   rand.Float64,
		histLen:  cfg.HistoryLen,
		procRoot: cfg.ProcRoot,
		logger:   cfg.Logger,
		dial:     cfg.Dial,
		now:      cfg.Now,
		interval: f.Interval,
		merged:   f.events,
		publish:  f.publish,
		changed:  f.touch,
	}
	return f
}

// Run starts watching every VM added so far (and any added later) and
// blocks until ctx ends; then it closes every connection and returns.
func (f *Fleet) Run(ctx context.Context) {
	f.rprocs.mu.Lock()
	f.rprocs.ctx = ctx
	f.rprocs.mu.Unlock()
	f.mu.Lock()
	f.ctx = ctx
	for _, m := range f.vms {
		f.startLocked(m)
	}
	f.mu.Unlock()
	// A host's state is in every snapshot: its changes are the fleet's.
	// A host that comes back up wakes its VMs from their backoff at once.
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		up := map[string]bool{}
		for {
			select {
			case <-ctx.Done():
				return
			case <-f.pool.Changed():
				f.touch()
				for _, h := range f.pool.Hosts() {
					now := h.State == remote.HostUp
					if now && !up[h.Name] {
						f.kickHost(h.Name)
					}
					up[h.Name] = now
				}
			}
		}
	}()
	<-ctx.Done()
	f.wg.Wait()
	if f.ownPool {
		f.pool.Close()
	}
}

// Start runs the fleet in the background, as Run does, until ctx ends or
// stop is called. stop cancels the run and waits up to limit for Run to
// return; if it has not, stop says so in an error naming limit (the run
// is still winding down then, and a later stop waits again).
func (f *Fleet) Start(ctx context.Context) (stop func(limit time.Duration) error) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		f.Run(ctx)
	}()
	return func(limit time.Duration) error {
		cancel()
		deadline := time.NewTimer(limit)
		defer deadline.Stop()
		select {
		case <-done:
			return nil
		case <-deadline.C:
			return fmt.Errorf("fleet: Run did not return within %v of stop", limit)
		}
	}
}

// Add starts watching one monitor and returns its ID. Adding a known
// monitor revives it if it was gone.
func (f *Fleet) Add(a qmp.Address) string {
	id := a.String()
	f.mu.Lock()
	defer f.mu.Unlock()
	if m, ok := f.vms[id]; ok {
		m.w.revive()
		return id
	}
	m := &member{w: newVMWatcher(f.env, id, a), published: initialSnapshot(id, a)}
	m.w.agentStatic = f.cfg.AgentSockets[id]
	f.vms[id] = m
	i := sort.Search(len(f.order), func(i int) bool { return f.order[i].w.id > id })
	f.order = slices.Insert(f.order, i, m)
	f.touchLocked()
	if f.ctx != nil {
		f.startLocked(m)
	}
	return id
}

func (f *Fleet) startLocked(m *member) {
	if m.started {
		return
	}
	m.started = true
	ctx, stop := context.WithCancel(f.ctx)
	m.stop = stop
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		m.w.run(ctx)
	}()
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		m.w.runGuest(ctx, f.cfg.AgentInterval)
	}()
}

// IDs lists the watched VMs' IDs, sorted.
func (f *Fleet) IDs() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	ids := make([]string, 0, len(f.vms))
	for id := range f.vms {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Snapshot is the whole fleet now. Cheap when nothing changed.
func (f *Fleet) Snapshot() FleetSnapshot {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cache != nil && f.cache.Version == f.version {
		return *f.cache
	}
	snap := FleetSnapshot{
		VMs:      make([]VMSnapshot, 0, len(f.vms)),
		Interval: time.Duration(f.interval.Load()),
		Version:  f.version,
		Hosts:    remoteHosts(f.pool),
		Insecure: f.pool.Insecure(),
	}
	now := f.cfg.Now()
	hosts := make(map[string]RemoteHost, len(snap.Hosts))
	for _, h := range snap.Hosts {
		hosts[h.Name] = h
	}
	for _, m := range f.order {
		s := m.published
		if s.RemoteHost != "" {
			s.RemoteHostConn = hosts[s.RemoteHost]
		}
		s.Unplugs = m.w.unplugList(now)
		if g := m.w.guest.Load(); g != nil {
			s.Guest = *g
		}
		snap.VMs = append(snap.VMs, s)
	}
	linkMigrations(snap.VMs)
	f.cache = &snap
	return snap
}

// Changed receives after the fleet changed; many changes coalesce into one.
func (f *Fleet) Changed() <-chan struct{} { return f.changed }

// publish stores a VM's new snapshot and signals readers. A forgotten
// VM's watcher (cancelled, not yet ended) is not the member's any more,
// even if a new member has its ID: what it publishes is dropped.
func (f *Fleet) publish(w *vmWatcher, s VMSnapshot) {
	f.mu.Lock()
	if m, ok := f.vms[s.ID]; ok && m.w == w {
		m.published = s
	}
	f.touchLocked()
	f.mu.Unlock()
}

// touch signals readers that something changed.
func (f *Fleet) touch() {
	f.mu.Lock()
	f.touchLocked()
	f.mu.Unlock()
}

func (f *Fleet) touchLocked() {
	f.version++
	select {
	case f.changed <- struct{}{}:
	default:
	}
}

// EventsSince returns logged events with Seq > seq, all VMs merged.
func (f *Fleet) EventsSince(seq uint64) []LoggedEvent { return f.events.Since(seq) }

// EventsDropped counts events lost: evicted from the bounded merged log,
// or dropped before they reached it because a VM's watcher fell behind.
func (f *Fleet) EventsDropped() uint64 {
	n := f.events.Dropped()
	f.mu.Lock()
	defer f.mu.Unlock()
	n += f.forgottenLost
	for _, m := range f.vms {
		n += m.w.eventsLost()
	}
	return n
}

// VMEvents is one VM's own event log (the last perVMEventLog events,
// oldest first). A chatty VM fills only its own log, so a quiet VM's
// history survives however busy the merged log is.
func (f *Fleet) VMEvents(vmID string) []LoggedEvent {
	v := f.vm(vmID)
	if v == nil {
		return nil
	}
	return v.log.Snapshot()
}

// Interval is the poll interval now.
func (f *Fleet) Interval() time.Duration { return time.Duration(f.interval.Load()) }

// SetInterval changes the poll interval at run time, clamped to
// [MinInterval, MaxInterval]. Every VM picks it up at once.
func (f *Fleet) SetInterval(d time.Duration) {
	d = min(max(d, MinInterval), MaxInterval)
	f.interval.Store(int64(d))
	f.mu.Lock()
	for _, m := range f.vms {
		m.w.poke(m.w.intervalChanged)
	}
	f.touchLocked()
	f.mu.Unlock()
}

func (f *Fleet) vm(id string) *vmWatcher {
	f.mu.Lock()
	defer f.mu.Unlock()
	if m, ok := f.vms[id]; ok {
		return m.w
	}
	return nil
}

// kickHost cuts short the backoff of every VM on the SSH host named.
func (f *Fleet) kickHost(name string) {
	f.mu.Lock()
	var ws []*vmWatcher
	for _, m := range f.vms {
		if m.published.RemoteHost == name {
			ws = append(ws, m.w)
		}
	}
	f.mu.Unlock()
	for _, w := range ws {
		w.kick()
	}
}
