package sim

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
	"time"
)

func negotiated(t *testing.T, opts Options) (*VM, *client) {
	t.Helper()
	v := New(opts)
	t.Cleanup(func() { _ = v.Close() })
	c := pipeClient(t, v)
	c.negotiate()
	return v, c
}

func TestEveryCommandIsInTheSchemaAndListed(t *testing.T) {
	s := loadSchema()
	if s.err != nil {
		t.Fatal(s.err)
	}
	for name := range handlers {
		if s.commands[name] == nil {
			t.Errorf("%s is not a QEMU 7.2 command", name)
		}
	}
	_, c := negotiated(t, Options{})
	var list []commandInfo
	c.ok("query-commands", nil, &list)
	if len(list) != len(handlers) {
		t.Fatalf("query-commands lists %d, sim implements %d", len(list), len(handlers))
	}
	for _, ci := range list {
		if handlers[ci.Name] == nil {
			t.Fatalf("query-commands lists unimplemented %s", ci.Name)
		}
	}
}

func TestQueryQmpSchemaIsTheRecordedReply(t *testing.T) {
	_, c := negotiated(t, Options{})
	_, reply := c.do("query-qmp-schema", nil)
	want, err := os.ReadFile("data/query-qmp-schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Return json.RawMessage }
	if err := json.Unmarshal(want, &doc); err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	_ = json.Compact(&a, reply["return"])
	_ = json.Compact(&b, doc.Return)
	if a.Len() < 100000 || !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatalf("schema reply differs from the recorded one (%d vs %d bytes)", a.Len(), b.Len())
	}
}

func TestIdentityQueries(t *testing.T) {
	_, c := negotiated(t, Options{Name: "ident", VCPUs: 3, MemoryMiB: 1024})
	var name nameInfo
	c.ok("query-name", nil, &name)
	if name.Name != "ident" {
		t.Fatalf("query-name %+v", name)
	}
	var ver versionInfo
	c.ok("query-version", nil, &ver)
	if ver.Qemu != (versionTriple{Major: 7, Minor: 2, Micro: 22}) || ver.Package != "qmpdash-sim (ident)" {
		t.Fatalf("query-version %+v", ver)
	}
	var kvm kvmInfo
	c.ok("query-kvm", nil, &kvm)
	if kvm != (kvmInfo{Enabled: false, Present: true}) {
		t.Fatalf("query-kvm %+v", kvm)
	}
	var cpus []cpuInfoFast
	c.ok("query-cpus-fast", nil, &cpus)
	if len(cpus) != 3 || cpus[2].CPUIndex != 2 || cpus[1].ThreadID != cpus[0].ThreadID+1 || cpus[0].Target != "x86_64" {
		t.Fatalf("query-cpus-fast %+v", cpus)
	}
	var mem memorySummary
	c.ok("query-memory-size-summary", nil, &mem)
	if mem != (memorySummary{BaseMemory: 1 << 30}) {
		t.Fatalf("memory %+v", mem)
	}
	_, reply := c.do("query-migrate", nil)
	if string(reply["return"]) != "{}" {
		t.Fatalf("query-migrate %s", reply["return"])
	}
	c.fails("query-balloon", nil, classDeviceNotActive, "No balloon device has been activated")

	// Thread ids are stable for a name and differ between names.
	_, same := negotiated(t, Options{Name: "ident"})
	_, other := negotiated(t, Options{Name: "another"})
	var a, b []cpuInfoFast
	same.ok("query-cpus-fast", nil, &a)
	other.ok("query-cpus-fast", nil, &b)
	if a[0].ThreadID != cpus[0].ThreadID || b[0].ThreadID == cpus[0].ThreadID {
		t.Fatalf("thread ids: %d, same name %d, other name %d", cpus[0].ThreadID, a[0].ThreadID, b[0].ThreadID)
	}

	// Without -name QEMU returns an empty object.
	_, anon := negotiated(t, Options{})
	_, reply = anon.do("query-name", nil)
	if string(reply["return"]) != "{}" {
		t.Fatalf("anonymous query-name %s", reply["return"])
	}
}

