package exporter

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/qmp"
)

// fixedFleet is a running VM with one of everything, a paused one that
// shares its name, and one whose socket went away.
func fixedFleet() model.FleetSnapshot {
	web := model.VMSnapshot{
		ID: "unix:/run/qemu/web.qmp", Target: "/run/qemu/web.qmp", Conn: model.ConnConnected, Kind: model.ServerVM,
		Name: "web", Version: "7.2.22", KVM: true, PID: 4242, UUID: "0c5a7e52-0000-4000-8000-000000000001",
		RunState: "running", Running: true, StartTime: time.Unix(1700000000, 500_000_000),
		VCPUs: []model.VCPU{
			{Index: 0, ThreadID: 11, CPUSeconds: 12.5, HasCPUTime: true},
			{Index: 1, ThreadID: 12, CPUSeconds: 3.25, HasCPUTime: true},
		},
		Memory: model.Memory{BaseBytes: 512 << 20, PluggedBytes: 128 << 20, HasBalloon: true, BalloonBytes: 384 << 20},
		Blocks: []model.BlockDevice{{
			QDev: "/machine/peripheral/disk0/virtio-backend", NodeName: "disk0", File: "/var/lib/vm/web.qcow2",
			Format: "qcow2", SizeBytes: 1 << 30, Inserted: true, RdBytes: 4096, WrBytes: 8192, RdOps: 1, WrOps: 2,
			FlushOps: 3, FailedOps: 4, ReadTime: 1500 * time.Millisecond, WriteTime: 250 * time.Millisecond,
		}},
		Jobs:             []model.BlockJob{{Device: "backup0", Type: "backup", Len: 1000, Offset: 250}},
		Migration:        model.Migration{Status: "active", HasRAM: true, TransferredBytes: 100, RemainingBytes: 900, ExpectedDowntime: 300 * time.Millisecond},
		Host:             model.Host{Valid: true, RSSBytes: 300 << 20, Threads: 7, CPUSeconds: 42.5, HasCPUTime: true},
		EventCounts:      map[string]uint64{"STOP": 2, "RESUME": 1},
		Polls:            9,
		LastPollDuration: 12500 * time.Microsecond,
		ErrorCounts:      map[qmp.Kind]uint64{qmp.KindTimeout: 2, qmp.KindResponse: 1},
		Guest: model.Guest{State: model.GuestOK, AgentVersion: "7.2.22", OSName: "Debian GNU/Linux 12 (bookworm)",
			Kernel: "6.1.0-28-amd64", HostName: "web\x1b[31m-01", // a guest's words, control bytes and all
			Interfaces: []model.GuestInterface{
				{Name: "lo", MAC: "00:00:00:00:00:00", Addresses: []string{"127.0.0.1/8"}},
				{Name: "eth0", MAC: "52:54:00:12:34:56", Addresses: []string{"10.0.2.15/24", "10.0.2.15/24"}},
			},
			Filesystems: []model.GuestFilesystem{
				{Mountpoint: "/", Type: "ext4", Used: 3 << 30, Total: 19 << 30, Sized: true},
				{Mountpoint: "/", Type: "ext4", Used: 3 << 30, Total: 19 << 30, Sized: true}, // mounted twice
				{Mountpoint: "/proc", Type: "proc"},                                          // not measured: no series
			},
			Users: []model.GuestUser{{Name: "root"}}, UsersKnown: true,
		},
	}
	paused := model.VMSnapshot{ID: "unix:/run/b/web.qmp", Target: "/run/b/web.qmp", Conn: model.ConnConnected, Kind: model.ServerVM,
		Name: "web", RunState: "paused", Stale: true}
	gone := model.VMSnapshot{ID: "unix:/run/qemu/old.qmp", Target: "/run/qemu/old.qmp", Conn: model.ConnGone, Name: "old",
		RunState: "running", LastError: model.ErrorInfo{Kind: qmp.KindConnect, Message: "no such file"}, Polls: 3,
		LastPollDuration: time.Second, ErrorCounts: map[qmp.Kind]uint64{qmp.KindConnect: 7},
		Guest: model.Guest{State: model.GuestNotAnswering, HostName: "old-last-known"}}
	return model.FleetSnapshot{VMs: []model.VMSnapshot{paused, web, gone}}
}

