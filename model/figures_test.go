package model

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/qmp"
)

func statsEntry(qdev string, rd, wr, rdOps, wrOps uint64) qmp.BlockStatsEntry {
	return qmp.BlockStatsEntry{QDev: qdev, NodeName: "disk0",
		Stats: qmp.BlockStats{RdBytes: rd, WrBytes: wr, RdOperations: rdOps, WrOperations: wrOps}}
}

func TestBlockRatesAcrossPollsAndCounterReset(t *testing.T) {
	f := newFigures(10, "", 0)
	f.blockInfo = []qmp.BlockInfo{{QDev: "vda", Inserted: &qmp.BlockInserted{NodeName: "disk0", File: "/d.qcow2"}}}
	t0 := time.Unix(1000, 0)
	f.updateStats([]qmp.BlockStatsEntry{statsEntry("vda", 1000, 0, 1, 0)}, t0)
	b := f.buildBlocks()
	if len(b) != 1 || b[0].Rate != (BlockRate{}) || len(b[0].ReadHistory) != 0 || b[0].File != "/d.qcow2" {
		t.Fatalf("first sample has no rate yet: %+v", b)
	}
	f.updateStats([]qmp.BlockStatsEntry{statsEntry("vda", 3000, 4096, 3, 1)}, t0.Add(2*time.Second))
	b = f.buildBlocks()
	want := BlockRate{ReadBps: 1000, WriteBps: 2048, ReadIOPS: 1, WriteIOPS: 0.5}
	if b[0].Rate != want || b[0].RdBytes != 3000 || len(b[0].WriteHistory) != 1 {
		t.Fatalf("rate %+v, want %+v", b[0].Rate, want)
	}
	// QEMU restarted under the same device: counters went back to small
	// numbers. That interval reads as zero, never negative or huge...
	f.updateStats([]qmp.BlockStatsEntry{statsEntry("vda", 100, 0, 1, 0)}, t0.Add(3*time.Second))
	if r := f.buildBlocks()[0].Rate; r.ReadBps != 0 || r.WriteBps != 0 {
		t.Fatalf("after reset: %+v", r)
	}
	// ...and the next one is measured from the new base.
	f.updateStats([]qmp.BlockStatsEntry{statsEntry("vda", 600, 0, 2, 0)}, t0.Add(4*time.Second))
	if r := f.buildBlocks()[0].Rate; r.ReadBps != 500 || r.ReadIOPS != 1 {
		t.Fatalf("after the reset interval: %+v", r)
	}
	// A device that went away leaves no stale counters behind.
	f.updateStats(nil, t0.Add(5*time.Second))
	if len(f.stats) != 0 {
		t.Fatalf("stale stats kept: %v", f.stats)
	}
}

func TestJobProgressAndETAFromSuccessivePolls(t *testing.T) {
	f := newFigures(10, "", 0)
	t0 := time.Unix(1000, 0)
	job := qmp.BlockJobInfo{Device: "mirror0", Type: "mirror", Status: "running", Len: 64 << 20, Offset: 16 << 20, Speed: 8 << 20}
	jobs := f.updateJobs([]qmp.BlockJobInfo{job}, t0)
	if jobs[0].Progress.Fraction != 0.25 || jobs[0].Progress.ETAKnown {
		t.Fatalf("first sample %+v", jobs[0].Progress)
	}
	job.Offset = 24 << 20
	jobs = f.updateJobs([]qmp.BlockJobInfo{job}, t0.Add(time.Second))
	p := jobs[0].Progress
	if p.Rate != 8<<20 || !p.ETAKnown || p.ETA != 5*time.Second || p.Fraction != 0.375 {
		t.Fatalf("progress %+v", p)
	}
}

func TestVCPUHistoriesFollowThreads(t *testing.T) {
	f := newFigures(3, "", 0)
	cpus := []qmp.CPUInfoFast{{CPUIndex: 0, ThreadID: 11}, {CPUIndex: 1, ThreadID: 12}}
	for i := 0; i < 5; i++ {
		out := f.updateVCPUs(cpus, HostFigures{Valid: true, VCPUPercent: map[int]float64{11: float64(i), 12: 50}})
		if !out[0].HasCPU || out[0].CPUPercent != float64(i) {
			t.Fatalf("poll %d: %+v", i, out[0])
		}
	}
	out := f.updateVCPUs(cpus, HostFigures{Valid: true, VCPUPercent: map[int]float64{11: 5, 12: 50}})
	if h := out[0].History; len(h) != 3 || h[0] != 3 || h[2] != 5 {
		t.Fatalf("history %v, want the newest 3", h)
	}
	// A thread that went away takes its history with it.
	f.updateVCPUs(cpus[:1], HostFigures{})
	if _, ok := f.vcpuHist[12]; ok {
		t.Fatal("history of a gone vCPU kept")
	}
}

