package exporter

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/qmpdash/qmpdash/model"
)

// Source is what the collector reads: the fleet (model.Fleet), or a fixed
// snapshot in tests. Snapshot must be cheap and must not wait on a VM.
type Source interface {
	Snapshot() model.FleetSnapshot
}

// SourceFunc adapts a function to a Source.
type SourceFunc func() model.FleetSnapshot

// Snapshot calls f.
func (f SourceFunc) Snapshot() model.FleetSnapshot { return f() }

// BuildInfo is what qmpdash_build_info says about the binary.
type BuildInfo struct {
	Version   string
	GoVersion string
}

// RunStates are QEMU's RunState values (qapi/run-state.json, QEMU 7.2),
// the states qemu_vm_status reports 0 or 1 for. A state QEMU reports that
// is not listed gets a series too.
var RunStates = []string{
	"debug", "finish-migrate", "guest-panicked", "inmigrate", "internal-error",
	"io-error", "paused", "postmigrate", "prelaunch", "restore-vm", "running",
	"save-vm", "shutdown", "suspended", "watchdog", "colo",
}

// MigrationStates are QEMU's MigrationStatus values (qapi/migration.json,
// QEMU 7.2), the states qemu_migration_status reports. "none" stands for a
// VM on which no migration was started (QEMU reports no status then).
var MigrationStates = []string{
	"none", "setup", "cancelling", "cancelled", "active", "postcopy-active",
	"postcopy-paused", "postcopy-recover", "completed", "failed", "colo",
	"pre-switchover", "device", "wait-unplug",
}

// familyNames lists every family the collector can emit, in declaration
// order; desc adds to it.
var familyNames []string

func desc(name, help string, labels ...string) *prometheus.Desc {
	familyNames = append(familyNames, name)
	return prometheus.NewDesc(name, help, labels, nil)
}

