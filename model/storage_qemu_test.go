package model

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemutest"
	"github.com/qmpdash/qmpdash/qmp"
)

// startStorageJob starts qemutest.StorageJob on the daemon's monitor
// through a connection of its own, closed before the fleet connects (a
// monitor serves one client at a time).
func startStorageJob(t *testing.T, sd *qemutest.StorageDaemon) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := qmp.Dial(ctx, sd.Socket)
	if err != nil {
		t.Fatalf("dial the storage daemon: %v", err)
	}
	defer c.Close()
	for _, cmd := range qemutest.StorageJob {
		if err := c.Execute(ctx, cmd[0], json.RawMessage(cmd[1]), nil); err != nil {
			t.Fatalf("%s: %v", cmd[0], err)
		}
	}
}

func TestFleetWatchesAStorageDaemon(t *testing.T) {
	sd := qemutest.StartStorageDaemon(t, qemutest.StorageOptions{Name: "store"})
	startStorageJob(t, sd)
	f := startFleet(t, testConfig(), sd.Socket)
	s := waitFor(t, f, 20*time.Second, "the storage daemon polled three times with its node, export and job", func(s FleetSnapshot) bool {
		v := s.VMs[0]
		return v.Polls >= 3 && len(v.Nodes) >= 2 && len(v.Exports) == 1 && len(v.Jobs) == 1
	})
	v := s.VMs[0]
	if v.Kind != ServerStorageDaemon || v.RunState != StorageDaemonState || !v.Running {
		t.Fatalf("kind %q run state %q running %v, want a storage daemon", v.Kind, v.RunState, v.Running)
	}
	if !v.LastError.IsZero() || v.Stale {
		t.Fatalf("a storage daemon is in error: %+v (stale %v)", v.LastError, v.Stale)
	}
	nodes := map[string]BlockNode{}
	for _, n := range v.Nodes {
		nodes[n.NodeName] = n
	}
	if n := nodes["null0"]; n.Driver != "null-co" || n.SizeBytes != 1<<30 || n.Counted {
		t.Fatalf("node null0: %+v (QEMU 7.2 counts no I/O on a daemon's nodes)", n)
	}
	if _, ok := nodes["null1"]; !ok {
		t.Fatalf("the job's target node null1 is missing: %+v", v.Nodes)
	}
	// The export names the node on top: with the backup running, that is
	// the copy-before-write filter QEMU put over null0.
	if e := v.Exports[0]; e.ID != "exp0" || e.Type != "nbd" || nodes[e.NodeName].NodeName == "" {
		t.Fatalf("export: %+v (nodes %+v)", e, v.Nodes)
	}
	if j := v.Jobs[0]; j.Device != "job0" || j.Type != "backup" || j.Status != "running" || j.Len != 1<<30 || j.Offset == 0 {
		t.Fatalf("job: %+v", j)
	}
	if len(v.VCPUs) != 0 || v.Memory.BaseBytes != 0 || v.Name != "store" {
		t.Fatalf("VM figures on a storage daemon: vcpus %d memory %d name %q", len(v.VCPUs), v.Memory.BaseBytes, v.Name)
	}
	if v.PID != sd.PID() || v.StartTime.IsZero() {
		t.Fatalf("pid %d (want %d), start %v", v.PID, sd.PID(), v.StartTime)
	}
	// Its own process is measured: the daemon is local.
	s = waitFor(t, f, 10*time.Second, "the daemon's host figures", func(s FleetSnapshot) bool { return s.VMs[0].Host.Valid })
	if s.VMs[0].Host.RSSBytes == 0 {
		t.Fatalf("host figures: %+v", s.VMs[0].Host)
	}
	// A job paused through the fleet shows paused (JOB_STATUS_CHANGE, then
	// the polls agree); cancelled, it goes.
	if r := f.Execute(context.Background(), v.ID, "job-pause", json.RawMessage(`{"id":"job0"}`)); !r.Err.IsZero() {
		t.Fatalf("job-pause: %+v", r.Err)
	}
	waitFor(t, f, 10*time.Second, "job0 paused", func(s FleetSnapshot) bool {
		v := s.VMs[0]
		return len(v.Jobs) == 1 && v.Jobs[0].Paused && v.Jobs[0].Status == "paused"
	})
	if r := f.Execute(context.Background(), v.ID, "job-cancel", json.RawMessage(`{"id":"job0"}`)); !r.Err.IsZero() {
		t.Fatalf("job-cancel: %+v", r.Err)
	}
	s = waitFor(t, f, 15*time.Second, "job0 gone after job-cancel", func(s FleetSnapshot) bool { return len(s.VMs[0].Jobs) == 0 })
	if v := s.VMs[0]; !v.LastError.IsZero() || v.Stale {
		t.Fatalf("after the job: error %+v stale %v", v.LastError, v.Stale)
	}
}

func TestKindFromCommands(t *testing.T) {
	for _, tc := range []struct {
		names []string
		want  ServerKind
	}{
		{[]string{"query-status", "query-named-block-nodes", "query-commands"}, ServerVM},
		{[]string{"query-named-block-nodes", "query-block-exports", "query-commands"}, ServerStorageDaemon},
		{[]string{"query-commands", "qmp_capabilities"}, ServerUnknown},
		{nil, ServerUnknown},
	} {
		if got := KindFromCommands(tc.names); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.names, got, tc.want)
		}
	}
}