func TestParseSpec(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		raw  string
		kind SpecKind
		bad  bool
	}{
		{dir, SpecDir, false},
		{dir + "/*.qmp", SpecGlob, false},
		{dir + "/vm.qmp", SpecMonitor, false},
		{"unix:" + dir + "/vm.qmp", SpecMonitor, false},
		{"tcp:127.0.0.1:4444", SpecMonitor, false},
		{"tcp:bad", 0, true},
		{"/x/[", 0, true},
		{"", 0, true},
	}
	for _, tc := range cases {
		s, err := ParseSpec(tc.raw)
		if (err != nil) != tc.bad || (!tc.bad && s.Kind != tc.kind) {
			t.Errorf("ParseSpec(%q) = %+v, %v", tc.raw, s, err)
		}
	}
	if _, err := (Spec{Kind: SpecDir, Raw: "/nonexistent-dir", Path: "/nonexistent-dir"}).Expand(nil); err == nil {
		t.Error("a missing directory the user named is an error")
	}
	if a, err := (Spec{Kind: SpecDir, Path: "/nonexistent-dir", Optional: true}).Expand(nil); err != nil || a != nil {
		t.Error("a missing discovery directory is not an error")
	}
	t.Setenv("XDG_RUNTIME_DIR", "/run/user/1000")
	if p := DiscoveryPaths(); p[0] != "/run/user/1000/qemu" || p[1] != "/run/qemu" {
		t.Errorf("discovery paths %v", p)
	}
}

func TestErrorInfoPutsQEMUsWordsFirst(t *testing.T) {
	at := time.Unix(1, 0)
	re := &qmp.ResponseError{Sock: "/very/long/path/to/a/socket.qmp", Command: "device_del", Class: "DeviceNotFound", Desc: "Device 'nope' not found"}
	e := NewErrorInfo(re, at)
	if e.Kind != qmp.KindResponse || e.Class != "DeviceNotFound" || e.Message != "device_del: Device 'nope' not found" || !strings.Contains(e.Detail, re.Sock) {
		t.Fatalf("%+v", e)
	}
	ce := &qmp.ConnectError{Sock: "/s.qmp", Msg: "cannot connect", Err: errors.New("connection refused")}
	if e := NewErrorInfo(ce, at); e.Message != "cannot connect: connection refused" || e.Kind != qmp.KindConnect {
		t.Fatalf("%+v", e)
	}
	if e := NewErrorInfo(errors.New("plain"), at); e.Kind != KindOther || e.Message != "plain" {
		t.Fatalf("%+v", e)
	}
}

// Counters named otherwise than the device they belong to are that
// device's, not a second device with the same name and node: a stats-only
// node on a device's node, and a drive query-block knows without its
// device while query-blockstats already has it (a hot-plug settling). A
// stats-only node on a device that has counters of its own stays apart.
func TestBlockCountersNamedTwoWaysAreOneDevice(t *testing.T) {
	f := newFigures(10, "", 0)
	f.blockInfo = []qmp.BlockInfo{
		{Device: "drive0", Inserted: &qmp.BlockInserted{NodeName: "disk0"}},
		{QDev: "vdb", Inserted: &qmp.BlockInserted{NodeName: "disk1"}},
		{QDev: "vdc", Inserted: &qmp.BlockInserted{NodeName: "disk2"}},
	}
	hot := statsEntry("", 500, 0, 1, 0)
	hot.Device, hot.QDev, hot.NodeName = "drive0", "/machine/peripheral/vda/virtio-backend", "disk0"
	node := statsEntry("", 700, 0, 1, 0)
	node.QDev, node.NodeName = "", "disk1"
	own := statsEntry("vdc", 900, 0, 1, 0)
	own.NodeName = "disk2"
	other := statsEntry("", 11, 0, 1, 0)
	other.QDev, other.NodeName = "", "disk2"
	f.updateStats([]qmp.BlockStatsEntry{hot, node, own, other}, time.Unix(1000, 0))
	b := f.buildBlocks()
	if len(b) != 4 || b[0].RdBytes != 500 || b[1].RdBytes != 700 || b[2].RdBytes != 900 || b[3].RdBytes != 11 || b[3].QDev != "" {
		t.Fatalf("blocks: %+v", b)
	}
}

// Stats-only entries after one another (nothing attached per query-block,
// as early in a connection) are each their own entry.
func TestBlockStatsOnlyEntries(t *testing.T) {
	f := newFigures(10, "", 0)
	a, b := statsEntry("", 1, 0, 1, 0), statsEntry("", 2, 0, 1, 0)
	a.NodeName, b.NodeName = "n1", "n2"
	f.updateStats([]qmp.BlockStatsEntry{a, b}, time.Unix(1000, 0))
	if got := f.buildBlocks(); len(got) != 2 || got[0].RdBytes != 1 || got[1].RdBytes != 2 {
		t.Fatalf("blocks: %+v", got)
	}
	f.blockInfo = []qmp.BlockInfo{{QDev: "vda", Inserted: &qmp.BlockInserted{NodeName: "n9"}}}
	if got := f.buildBlocks(); len(got) != 3 {
		t.Fatalf("blocks with a device: %+v", got)
	}
}