// The metric families. Every qemu_ family has the label vm.
var (
	descUp        = desc("qemu_vm_up", "1 when the VM's QMP monitor answered the latest poll, 0 when not (connecting, retrying, closed, gone or stale).", "vm")
	descInfo      = desc("qemu_vm_info", "Facts about the QEMU behind the monitor, always 1.", "vm", "qemu_version", "uuid", "kvm", "pid", "target", "kind")
	descStatus    = desc("qemu_vm_status", "QEMU's run state as a state set: 1 for the current state, 0 for the others.", "vm", "status")
	descStart     = desc("qemu_vm_start_time_seconds", "When the QEMU process started, in seconds since the Unix epoch (from /proc: local VMs, and ssh:// ones from their host's).", "vm")
	descVCPUs     = desc("qemu_vcpus", "Number of vCPUs (query-cpus-fast).", "vm")
	descVCPUSecs  = desc("qemu_vcpu_cpu_seconds_total", "Host CPU time used by a vCPU thread, user plus system (local VMs, and remote ones while their host's /proc answers).", "vm", "vcpu")
	descProcSecs  = desc("qemu_process_cpu_seconds_total", "Host CPU time used by the QEMU process, user plus system (local VMs, and remote ones while their host's /proc answers).", "vm")
	descRSS       = desc("qemu_process_resident_memory_bytes", "Resident memory of the QEMU process (local VMs, and remote ones while their host's /proc answers).", "vm")
	descThreads   = desc("qemu_process_threads", "Threads of the QEMU process (local VMs, and remote ones while their host's /proc answers).", "vm")
	descMem       = desc("qemu_memory_size_bytes", "Guest RAM: base memory plus plugged memory (query-memory-size-summary).", "vm")
	descBalloon   = desc("qemu_balloon_actual_bytes", "The balloon's actual value: the guest's memory as QEMU reports it (query-balloon).", "vm")
	descRdBytes   = desc("qemu_block_read_bytes_total", "Bytes read by the guest from a block device (query-blockstats rd_bytes).", "vm", "device", "node")
	descWrBytes   = desc("qemu_block_written_bytes_total", "Bytes written by the guest to a block device (query-blockstats wr_bytes).", "vm", "device", "node")
	descRdOps     = desc("qemu_block_read_ops_total", "Read operations (query-blockstats rd_operations).", "vm", "device", "node")
	descWrOps     = desc("qemu_block_write_ops_total", "Write operations (query-blockstats wr_operations).", "vm", "device", "node")
	descFlOps     = desc("qemu_block_flush_ops_total", "Flush operations (query-blockstats flush_operations).", "vm", "device", "node")
	descRdTime    = desc("qemu_block_read_time_seconds_total", "Time spent on reads (query-blockstats rd_total_time_ns).", "vm", "device", "node")
	descWrTime    = desc("qemu_block_write_time_seconds_total", "Time spent on writes (query-blockstats wr_total_time_ns).", "vm", "device", "node")
	descFailed    = desc("qemu_block_failed_ops_total", "Failed read, write and flush operations (query-blockstats failed_*_operations).", "vm", "device", "node")
	descCapacity  = desc("qemu_block_capacity_bytes", "Virtual size of the medium in a block device (query-block).", "vm", "device", "node")
	descBlockInfo = desc("qemu_block_info", "Facts about a block device, always 1.", "vm", "device", "node", "driver", "file", "read_only")
	descJobOffset = desc("qemu_block_job_offset_bytes", "Progress of a block job (query-block-jobs offset).", "vm", "job", "type")
	descJobLen    = desc("qemu_block_job_length_bytes", "Work a block job has to do in all (query-block-jobs len).", "vm", "job", "type")
	descMigStatus = desc("qemu_migration_status", "Outgoing or incoming migration's state as a state set (query-migrate).", "vm", "status")
	descMigXfer   = desc("qemu_migration_ram_transferred_bytes", "RAM bytes put on the wire by the current or last migration.", "vm")
	descMigRemain = desc("qemu_migration_ram_remaining_bytes", "RAM bytes still to send by the current migration.", "vm")
	descMigDown   = desc("qemu_migration_expected_downtime_seconds", "QEMU's estimate of the current migration's downtime.", "vm")
	descEvents    = desc("qemu_events_total", "QMP events received from the VM since qmpdash started watching it, by name.", "vm", "event")

	descBuild = desc("qmpdash_build_info", "The qmpdash binary, always 1.", "version", "goversion")
	descPolls = desc("qmpdash_vm_polls_total", "Polls of a VM completed since qmpdash started watching it.", "vm")
	descError = desc("qmpdash_vm_last_error_info", "The most recent error seen for a VM, by kind (connect, protocol, response, ...), always 1; absent when none was.", "vm", "kind")
	descVMs   = desc("qmpdash_vms", "VMs watched, by connection state.", "state")
	// No scrape duration: Prometheus records it for every target itself
	// (scrape_duration_seconds).
	descPollDur = desc("qmpdash_poll_duration_seconds", "How long the VM's latest complete poll took (the fast queries and /proc); absent until one completed.", "vm")
	descErrors  = desc("qmpdash_qmp_errors_total", "Errors recorded for a VM since qmpdash started watching it, by kind (connect, timeout, protocol, capabilities, response, other).", "vm", "kind")
)

// Collector is a prometheus.Collector over a Source. It is unchecked
// (Describe sends nothing): the state sets and per-device families have
// label values known only at scrape time.
type Collector struct {
	src   Source
	build BuildInfo
}

// NewCollector returns a Collector reading src.
func NewCollector(src Source, build BuildInfo) *Collector {
	return &Collector{src: src, build: build}
}

// Describe sends nothing: Collector is an unchecked collector.
func (c *Collector) Describe(chan<- *prometheus.Desc) {}

// Collect builds every metric from one snapshot.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	snap := c.src.Snapshot()
	ch <- prometheus.MustNewConstMetric(descBuild, prometheus.GaugeValue, 1, c.build.Version, c.build.GoVersion)
	byConn := map[string]float64{}
	for _, s := range []model.ConnState{model.ConnConnecting, model.ConnConnected, model.ConnRetrying, model.ConnGone, model.ConnClosed} {
		byConn[s.String()] = 0
	}
	names := vmLabels(snap.VMs)
	for i := range snap.VMs {
		v := &snap.VMs[i]
		byConn[v.Conn.String()]++
		collectVM(ch, v, names[i])
	}
	for state, n := range byConn {
		ch <- prometheus.MustNewConstMetric(descVMs, prometheus.GaugeValue, n, state)
	}
}

