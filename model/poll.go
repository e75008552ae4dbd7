package model

import (
	"context"
	"errors"
	"time"

	"github.com/qmpdash/qmpdash/qmp"
)

// pollResult is what one poll brought back. The poll runs on its own
// goroutine and touches no watcher state (it is a method of the environment,
// not of the watcher); the watcher applies it.
type pollResult struct {
	at      time.Time
	took    time.Duration // from the start of the poll to its end (set by poll)
	err     error         // the poll as a whole failed (timeout, disconnect)
	status  qmp.StatusInfo
	cpus    []qmp.CPUInfoFast
	stats   []qmp.BlockStatsEntry
	jobs    []qmp.BlockJobInfo
	balloon *qmp.BalloonInfo // nil: no balloon device
	migrate qmp.MigrationInfo
	host    HostFigures
	hostErr error
	// hostStale: host's figures are older than hostStaleAfter intervals
	// at the poll's time (a remote host's batch stopped arriving).
	hostStale bool
	// remotePID and remoteStart are an ssh:// VM's process as its host's
	// /proc says (0 and zero until found).
	remotePID   int
	remoteStart time.Time
	storage     *storageResult // a storage daemon's poll (storage.go); nil for a VM
	// asked is what the poll asked of the event-announced facts
	// (pollgates.go); the others are the last answers, kept as they are.
	asked pollAsks
}

// poll runs one poll cycle and times it on the fleet's clock.
// asks says which event-announced facts to ask; cpus are the vCPUs last
// asked (never changed: the poll runs on its own goroutine), whose threads
// are sampled when the poll does not ask them again.
func (env watcherEnv) poll(ctx context.Context, c *qmp.Client, proc *ProcSampler, rs *remoteSampler, kind ServerKind, asks pollAsks, cpus []qmp.CPUInfoFast) pollResult {
	start := env.now()
	var r pollResult
	if kind == ServerStorageDaemon {
		r = env.pollStorage(ctx, c, proc)
	} else {
		r = env.pollVM(ctx, c, proc, rs, asks, cpus)
	}
	r.took = env.now().Sub(start)
	return r
}

// pollVM runs the fast queries, sent together on the VM's connection,
// all within one timeout, then samples proc (nil: no /proc figures). Of
// the vCPUs, block jobs and balloon it asks only what asks says (the
// others are announced by events: pollgates.go). A storage daemon is asked
// its own queries (pollStorage), never a VM's.
func (env watcherEnv) pollVM(ctx context.Context, c *qmp.Client, proc *ProcSampler, rs *remoteSampler, asks pollAsks, cpus []qmp.CPUInfoFast) pollResult {
	pctx, cancel := context.WithTimeout(ctx, env.timeout)
	defer cancel()
	r := pollResult{asked: asks, cpus: cpus}
	// One batch: one write, one wait (qmp.Client.ExecuteBatch). The
	// first failure, in the order QEMU answered, fails the poll.
	var balloon qmp.BalloonInfo
	var asked []qmp.CPUInfoFast // not into r.cpus: decoding would reuse the last answer's array
	calls := make([]qmp.Call, 0, 6)
	add := func(asked bool, command string, into any) {
		if asked {
			calls = append(calls, qmp.Call{Command: command, Result: into})
		}
	}
	add(asks.status, "query-status", &r.status)
	add(asks.cpus, "query-cpus-fast", &asked)
	add(true, "query-blockstats", &r.stats)
	add(asks.jobs, "query-block-jobs", &r.jobs)
	add(asks.balloon, "query-balloon", &balloon)
	add(true, "query-migrate", &r.migrate)
	c.ExecuteBatch(pctx, calls)
	for _, call := range calls {
		switch {
		case call.Command == "query-balloon" && call.Err == nil:
			r.balloon = &balloon
		case call.Command == "query-balloon" && qmp.IsClass(call.Err, qmp.ClassDeviceNotActive):
			// No balloon device: a fact, not an error to shout about.
		case call.Err != nil:
			return env.pollFailed(r, call.Err)
		}
	}
	if asks.cpus {
		r.cpus = asked
	}
	r.at = env.now()
	env.sampleHost(&r, proc, rs)
	return r
}