// series is one expected sample: its family's type, labels (a subset) and value.
type series struct {
	name   string
	typ    dto.MetricType
	labels map[string]string
	value  float64
}

func TestCollectorEveryFamilyFromASnapshot(t *testing.T) {
	snap := fixedFleet()
	c := NewCollector(SourceFunc(func() model.FleetSnapshot { return snap }), BuildInfo{Version: "v9.9.9", GoVersion: "go1.26.0"})
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	fams, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	g, c2 := dto.MetricType_GAUGE, dto.MetricType_COUNTER
	w := map[string]string{"vm": "web@/run/qemu/web.qmp"}
	dev := map[string]string{"vm": "web@/run/qemu/web.qmp", "device": "/machine/peripheral/disk0/virtio-backend", "node": "disk0"}
	with := func(m map[string]string, k, v string) map[string]string {
		out := map[string]string{k: v}
		for a, b := range m {
			out[a] = b
		}
		return out
	}
	want := []series{
		{"qemu_vm_up", g, w, 1},
		{"qemu_vm_up", g, map[string]string{"vm": "web@/run/b/web.qmp"}, 0}, // stale
		{"qemu_vm_up", g, map[string]string{"vm": "old"}, 0},
		{"qemu_vm_info", g, map[string]string{"vm": "web@/run/qemu/web.qmp", "qemu_version": "7.2.22", "kvm": "true", "pid": "4242",
			"uuid": "0c5a7e52-0000-4000-8000-000000000001", "target": "/run/qemu/web.qmp"}, 1},
		{"qemu_vm_status", g, with(w, "status", "running"), 1},
		{"qemu_vm_status", g, with(w, "status", "paused"), 0},
		{"qemu_vm_start_time_seconds", g, w, 1700000000.5},
		{"qemu_vcpus", g, w, 2},
		{"qemu_vcpu_cpu_seconds_total", c2, with(w, "vcpu", "1"), 3.25},
		{"qemu_process_cpu_seconds_total", c2, w, 42.5},
		{"qemu_process_resident_memory_bytes", g, w, 300 << 20},
		{"qemu_process_threads", g, w, 7},
		{"qemu_memory_size_bytes", g, w, 640 << 20},
		{"qemu_balloon_actual_bytes", g, w, 384 << 20},
		{"qemu_block_read_bytes_total", c2, dev, 4096},
		{"qemu_block_written_bytes_total", c2, dev, 8192},
		{"qemu_block_read_ops_total", c2, dev, 1},
		{"qemu_block_write_ops_total", c2, dev, 2},
		{"qemu_block_flush_ops_total", c2, dev, 3},
		{"qemu_block_failed_ops_total", c2, dev, 4},
		{"qemu_block_read_time_seconds_total", c2, dev, 1.5},
		{"qemu_block_write_time_seconds_total", c2, dev, 0.25},
		{"qemu_block_capacity_bytes", g, dev, 1 << 30},
		{"qemu_block_info", g, with(with(dev, "driver", "qcow2"), "read_only", "false"), 1},
		{"qemu_block_job_offset_bytes", g, map[string]string{"job": "backup0", "type": "backup"}, 250},
		{"qemu_block_job_length_bytes", g, map[string]string{"job": "backup0", "type": "backup"}, 1000},
		{"qemu_migration_status", g, with(w, "status", "active"), 1},
		{"qemu_migration_status", g, with(w, "status", "none"), 0},
		{"qemu_migration_ram_transferred_bytes", g, w, 100},
		{"qemu_migration_ram_remaining_bytes", g, w, 900},
		{"qemu_migration_expected_downtime_seconds", g, w, 0.3},
		{"qemu_events_total", c2, with(w, "event", "STOP"), 2},
		{"qemu_guest_agent_up", g, w, 1},
		{"qemu_guest_agent_up", g, map[string]string{"vm": "old"}, 0},
		{"qemu_guest_info", g, map[string]string{"vm": "web@/run/qemu/web.qmp", "agent_version": "7.2.22",
			"os": "Debian GNU/Linux 12 (bookworm)", "kernel": "6.1.0-28-amd64", "hostname": "web-01"}, 1}, // the escape sequence removed
		{"qemu_guest_filesystem_used_bytes", g, map[string]string{"vm": "web@/run/qemu/web.qmp", "mountpoint": "/", "type": "ext4"}, 3 << 30},
		{"qemu_guest_filesystem_size_bytes", g, map[string]string{"vm": "web@/run/qemu/web.qmp", "mountpoint": "/", "type": "ext4"}, 19 << 30},
		{"qemu_guest_network_address_info", g, map[string]string{"vm": "web@/run/qemu/web.qmp", "interface": "eth0",
			"mac": "52:54:00:12:34:56", "address": "10.0.2.15/24"}, 1},
		{"qemu_guest_users", g, w, 1},
		{"qmpdash_build_info", g, map[string]string{"version": "v9.9.9", "goversion": "go1.26.0"}, 1},
		{"qmpdash_vm_polls_total", c2, map[string]string{"vm": "old"}, 3},
		{"qmpdash_vm_last_error_info", g, map[string]string{"vm": "old", "kind": "connect"}, 1},
		{"qmpdash_poll_duration_seconds", g, w, 0.0125},
		{"qmpdash_poll_duration_seconds", g, map[string]string{"vm": "old"}, 1}, // the latest, kept while it is away
		{"qmpdash_qmp_errors_total", c2, with(w, "kind", "timeout"), 2},
		{"qmpdash_qmp_errors_total", c2, with(w, "kind", "response"), 1},
		{"qmpdash_qmp_errors_total", c2, map[string]string{"vm": "old", "kind": "connect"}, 7},
		{"qmpdash_vms", g, map[string]string{"state": "connected"}, 2},
		{"qmpdash_vms", g, map[string]string{"state": "gone"}, 1},
	}
	byName := map[string]*dto.MetricFamily{}
	for _, f := range fams {
		byName[f.GetName()] = f
	}
	for _, s := range want {
		f := byName[s.name]
		if f == nil {
			t.Errorf("%s: family missing", s.name)
			continue
		}
		if f.GetType() != s.typ {
			t.Errorf("%s: type %v, want %v", s.name, f.GetType(), s.typ)
		}
		if v, ok := find(f, s.labels); !ok {
			t.Errorf("%s%v: no such series", s.name, s.labels)
		} else if v != s.value {
			t.Errorf("%s%v = %v, want %v", s.name, s.labels, v, s.value)
		}
	}
	// A guest agent that does not answer: up 0, no facts from before.
	if _, ok := find(byName["qemu_guest_info"], map[string]string{"vm": "old"}); ok {
		t.Errorf("qemu_guest_info for an agent not answering: want none")
	}
	if n := testutil.CollectAndCount(c, "qemu_guest_filesystem_size_bytes"); n != 1 {
		t.Errorf("qemu_guest_filesystem_size_bytes has %d series, want 1 (one mount point, one measured)", n)
	}
	// The gone VM has qemu_vm_up and qmpdash's own figures only.
	if _, ok := find(byName["qemu_vm_status"], map[string]string{"vm": "old"}); ok {
		t.Errorf("qemu_vm_status for a gone VM: want none")
	}
	// A VM that never completed a poll has no duration; no errors, no error series.
	if _, ok := find(byName["qmpdash_poll_duration_seconds"], map[string]string{"vm": "web@/run/b/web.qmp"}); ok {
		t.Errorf("qmpdash_poll_duration_seconds for a VM never polled: want none")
	}
	if _, ok := find(byName["qmpdash_qmp_errors_total"], map[string]string{"vm": "web@/run/b/web.qmp"}); ok {
		t.Errorf("qmpdash_qmp_errors_total for a VM without errors: want none")
	}
	// The stale VM (its latest poll failed) exports no figures from the
	// poll before: only the running VM has its state set.
	if _, ok := find(byName["qemu_vm_status"], map[string]string{"vm": "web@/run/b/web.qmp"}); ok {
		t.Errorf("qemu_vm_status for a stale VM: want none")
	}
	if n := testutil.CollectAndCount(c, "qemu_vm_status"); n != len(RunStates) {
		t.Errorf("qemu_vm_status has %d series, want %d (a full state set for the answering VM)", n, len(RunStates))
	}
	if probs, err := testutil.CollectAndLint(c); err != nil || len(probs) > 0 {
		t.Errorf("lint: %v %v", probs, err)
	}
}