func TestBalloon(t *testing.T) {
	_, c := negotiated(t, Options{MemoryMiB: 256, Balloon: true})
	c.fails("balloon", map[string]any{"value": 0}, classGeneric, "Parameter 'target' expects a size")

	// The guest driver reacts after the reply, as on QEMU.
	events := c.ok("balloon", map[string]any{"value": 128 << 20}, nil)
	if len(events) != 0 {
		t.Fatalf("events before balloon reply: %v", events)
	}
	var bal balloonData
	events = c.ok("query-balloon", nil, &bal)
	if eventNames(events) != "BALLOON_CHANGE" || string(events[0]["data"]) != `{"actual": 134217728}` {
		t.Fatalf("balloon events %v", events)
	}
	if bal.Actual != 128<<20 {
		t.Fatalf("actual %d", bal.Actual)
	}

	// A paused guest cannot inflate; it catches up on cont.
	c.ok("stop", nil, nil)
	c.ok("balloon", map[string]any{"value": 1 << 40}, nil) // more than RAM: clamped
	if events := c.ok("query-balloon", nil, &bal); len(events) != 0 || bal.Actual != 128<<20 {
		t.Fatalf("paused guest ballooned: %v %d", events, bal.Actual)
	}
	events = c.ok("cont", nil, nil)
	events = append(events, c.ok("query-balloon", nil, &bal)...)
	if eventNames(events) != "RESUME BALLOON_CHANGE" || bal.Actual != 256<<20 {
		t.Fatalf("after cont: %v actual %d", eventNames(events), bal.Actual)
	}

	_, none := negotiated(t, Options{})
	none.fails("balloon", map[string]any{"value": 1 << 20}, classDeviceNotActive, "No balloon device has been activated")
}

func TestEjectAndDeviceDel(t *testing.T) {
	_, c := negotiated(t, Options{Disks: []Disk{
		{Device: "cd0", ID: "cdrom0", File: "/x.iso", Removable: true, ReadOnly: true},
		{ID: "vda", File: "/root.qcow2"},
	}})
	events := c.ok("eject", map[string]any{"device": "cd0"}, nil)
	if eventNames(events) != "DEVICE_TRAY_MOVED" || string(events[0]["data"]) != `{"device": "cd0", "tray-open": true, "id": "cdrom0"}` {
		t.Fatalf("eject events %v", events)
	}
	var blocks []blockInfo
	c.ok("query-block", nil, &blocks)
	if blocks[0].TrayOpen == nil || !*blocks[0].TrayOpen || blocks[0].Inserted != nil {
		t.Fatalf("after eject: %+v", blocks[0])
	}
	if blocks[1].Inserted == nil || blocks[1].Inserted.Image.Format != "qcow2" || blocks[1].Qdev != "/machine/peripheral/vda/virtio-backend" {
		t.Fatalf("disk: %+v", blocks[1])
	}
	if events := c.ok("eject", map[string]any{"id": "cdrom0"}, nil); len(events) != 0 {
		t.Fatalf("tray already open, still got %v", events)
	}
	c.fails("eject", map[string]any{"device": "x"}, classDeviceNotFound, "Device 'x' not found")
	c.fails("eject", map[string]any{"id": "x"}, classDeviceNotFound, "Device 'x' not found")
	c.fails("eject", map[string]any{"id": "vda"}, classGeneric, "Device 'vda' is not removable")
	c.fails("eject", nil, classGeneric, "Need exactly one of 'device' and 'id'")

	c.fails("device_del", map[string]any{"id": "nope"}, classDeviceNotFound, "Device 'nope' not found")
	c.fails("device_del", map[string]any{"id": "cdrom0"}, classGeneric, "Bus 'ide.1' does not support hotplugging")
	if events := c.ok("device_del", map[string]any{"id": "vda"}, nil); len(events) != 0 {
		t.Fatalf("events before device_del reply: %v", events)
	}
	events = c.ok("query-block", nil, &blocks)
	if eventNames(events) != "DEVICE_DELETED DEVICE_DELETED" ||
		string(events[1]["data"]) != `{"device": "vda", "path": "/machine/peripheral/vda"}` {
		t.Fatalf("unplug events %v", events)
	}
	if len(blocks) != 1 || blocks[0].Device != "cd0" {
		t.Fatalf("vda still present: %+v", blocks)
	}
}