// sampleHost reads the process's /proc figures for r: this host's (proc)
// or the latest batch of the remote host's (rs); and says whether they
// are too old, at r.at, to be shown as true now.
func (env watcherEnv) sampleHost(r *pollResult, proc *ProcSampler, rs *remoteSampler) {
	tids := make([]int, 0, len(r.cpus))
	for _, cpu := range r.cpus {
		tids = append(tids, cpu.ThreadID)
	}
	switch {
	case proc != nil:
		r.host, r.hostErr = proc.Sample(r.at, tids)
	case rs != nil:
		r.host, r.hostErr = rs.sample(tids)
		r.remotePID, r.remoteStart = rs.pid, rs.started
	default:
		return
	}
	r.hostStale = hostStale(r.at, r.host.At, env.interval())
}

// hostStaleAfter is how many poll intervals old host figures may be and
// still be shown as now. A remote host's batch is fetched once per
// interval, not in step with the VM's poll, so a poll normally samples
// one fetched up to an interval and a fetch's time earlier; two intervals
// means the batch has stopped arriving (the command hangs, or the SSH
// session is slower than the interval).
const hostStaleAfter = 2

// hostStale says whether figures read at at are too old to be shown as
// true at now (zero at: no figures, nothing to be stale).
func hostStale(now, at time.Time, interval time.Duration) bool {
	return !at.IsZero() && now.Sub(at) > hostStaleAfter*interval
}

func (env watcherEnv) pollFailed(r pollResult, err error) pollResult {
	r.at, r.err = env.now(), err
	return r
}

// slowResult holds the facts that change rarely.
type slowResult struct {
	err      error
	name     string
	kvm      qmp.KVMInfo
	uuid     string
	blocks   []qmp.BlockInfo
	memory   qmp.MemorySizeSummary
	chardevs []qmp.ChardevInfo
	commands []string
	devices  []qmp.ObjectProperty
	haveDevs bool
	// agent is the guest agent channel the VM names (guestfind.go);
	// haveAgent says it was asked (agent.Path "" then: none to dial).
	agent     AgentChannel
	haveAgent bool
}

// slowQuery runs on connect and when an event says a slow fact changed.
// A query this QEMU lacks (CommandNotFound) is skipped, not fatal; a
// storage daemon is asked only what it has.
func (env watcherEnv) slowQuery(ctx context.Context, c *qmp.Client, kind ServerKind) slowResult {
	sctx, cancel := context.WithTimeout(ctx, 2*env.timeout)
	defer cancel()
	var r slowResult
	keep := func(err error) bool {
		if err == nil || qmp.IsClass(err, qmp.ClassCommandNotFound) {
			return true
		}
		if r.err == nil {
			r.err = err
		}
		return !errors.Is(err, context.DeadlineExceeded) && !isConnErr(err)
	}
	// In order; the first error is kept, and one that ends the connection
	// (or the time) ends the round.
	queries := []func() error{
		func() (err error) { r.name, err = c.QueryName(sctx); return err },
		func() (err error) { r.kvm, err = c.QueryKVM(sctx); return err },
		func() (err error) { r.uuid, err = c.QueryUUID(sctx); return err },
		func() (err error) { r.blocks, err = c.QueryBlock(sctx); return err },
		func() (err error) { r.memory, err = c.QueryMemorySizeSummary(sctx); return err },
		func() (err error) { r.chardevs, err = c.QueryChardev(sctx); return err },
		func() (err error) { r.commands, err = c.QueryCommands(sctx); return err },
		func() (err error) {
			r.devices, err = c.QOMList(sctx, peripheralPath)
			r.haveDevs = err == nil
			return err
		},
		func() error {
			ch, _, err := FindAgent(sctx, c, r.chardevs)
			r.agent, r.haveAgent = ch, err == nil
			return err
		},
	}
	if kind == ServerStorageDaemon {
		queries = storageSlow(sctx, c, &r)
	}
	for _, q := range queries {
		if !keep(q()) {
			break
		}
	}
	return r
}

func isConnErr(err error) bool {
	var ce *qmp.ConnectError
	var te *qmp.TimeoutError
	return errors.As(err, &ce) || errors.As(err, &te)
}