// find returns the value of f's series whose labels include want.
func find(f *dto.MetricFamily, want map[string]string) (float64, bool) {
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if have[k] != v {
				continue next
			}
		}
		switch {
		case m.GetCounter() != nil:
			return m.GetCounter().GetValue(), true
		case m.GetGauge() != nil:
			return m.GetGauge().GetValue(), true
		}
	}
	return 0, false
}

func TestCollectorUnknownRunStateGetsItsOwnSeries(t *testing.T) {
	snap := model.FleetSnapshot{VMs: []model.VMSnapshot{{ID: "a", Name: "a", Conn: model.ConnConnected, Kind: model.ServerVM, RunState: "brand-new"}}}
	c := NewCollector(SourceFunc(func() model.FleetSnapshot { return snap }), BuildInfo{})
	want := `# HELP qemu_vm_status QEMU's run state as a state set: 1 for the current state, 0 for the others.
# TYPE qemu_vm_status gauge
`
	for _, s := range RunStates {
		want += `qemu_vm_status{status="` + s + `",vm="a"} 0` + "\n"
	}
	want += `qemu_vm_status{status="brand-new",vm="a"} 1` + "\n"
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), "qemu_vm_status"); err != nil {
		t.Error(err)
	}
}

// A stats-only entry on a device's node, and a device query-block and
// query-blockstats name two ways, are sent once: a duplicate series would
// fail the whole scrape (the pedantic registry refuses it as Prometheus
// does).
func TestCollectorSendsEachBlockSeriesOnce(t *testing.T) {
	vm := model.VMSnapshot{ID: "a", Name: "a", Conn: model.ConnConnected, Kind: model.ServerVM, RunState: "running",
		Blocks: []model.BlockDevice{
			{Device: "drive0", NodeName: "disk0", Inserted: true, RdBytes: 10},
			{Device: "drive0", QDev: "/machine/peripheral/vda/virtio-backend", NodeName: "disk0", RdBytes: 10},
			{NodeName: "disk1", RdBytes: 1},
			{NodeName: "disk1", RdBytes: 1},
		},
		Jobs: []model.BlockJob{{Device: "j", Type: "mirror"}, {Device: "j", Type: "mirror"}},
	}
	snap := model.FleetSnapshot{VMs: []model.VMSnapshot{vm}}
	c := NewCollector(SourceFunc(func() model.FleetSnapshot { return snap }), BuildInfo{})
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	if _, err := reg.Gather(); err != nil {
		t.Fatalf("gather: %v", err)
	}
	if n := testutil.CollectAndCount(c, "qemu_block_read_bytes_total"); n != 2 {
		t.Errorf("qemu_block_read_bytes_total has %d series, want 2", n)
	}
}