func TestMiscCommands(t *testing.T) {
	_, c := negotiated(t, Options{Name: "misc", VCPUs: 2})
	c.fails("screendump", map[string]any{"filename": "/tmp/s.ppm"}, classGeneric, "There is no console to take a screendump from")
	events := c.ok("system_reset", nil, nil)
	if eventNames(events) != "RESET" || string(events[0]["data"]) != `{"guest": false, "reason": "host-qmp-system-reset"}` {
		t.Fatalf("system_reset events %v", events)
	}
	if events := c.ok("system_powerdown", nil, nil); eventNames(events) != "POWERDOWN" {
		t.Fatalf("powerdown events %v", events)
	}
	hmp := map[string]string{
		"info name":  "misc\r\n",
		"info kvm":   "kvm support: disabled\r\n",
		"frobnicate": "unknown command: 'frobnicate'\r\n",
		"info bogus": "unknown command: 'info bogus'\r\n",
		"":           "",
	}
	for line, want := range hmp {
		var got string
		c.ok("human-monitor-command", map[string]any{"command-line": line}, &got)
		if got != want {
			t.Errorf("HMP %q: %q, want %q", line, got, want)
		}
	}
	var got string
	c.ok("human-monitor-command", map[string]any{"command-line": "info cpus"}, &got)
	if !bytes.Contains([]byte(got), []byte("CPU #1: thread_id=")) {
		t.Fatalf("info cpus %q", got)
	}
	// HMP stop goes through the same state machine as QMP stop.
	events = c.ok("human-monitor-command", map[string]any{"command-line": "stop"}, &got)
	if eventNames(events) != "STOP" || got != "" {
		t.Fatalf("HMP stop: %v %q", events, got)
	}
}

func sumIO(t *testing.T, c *client) (rd, wr uint64) {
	t.Helper()
	var stats []blockStatsEntry
	c.ok("query-blockstats", nil, &stats)
	for _, s := range stats {
		rd += s.Stats.RdBytes
		wr += s.Stats.WrBytes
	}
	return rd, wr
}

// near allows for counters kept in whole 512-byte sectors per disk and
// direction (two disks here, so at most 4 partial sectors either way).
func near(got, want uint64) bool {
	return got+2048 >= want && got <= want+2048
}

func TestBlockstatsGrowOnlyWhileRunning(t *testing.T) {
	clock := newFakeClock()
	_, c := negotiated(t, Options{Clock: clock.Now, IOBytesPerSec: 1 << 20, Disks: []Disk{
		{File: "/a.qcow2"}, {File: "/b.qcow2"}, {Device: "cd0", Removable: true},
	}})
	rd0, wr0 := sumIO(t, c)
	clock.Advance(10 * time.Second)
	rd1, wr1 := sumIO(t, c)
	// 10 MiB moved, 60/40 read/write, in whole sectors.
	if got := (rd1 - rd0) + (wr1 - wr0); !near(got, 10<<20) {
		t.Fatalf("10 s at 1 MiB/s moved %d bytes", got)
	}
	if !near(wr1-wr0, 4<<20) {
		t.Fatalf("writes %d", wr1-wr0)
	}
	var stats []blockStatsEntry
	c.ok("query-blockstats", nil, &stats)
	if a, b := stats[0].Stats.WrBytes, stats[1].Stats.WrBytes; a <= b || b == 0 {
		t.Fatalf("disks should share IO unevenly: %d vs %d", a, b)
	}
	if stats[2].Stats.WrBytes != 0 || stats[2].Stats.RdBytes != 108 {
		t.Fatalf("empty CD-ROM did IO: %+v", stats[2].Stats)
	}

	c.ok("stop", nil, nil)
	clock.Advance(time.Hour)
	if rd, wr := sumIO(t, c); rd != rd1 || wr != wr1 {
		t.Fatalf("counters moved while paused: %d/%d -> %d/%d", rd1, wr1, rd, wr)
	}
	c.ok("cont", nil, nil)
	clock.Advance(5 * time.Second)
	if rd, wr := sumIO(t, c); !near((rd-rd1)+(wr-wr1), 5<<20) {
		t.Fatalf("after cont, 5 s moved %d", (rd-rd1)+(wr-wr1))
	}
}