// vmLabels is the vm label of each VM: its name, else its target. Names
// two VMs share get their target appended ("web@/run/qemu/web.qmp"), so
// no two VMs' series collide.
func vmLabels(vms []model.VMSnapshot) []string {
	out := make([]string, len(vms))
	count := map[string]int{}
	for i, v := range vms {
		out[i] = validLabel(v.Name)
		if out[i] == "" {
			out[i] = validLabel(v.Target)
		}
		count[out[i]]++
	}
	for i, v := range vms {
		if count[out[i]] > 1 {
			out[i] += "@" + validLabel(v.Target)
		}
	}
	return out
}

// validLabel is s with any byte sequence that is not UTF-8 replaced:
// client_golang refuses such a label value, and its refusal empties the
// whole scrape, every other VM's series with it. Names and paths come
// from VMs and hosts, so they may hold anything.
func validLabel(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

func gauge(ch chan<- prometheus.Metric, d *prometheus.Desc, v float64, labels ...string) {
	ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, validLabels(labels)...)
}

func counter(ch chan<- prometheus.Metric, d *prometheus.Desc, v float64, labels ...string) {
	ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, validLabels(labels)...)
}

// validLabels cleans every label value in place (see validLabel).
func validLabels(labels []string) []string {
	for i, l := range labels {
		labels[i] = validLabel(l)
	}
	return labels
}

func boolLabel(b bool) string { return strconv.FormatBool(b) }

// collectVM sends one VM's metrics. Figures are sent only while the
// monitor is up: a VM that went away keeps qemu_vm_up 0 (and its
// counters of qmpdash's own) until discovery drops it.
func collectVM(ch chan<- prometheus.Metric, v *model.VMSnapshot, vm string) {
	up := v.Conn == model.ConnConnected && !v.Stale
	gauge(ch, descUp, b2f(up), vm)
	counter(ch, descPolls, float64(v.Polls), vm)
	if !v.LastError.IsZero() {
		gauge(ch, descError, 1, vm, string(v.LastError.Kind))
	}
	if v.LastPollDuration > 0 {
		gauge(ch, descPollDur, v.LastPollDuration.Seconds(), vm)
	}
	for _, kind := range sortedKeys(v.ErrorCounts) {
		counter(ch, descErrors, float64(v.ErrorCounts[kind]), vm, string(kind))
	}
	for _, name := range sortedKeys(v.EventCounts) {
		counter(ch, descEvents, float64(v.EventCounts[name]), vm, name)
	}
	collectGuest(ch, &v.Guest, vm, up)
	if v.Conn != model.ConnConnected || v.Stale {
		// Not answering (or its latest poll failed): what the snapshot
		// holds is from an earlier poll, not true now; qemu_vm_up says 0.
		return
	}
	pid := ""
	if v.PID > 0 {
		pid = strconv.Itoa(v.PID)
	}
	gauge(ch, descInfo, 1, vm, v.Version, v.UUID, boolLabel(v.KVM), pid, v.Target, string(v.Kind))
	if !v.StartTime.IsZero() {
		gauge(ch, descStart, float64(v.StartTime.UnixNano())/1e9, vm)
	}
	collectHost(ch, v, vm)
	collectBlocks(ch, v, vm)
	if v.Kind != model.ServerVM {
		return
	}
	if v.RunState != "" {
		stateSet(ch, descStatus, RunStates, v.RunState, vm)
	}
	gauge(ch, descVCPUs, float64(len(v.VCPUs)), vm)
	if m := v.Memory; m.BaseBytes > 0 {
		gauge(ch, descMem, float64(m.BaseBytes+m.PluggedBytes), vm)
	}
	if v.Memory.HasBalloon {
		gauge(ch, descBalloon, float64(v.Memory.BalloonBytes), vm)
	}
	collectMigration(ch, v.Migration, vm)
}