// applySlow folds slow facts into the snapshot.
func (v *vmWatcher) applySlow(r slowResult) {
	now := v.env.now()
	if r.err != nil {
		v.recordError(r.err, now)
	}
	if r.name != "" {
		v.cur.Name = r.name
	}
	v.cur.KVM = r.kvm.Enabled
	if r.uuid != "" {
		v.cur.UUID = r.uuid
	}
	if r.blocks != nil {
		v.figs.blockInfo = r.blocks
	}
	v.cur.Memory.BaseBytes = r.memory.BaseMemory
	v.cur.Memory.PluggedBytes = r.memory.PluggedMemory
	if r.chardevs != nil {
		chardevs := make([]Chardev, len(r.chardevs))
		for i, ch := range r.chardevs {
			chardevs[i] = Chardev{Label: ch.Label, Filename: ch.Filename, FrontendOpen: ch.FrontendOpen}
		}
		v.cur.Chardevs = chardevs
	}
	if r.commands != nil {
		names := sortedCopy(r.commands)
		v.commands.Store(&names)
	}
	if r.haveDevs {
		v.cur.Devices = devicesFrom(r.devices)
	}
	if r.haveAgent {
		// publish (notePort) wakes the guest poller when this changes
		// where its agent is, with the port's state already known.
		v.vmAgentPath.Store(&r.agent.Path)
	}
	if v.cur.Kind != ServerStorageDaemon {
		v.cur.Blocks = v.figs.buildBlocks()
	}
}

// applyPoll folds a poll into the snapshot and the figures.
func (v *vmWatcher) applyPoll(r pollResult) {
	if r.err != nil {
		v.cur.Stale = true
		v.recordError(r.err, r.at)
		return
	}
	v.cur.Stale = false
	v.cur.Polls++
	v.cur.LastPollDuration = r.took
	v.applyHost(r)
	if r.storage != nil {
		v.applyStorage(r)
		return
	}
	if r.asked.status {
		setRunState(&v.cur, r.status.Status, r.status.Running, r.at)
	} else if v.cur.RunState != "" {
		// The monitor answered and QEMU announced no change: the state
		// stands as of now (pollgates.go).
		v.cur.StateAt = r.at
	}
	figs := v.figs
	v.cur.VCPUs = figs.updateVCPUs(r.cpus, r.host)
	figs.updateStats(r.stats, r.at)
	figs.cpus = r.cpus
	v.cur.Blocks = figs.buildBlocks()
	if r.asked.jobs {
		v.cur.Jobs = figs.updateJobs(r.jobs, r.at)
	}
	switch {
	case !r.asked.balloon:
		// Not asked: the last answer, and BALLOON_CHANGE since, stand.
	case r.balloon != nil:
		v.cur.Memory.HasBalloon = true
		v.cur.Memory.BalloonBytes = r.balloon.Actual
	default:
		v.cur.Memory.HasBalloon = false
		v.cur.Memory.BalloonBytes = 0
	}
	if r.asked.status && r.status.Status == "inmigrate" {
		figs.inmigrate = true
	}
	if len(r.migrate.SocketAddress) > 0 {
		figs.listened = r.migrate.SocketAddress[0].String()
	}
	var uri string
	if p := v.migrateURI.Load(); p != nil {
		uri = *p
	}
	v.cur.Migration = migrationFrom(r.migrate, figs.inmigrate, uri)
	if v.cur.Migration.Listening == "" {
		// QEMU forgets the address once the migration is over; the
		// peer is still the one that came through it.
		v.cur.Migration.Listening = figs.listened
	}
}

// applyHost folds the /proc figures of the QEMU process into the snapshot.
func (v *vmWatcher) applyHost(r pollResult) {
	figs := v.figs
	if r.remotePID > 0 {
		v.cur.PID, v.cur.StartTime = r.remotePID, r.remoteStart
	}
	if r.hostErr == nil && r.host.Valid {
		if !r.host.repeat { // a remote batch sampled twice is one point
			figs.cpuHist.Push(r.host.CPUPercent)
		}
		v.cur.Host = Host{Valid: true, CPUPercent: r.host.CPUPercent, RSSBytes: r.host.RSSBytes,
			Threads: r.host.Threads, CPUHistory: figs.cpuHist.Values(),
			CPUSeconds: r.host.CPUSeconds, HasCPUTime: true, At: r.host.At, Stale: r.hostStale}
	} else if r.hostErr == nil && (figs.proc != nil || figs.remote != nil) {
		// First sample: RSS, threads and CPU time are known, CPU % is not yet.
		v.cur.Host = Host{RSSBytes: r.host.RSSBytes, Threads: r.host.Threads,
			CPUSeconds: r.host.CPUSeconds, HasCPUTime: true, At: r.host.At, Stale: r.hostStale}
	} else {
		// The process is gone (or /proc unreadable): no figures of it.
		v.cur.Host = Host{}
	}
}

// setRunState records QEMU's run state as confirmed at at, and when it
// was seen to change (not on the first sight: the state may be far older).
func setRunState(s *VMSnapshot, state string, running bool, at time.Time) {
	if s.RunState != state && s.RunState != "" {
		s.RunningSince = at
	}
	s.RunState, s.Running, s.StateAt = state, running, at
}