// A VM known only by a socket path that is not UTF-8 (a name a host or a
// user gave it) is exported under a cleaned label, and the other VMs'
// series are not lost with it: client_golang refuses such a label value,
// which would empty the whole scrape.
func TestCollectorCleansLabelsThatAreNotUTF8(t *testing.T) {
	odd := model.VMSnapshot{ID: "b", Target: "unix:/run/qemu/caf\xe9.qmp", Conn: model.ConnConnected, Kind: model.ServerVM, RunState: "running",
		Blocks: []model.BlockDevice{{Device: "d\xff", NodeName: "n", File: "/img/\xfe.qcow2", Inserted: true}}}
	fine := model.VMSnapshot{ID: "a", Name: "web", Conn: model.ConnConnected, Kind: model.ServerVM, RunState: "running"}
	snap := model.FleetSnapshot{VMs: []model.VMSnapshot{fine, odd}}
	c := NewCollector(SourceFunc(func() model.FleetSnapshot { return snap }), BuildInfo{})
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	if _, err := reg.Gather(); err != nil {
		t.Fatalf("gather: %v", err)
	}
	if n := testutil.CollectAndCount(c, "qemu_vm_up"); n != 2 {
		t.Fatalf("qemu_vm_up has %d series, want 2 (both VMs)", n)
	}
}

