package model

import (
	"context"

	"github.com/qmpdash/qmpdash/qmp"
)

// What a QMP server is, told by what it offers, and how a storage daemon
// is watched: qemu-storage-daemon speaks QMP but has no run state, no
// vCPUs and no guest memory (no query-status, query-cpus-fast, ...), so it
// is never asked for them. It is polled for its block nodes, exports, jobs
// and block statistics instead.

// ServerKind is what a QMP server is.
type ServerKind string

const (
	// ServerUnknown: not yet known (query-commands has not answered); it
	// is polled as a VM.
	ServerUnknown ServerKind = ""
	// ServerVM: a QEMU system emulator (it has query-status).
	ServerVM ServerKind = "vm"
	// ServerStorageDaemon: qemu-storage-daemon (no query-status, but the
	// block layer's commands).
	ServerStorageDaemon ServerKind = "storage-daemon"
)

// StorageDaemonState is the RunState of a storage daemon, which has no run
// state of its own: it serves while its monitor answers.
const StorageDaemonState = "storage-daemon"

// KindFromCommands tells a server's kind from its query-commands names.
func KindFromCommands(names []string) ServerKind {
	has := map[string]bool{}
	for _, n := range names {
		has[n] = true
	}
	switch {
	case has["query-status"]:
		return ServerVM
	case has["query-named-block-nodes"]:
		return ServerStorageDaemon
	}
	return ServerUnknown
}

// BlockNode is one node of the block graph (query-named-block-nodes), with
// its rates when query-blockstats counts its I/O. QEMU 7.2 counts I/O only
// on block backends that are named or attached to a device, so the nodes
// of a storage daemon (and its exports' anonymous backends) are never
// counted: Counted is false and there is no rate to show.
type BlockNode struct {
	NodeName  string
	Driver    string
	File      string
	SizeBytes uint64
	ReadOnly  bool
	Counted   bool
	Rate      BlockRate
}

// BlockExport is one entry of query-block-exports.
type BlockExport struct {
	ID           string
	Type         string // nbd, fuse, vhost-user-blk, vduse-blk
	NodeName     string
	ShuttingDown bool
}

// identify asks what the server offers and says what it is; the command
// names are kept for completion. A failure leaves the kind unknown (and
// the server polled as a VM): every QEMU answers query-commands, so it is
// the connection that is in trouble, and the poll will say so.
func (env watcherEnv) identify(ctx context.Context, c *qmp.Client) (ServerKind, []string) {
	ictx, cancel := context.WithTimeout(ctx, env.timeout)
	defer cancel()
	names, err := c.QueryCommands(ictx)
	if err != nil {
		env.logger.Info("qmpdash: query-commands failed; polled as a VM", "err", err)
		return ServerUnknown, nil
	}
	return KindFromCommands(names), names
}

// storageResult is one poll of a storage daemon.
type storageResult struct {
	nodes   []qmp.BlockNode
	exports []qmp.BlockExport
	jobs    []qmp.JobInfo
}

// pollStorage runs a storage daemon's queries within one timeout, then
// samples proc (the daemon's own process: its CPU and RSS are true).
func (env watcherEnv) pollStorage(ctx context.Context, c *qmp.Client, proc *ProcSampler) pollResult {
	pctx, cancel := context.WithTimeout(ctx, env.timeout)
	defer cancel()
	r := pollResult{storage: &storageResult{}}
	var err error
	if r.storage.nodes, err = c.QueryNamedBlockNodes(pctx); err != nil {
		return env.pollFailed(r, err)
	}
	if r.storage.exports, err = c.QueryBlockExports(pctx); err != nil {
		return env.pollFailed(r, err)
	}
	if r.storage.jobs, err = c.QueryJobs(pctx); err != nil {
		return env.pollFailed(r, err)
	}
	if r.stats, err = c.QueryBlockStats(pctx); err != nil {
		return env.pollFailed(r, err)
	}
	r.at = env.now()
	if proc != nil {
		r.host, r.hostErr = proc.Sample(r.at, nil)
	}
	return r
}

// applyStorage folds a storage daemon's poll into the snapshot.
func (v *vmWatcher) applyStorage(r pollResult) {
	s := r.storage
	setRunState(&v.cur, StorageDaemonState, true, r.at)
	figs := v.figs
	figs.updateStats(r.stats, r.at)
	v.cur.Nodes = figs.buildNodes(s.nodes)
	exports := make([]BlockExport, len(s.exports))
	for i, e := range s.exports {
		exports[i] = BlockExport{ID: e.ID, Type: e.Type, NodeName: e.NodeName, ShuttingDown: e.ShuttingDown}
	}
	v.cur.Exports = exports
	v.cur.Jobs = figs.updateJobs(jobsFromQueryJobs(s.jobs), r.at)
}

// buildNodes joins the nodes with query-blockstats' counters, by node name.
func (f *figures) buildNodes(nodes []qmp.BlockNode) []BlockNode {
	byNode := make(map[string]blockSample, len(f.stats))
	for _, s := range f.stats {
		if s.entry.NodeName != "" {
			byNode[s.entry.NodeName] = s
		}
	}
	out := make([]BlockNode, len(nodes))
	for i, n := range nodes {
		b := BlockNode{NodeName: n.NodeName, Driver: n.Driver, File: n.File, SizeBytes: n.Image.VirtualSize, ReadOnly: n.ReadOnly}
		if s, ok := byNode[n.NodeName]; ok {
			b.Counted, b.Rate = true, s.rate
		}
		out[i] = b
	}
	return out
}

// jobsFromQueryJobs turns query-jobs (every kind of job, block or not)
// into the BlockJob shape the jobs are shown and acted on in: the id,
// progress as offset of len. query-jobs has no speed.
func jobsFromQueryJobs(jobs []qmp.JobInfo) []qmp.BlockJobInfo {
	out := make([]qmp.BlockJobInfo, len(jobs))
	for i, j := range jobs {
		out[i] = qmp.BlockJobInfo{Type: j.Type, Device: j.ID, Status: j.Status, Len: j.TotalProgress,
			Offset: j.CurrentProgress, Paused: j.Status == "paused" || j.Status == "standby",
			Ready: j.Status == "ready", Error: j.Error}
	}
	return out
}

// storageSlow lists the slow facts a storage daemon has: no name,
// KVM, UUID, guest memory or QOM devices.
func storageSlow(sctx context.Context, c *qmp.Client, r *slowResult) []func() error {
	return []func() error{
		func() (err error) { r.chardevs, err = c.QueryChardev(sctx); return err },
		func() (err error) { r.commands, err = c.QueryCommands(sctx); return err },
	}
}
