package panes

import (
	"strings"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/model"
)

// Each figure reads as what QEMU said: the receiving side of a migration
// has no RAM figures, an ETA is marked unknown without a rate, a job with
// nothing to copy shows no fraction, a balloon target is a request, a
// device_del is requested until DEVICE_DELETED.

func TestMigrationIncomingSide(t *testing.T) {
	v := &model.VMSnapshot{RunState: "inmigrate", Migration: model.Migration{Incoming: true, Listening: "unix:/tmp/m.sock"}}
	got := draw(MigrationPane, v, 90)
	mustHaveLines(t, "waiting", got, "Direction    incoming", "Status       waiting on unix:/tmp/m.sock",
		"RAM          no figures: QEMU reports them on the sending side")
	v.Migration = model.Migration{Incoming: true, Status: "completed", Listening: "unix:/tmp/m.sock", Peer: "src"}
	got = draw(MigrationPane, v, 90)
	mustHaveLines(t, "completed", got, "Direction    incoming ← src", "Status       completed", "Came via     unix:/tmp/m.sock")
	if strings.Contains(got, "%") || strings.Contains(got, "0B of 0B") {
		t.Fatalf("the receiving side shows figures QEMU did not give:\n%s", got)
	}
	v.Migration = model.Migration{Incoming: true}
	mustHaveLines(t, "defer", draw(MigrationPane, v, 90), "Status       waiting  (not listening yet: migrate-incoming not sent)")
}

func TestMigrationETAUnknownWithoutRate(t *testing.T) {
	v := &model.VMSnapshot{Migration: model.Migration{Status: "active", HasRAM: true, TotalBytes: 64 << 20, RemainingBytes: 32 << 20,
		Progress: 0.5, URI: "unix:/tmp/m.sock", Peer: "dst"}}
	mustHaveLines(t, "no rate", draw(MigrationPane, v, 90), "ETA          unknown (no rate yet)",
		"Direction    outgoing → unix:/tmp/m.sock  (to dst)")
	v.Migration.Status = "completed"
	if got := draw(MigrationPane, v, 90); strings.Contains(got, "ETA") {
		t.Fatalf("a finished migration has an ETA:\n%s", got)
	}
	v.Migration = model.Migration{Status: "setup"}
	mustHaveLines(t, "setup", draw(MigrationPane, v, 90), "RAM          no figures from QEMU yet")
}

func TestBlockJobsReadRight(t *testing.T) {
	v := &model.VMSnapshot{Jobs: []model.BlockJob{
		{Device: "m0", Type: "mirror", Status: "ready", Ready: true},
		{Device: "m1", Type: "mirror", Status: "running"},
		{Device: "m2", Type: "mirror", Status: "ready", Ready: true, Len: 64 << 20, Offset: 64 << 20,
			Progress: model.JobProgress{Fraction: 1}},
	}}
	got := draw(BlockPane, v, 100)
	mustHaveLines(t, "jobs", got, "  mirror m0 ready — 0B to copy", "  mirror m1 running — 0B to copy",
		"  mirror m2 ready ██████████████████████████████ 100.0%  64M of 64M in sync; complete or cancel")
	if strings.Contains(got, " 0.0%") || strings.Contains(got, "(ready)") {
		t.Fatalf("a zero-length or ready job reads wrong:\n%s", got)
	}
}

func TestBalloonRequestIsMarked(t *testing.T) {
	v := &model.VMSnapshot{Memory: model.Memory{BaseBytes: 128 << 20, HasBalloon: true, BalloonBytes: 128 << 20,
		Requested: model.BalloonRequest{Asked: 1 << 30, Target: 128 << 20, At: t0.Add(-3 * time.Second)}}}
	got := draw(MemoryPane, v, 90)
	mustHaveLines(t, "capped", got, "Balloon   actual 128M of 128M RAM",
		"Requested 128M (asked 1.0G; QEMU caps it at RAM)  3s ago", "          reached")
	v.Memory.Requested = model.BalloonRequest{Asked: 64 << 20, Target: 64 << 20}
	mustHaveLines(t, "pending", draw(MemoryPane, v, 90), "Requested 64M",
		"          not reached: the guest's balloon driver moves actual")
	v.Memory.Requested = model.BalloonRequest{}
	got = draw(MemoryPane, v, 90)
	if strings.Contains(got, "%") || strings.Contains(got, "Requested") || strings.Contains(got, "target") {
		t.Fatalf("a target nobody asked for, or a percentage:\n%s", got)
	}
}

func TestUnplugRequestedThenDeleted(t *testing.T) {
	v := sampleVM()
	v.Unplugs = []model.Unplug{{ID: "net1", RequestedAt: t0.Add(-42 * time.Second)},
		{ID: "net2", RequestedAt: t0.Add(-time.Minute), DeletedAt: t0.Add(-50 * time.Second)}}
	mustHaveLines(t, "unplugs", draw(OverviewPane, v, 140),
		"Unplug   net1 requested 42s ago; still present until the guest releases it (no DEVICE_DELETED yet)",
		"Unplug   net2 deleted  (DEVICE_DELETED at 11:59:10)")
}