// collectHost sends the /proc figures of the VM's process (this host's,
// or a remote VM's SSH host's). Figures marked stale (the remote host's
// /proc batch stopped arriving) are last known, not true now: none is
// sent, rather than an old value stamped with the scrape's time.
func collectHost(ch chan<- prometheus.Metric, v *model.VMSnapshot, vm string) {
	h := v.Host
	if h.Stale {
		return
	}
	if h.HasCPUTime {
		counter(ch, descProcSecs, h.CPUSeconds, vm)
	}
	if h.RSSBytes > 0 {
		gauge(ch, descRSS, float64(h.RSSBytes), vm)
		gauge(ch, descThreads, float64(h.Threads), vm)
	}
	for _, c := range v.VCPUs {
		if c.HasCPUTime {
			counter(ch, descVCPUSecs, c.CPUSeconds, vm, strconv.Itoa(c.Index))
		}
	}
}

// collectBlocks sends block devices (and a storage daemon's nodes'
// jobs) with their counters.
// Two entries with the same device and node would be a duplicate series,
// which fails the whole scrape in Prometheus: the model merges counters
// named two ways (figures.go), and any pair left is sent once, first
// (the attached device, before stats-only entries) wins.
func collectBlocks(ch chan<- prometheus.Metric, v *model.VMSnapshot, vm string) {
	seen := make(map[[2]string]bool, len(v.Blocks))
	for _, b := range v.Blocks {
		dev := b.Device
		if dev == "" {
			dev = b.QDev
		}
		k := [2]string{dev, b.NodeName}
		if seen[k] {
			continue
		}
		seen[k] = true
		l := []string{vm, dev, b.NodeName}
		counter(ch, descRdBytes, float64(b.RdBytes), l...)
		counter(ch, descWrBytes, float64(b.WrBytes), l...)
		counter(ch, descRdOps, float64(b.RdOps), l...)
		counter(ch, descWrOps, float64(b.WrOps), l...)
		counter(ch, descFlOps, float64(b.FlushOps), l...)
		counter(ch, descRdTime, b.ReadTime.Seconds(), l...)
		counter(ch, descWrTime, b.WriteTime.Seconds(), l...)
		counter(ch, descFailed, float64(b.FailedOps), l...)
		if b.Inserted {
			gauge(ch, descCapacity, float64(b.SizeBytes), l...)
		}
		gauge(ch, descBlockInfo, 1, vm, dev, b.NodeName, b.Format, b.File, boolLabel(b.ReadOnly))
	}
	jobs := make(map[[2]string]bool, len(v.Jobs))
	for _, j := range v.Jobs {
		k := [2]string{j.Device, j.Type}
		if jobs[k] {
			continue
		}
		jobs[k] = true
		gauge(ch, descJobOffset, float64(j.Offset), vm, j.Device, j.Type)
		gauge(ch, descJobLen, float64(j.Len), vm, j.Device, j.Type)
	}
}

func collectMigration(ch chan<- prometheus.Metric, m model.Migration, vm string) {
	status := m.Status
	if status == "" {
		status = "none"
	}
	stateSet(ch, descMigStatus, MigrationStates, status, vm)
	if m.HasRAM {
		gauge(ch, descMigXfer, float64(m.TransferredBytes), vm)
		gauge(ch, descMigRemain, float64(m.RemainingBytes), vm)
	}
	if m.ExpectedDowntime > 0 || m.Status == "active" {
		gauge(ch, descMigDown, m.ExpectedDowntime.Seconds(), vm)
	}
}

// stateSet sends one series per known state, 1 for cur and 0 for the
// rest; a cur not among known gets its own series at 1.
func stateSet(ch chan<- prometheus.Metric, d *prometheus.Desc, known []string, cur, vm string) {
	for _, s := range known {
		gauge(ch, d, b2f(s == cur), vm, s)
	}
	if !slices.Contains(known, cur) {
		gauge(ch, d, 1, vm, cur)
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func sortedKeys[K ~string](m map[K]uint64) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