func TestMirrorJobLifecycle(t *testing.T) {
	clock := newFakeClock()
	start := clock.Now()
	_, c := negotiated(t, Options{Clock: clock.Now, MirrorJob: true, Disks: []Disk{{File: "/a.qcow2", SizeBytes: 60 << 20}}})
	var jobs []blockJobInfo
	c.ok("query-block-jobs", nil, &jobs)
	if len(jobs) != 1 || jobs[0].Device != "mirror0" || jobs[0].Speed != 1<<20 || jobs[0].Offset != 0 || jobs[0].Status != "running" {
		t.Fatalf("initial job %+v", jobs)
	}
	clock.Advance(30 * time.Second)
	c.ok("query-block-jobs", nil, &jobs)
	if jobs[0].Offset != 30<<20 || jobs[0].Ready {
		t.Fatalf("after 30 s at 1 MiB/s: %+v", jobs[0])
	}
	// A drain on stop pauses and resumes the job, as QEMU reports.
	if events := c.ok("stop", nil, nil); eventNames(events) != "STOP JOB_STATUS_CHANGE:paused JOB_STATUS_CHANGE:running" {
		t.Fatalf("stop with job: %s", eventNames(events))
	}
	clock.Advance(45 * time.Second) // jobs run while the guest is paused
	events := c.ok("query-block-jobs", nil, &jobs)
	if eventNames(events) != "JOB_STATUS_CHANGE:ready BLOCK_JOB_READY" {
		t.Fatalf("ready events: %s", eventNames(events))
	}
	if due := start.Add(60 * time.Second); !events[0].stamp().Equal(due) {
		t.Fatalf("ready stamped %v, want when the job got there (%v)", events[0].stamp(), due)
	}
	if string(events[1]["data"]) != `{"device": "mirror0", "len": 62914560, "offset": 62914560, "speed": 1048576, "type": "mirror"}` {
		t.Fatalf("BLOCK_JOB_READY data %s", events[1]["data"])
	}
	if !jobs[0].Ready || jobs[0].Status != "ready" || jobs[0].Offset != jobs[0].Len {
		t.Fatalf("ready job %+v", jobs[0])
	}
	var qj []jobInfo
	c.ok("query-jobs", nil, &qj)
	if len(qj) != 1 || qj[0].Status != "ready" || qj[0].CurrentProgress != qj[0].TotalProgress {
		t.Fatalf("query-jobs %+v", qj)
	}
	// Cancelling a ready mirror completes it; the teardown follows the reply.
	if events := c.ok("block-job-cancel", map[string]any{"device": "mirror0"}, nil); len(events) != 0 {
		t.Fatalf("events before cancel reply: %v", events)
	}
	events = c.ok("query-block-jobs", nil, &jobs)
	want := "JOB_STATUS_CHANGE:waiting JOB_STATUS_CHANGE:pending BLOCK_JOB_COMPLETED JOB_STATUS_CHANGE:concluded JOB_STATUS_CHANGE:null"
	if eventNames(events) != want || len(jobs) != 0 {
		t.Fatalf("cancel ready: %s, jobs %+v", eventNames(events), jobs)
	}
	c.fails("block-job-cancel", map[string]any{"device": "mirror0"}, classDeviceNotActive, "Block job 'mirror0' not found")
}