// Beside a monitor that does not answer, the agent is not confirmed: its
// last facts are not exported as if they were current.
func TestCollectorSendsNoGuestFactsBesideADeadMonitor(t *testing.T) {
	vm := model.VMSnapshot{ID: "a", Name: "a", Conn: model.ConnRetrying, Kind: model.ServerVM,
		Guest: model.Guest{State: model.GuestOK, AgentVersion: "7.2.22", HostName: "a"}}
	snap := model.FleetSnapshot{VMs: []model.VMSnapshot{vm}}
	c := NewCollector(SourceFunc(func() model.FleetSnapshot { return snap }), BuildInfo{})
	if n := testutil.CollectAndCount(c, "qemu_guest_info"); n != 0 {
		t.Errorf("qemu_guest_info sent for a VM whose monitor is down (%d series)", n)
	}
	want := "# HELP qemu_guest_agent_up " + descHelp(t, c, "qemu_guest_agent_up") + "\n# TYPE qemu_guest_agent_up gauge\nqemu_guest_agent_up{vm=\"a\"} 0\n"
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), "qemu_guest_agent_up"); err != nil {
		t.Error(err)
	}
}

// descHelp is a metric's help text as the collector describes it.
func descHelp(t *testing.T, c prometheus.Collector, name string) string {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf.GetHelp()
		}
	}
	t.Fatalf("no %s", name)
	return ""
}

// A remote VM whose host's /proc batch stopped arriving has stale host
// figures: none of them is exported (as current, at the scrape's time),
// while the VM itself, whose monitor answers, is up with its other
// figures; once fresh again, they are.
func TestCollectorSendsNoStaleHostFigures(t *testing.T) {
	vm := model.VMSnapshot{ID: "ssh://h/run/a.qmp", Name: "a", Conn: model.ConnConnected, Kind: model.ServerVM,
		RemoteHost: "h", RunState: "running", Running: true,
		VCPUs: []model.VCPU{{Index: 0, ThreadID: 11, CPUSeconds: 12.5, HasCPUTime: true, CPUPercent: 40, HasCPU: true}},
		Host: model.Host{Valid: true, CPUPercent: 80, RSSBytes: 300 << 20, Threads: 7, CPUSeconds: 42.5, HasCPUTime: true,
			At: time.Unix(1700000000, 0), Stale: true}}
	snap := model.FleetSnapshot{VMs: []model.VMSnapshot{vm}}
	c := NewCollector(SourceFunc(func() model.FleetSnapshot { return snap }), BuildInfo{})
	host := []string{"qemu_process_cpu_seconds_total", "qemu_process_resident_memory_bytes", "qemu_process_threads", "qemu_vcpu_cpu_seconds_total"}
	for _, name := range host {
		if n := testutil.CollectAndCount(c, name); n != 0 {
			t.Errorf("%s: %d series from stale host figures", name, n)
		}
	}
	want := "# HELP qemu_vm_up " + descHelp(t, c, "qemu_vm_up") + "\n# TYPE qemu_vm_up gauge\nqemu_vm_up{vm=\"a\"} 1\n"
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), "qemu_vm_up"); err != nil {
		t.Errorf("the monitor answers, only the host figures are stale: %v", err)
	}
	snap.VMs[0].Host.Stale = false
	for _, name := range host {
		if n := testutil.CollectAndCount(c, name); n != 1 {
			t.Errorf("%s: %d series from fresh host figures, want 1", name, n)
		}
	}
}