func TestBlockdevMirrorCancelWhileRunning(t *testing.T) {
	clock := newFakeClock()
	_, c := negotiated(t, Options{Clock: clock.Now, Disks: []Disk{{NodeName: "disk0", File: "/a.qcow2", SizeBytes: 64 << 20}}})
	c.ok("blockdev-add", map[string]any{"driver": "file", "filename": "/t.qcow2", "node-name": "tgtfile"}, nil)
	c.ok("blockdev-add", map[string]any{"driver": "qcow2", "file": "tgtfile", "node-name": "tgt"}, nil)
	c.fails("blockdev-add", map[string]any{"driver": "qcow2", "file": "tgtfile", "node-name": "tgt"}, classGeneric, "Duplicate nodes with node-name='tgt'")
	c.fails("blockdev-add", map[string]any{"driver": "qcow2", "file": "nofile", "node-name": "x"}, classGeneric, "Cannot find device='nofile' nor node-name='nofile'")
	mirror := map[string]any{"job-id": "m", "device": "disk0", "target": "tgt", "sync": "full", "speed": 4 << 20}
	if events := c.ok("blockdev-mirror", mirror, nil); eventNames(events) != "JOB_STATUS_CHANGE:created JOB_STATUS_CHANGE:running" {
		t.Fatalf("mirror start: %s", eventNames(events))
	}
	c.fails("blockdev-mirror", mirror, classGeneric, "Node 'disk0' is busy: block device is in use by block job: mirror")
	clock.Advance(2 * time.Second)
	c.ok("block-job-cancel", map[string]any{"device": "m"}, nil)
	events, _ := c.do("query-jobs", nil)
	if eventNames(events) != "JOB_STATUS_CHANGE:aborting BLOCK_JOB_CANCELLED JOB_STATUS_CHANGE:concluded JOB_STATUS_CHANGE:null" {
		t.Fatalf("cancel: %s", eventNames(events))
	}
	if string(events[1]["data"]) != `{"device": "m", "len": 67108864, "offset": 8388608, "speed": 4194304, "type": "mirror"}` {
		t.Fatalf("BLOCK_JOB_CANCELLED data %s", events[1]["data"])
	}
}

func TestGuestResetsFollowRunningTime(t *testing.T) {
	clock := newFakeClock()
	start := clock.Now()
	_, c := negotiated(t, Options{Clock: clock.Now, ResetEvery: 5 * time.Second})
	clock.Advance(12 * time.Second)
	events := c.ok("query-status", nil, nil)
	if eventNames(events) != "RESET RESET" || string(events[0]["data"]) != `{"guest": true, "reason": "guest-reset"}` {
		t.Fatalf("resets: %v", events)
	}
	if !events[0].stamp().Equal(start.Add(5*time.Second)) || !events[1].stamp().Equal(start.Add(10*time.Second)) {
		t.Fatalf("reset stamps %v %v", events[0].stamp(), events[1].stamp())
	}
	c.ok("stop", nil, nil)
	clock.Advance(time.Minute) // a paused guest does not reset itself
	if events := c.ok("query-status", nil, nil); len(events) != 0 {
		t.Fatalf("paused guest reset: %v", events)
	}
	c.ok("cont", nil, nil)
	clock.Advance(3 * time.Second) // 15 s of running time in total
	if events := c.ok("query-status", nil, nil); eventNames(events) != "RESET" {
		t.Fatalf("after cont: %v", events)
	}
	clock.Advance(24 * time.Hour) // a clock jump must not flood the client
	if events := c.ok("query-status", nil, nil); len(events) != maxCatchUp {
		t.Fatalf("after a day: %d events", len(events))
	}
}

func TestTinyResetPeriodCatchUpIsBounded(t *testing.T) {
	clock := newFakeClock()
	_, c := negotiated(t, Options{Clock: clock.Now, ResetEvery: time.Nanosecond})
	// 8.64e13 periods elapse; catching up must cost maxCatchUp events, not
	// a loop over every missed period.
	clock.Advance(24 * time.Hour)
	if events := c.ok("query-status", nil, nil); len(events) != maxCatchUp {
		t.Fatalf("%d events", len(events))
	}
}
