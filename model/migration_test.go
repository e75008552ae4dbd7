package model

import (
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/qmp"
)

func TestMigrationFromBothSides(t *testing.T) {
	// The sending side, as QEMU 7.2 answered for a mostly-zero 64M VM.
	src := migrationFrom(qmp.MigrationInfo{Status: "active", RAM: &qmp.MigrationRAM{Total: 67641344, Remaining: 33 << 20,
		Transferred: 636023, Mbps: 8, Duplicate: 16395, Normal: 119, NormalBytes: 487424, PageSize: 4096}}, false, "unix:/m")
	// 119 of 16514 pages went whole: of the 33 MiB left, that share is
	// what the wire still has to carry.
	whole, left := 119.0, float64(33<<20)
	wantETA := time.Duration(left * whole / (whole + 16395) / 1e6 * float64(time.Second))
	if src.Incoming || !src.HasRAM || src.RateBps != 1e6 || !src.ETAKnown || src.ETA != wantETA {
		t.Fatalf("source: %+v", src)
	}
	if src.ZeroPages != 16395 || src.URI != "unix:/m" {
		t.Fatalf("source pages: %+v", src)
	}
	if m := migrationFrom(qmp.MigrationInfo{Status: "active", RAM: &qmp.MigrationRAM{Total: 1, Remaining: 1}}, false, ""); m.ETAKnown {
		t.Fatalf("an ETA without a rate: %+v", m)
	}
	if m := migrationFrom(qmp.MigrationInfo{Status: "completed", RAM: &qmp.MigrationRAM{Total: 1, Mbps: 100}}, false, ""); m.ETAKnown || m.Incoming {
		t.Fatalf("completed source: %+v", m)
	}
	// The receiving side: waiting (an address, no status), then done
	// (a status, no figures); and -incoming defer (only the run state).
	wait := migrationFrom(qmp.MigrationInfo{SocketAddress: []qmp.SocketAddress{{Type: "unix", Path: "/m"}}}, true, "")
	if !wait.Incoming || wait.Listening != "unix:/m" || wait.HasRAM {
		t.Fatalf("waiting destination: %+v", wait)
	}
	if done := migrationFrom(qmp.MigrationInfo{Status: "completed"}, false, ""); !done.Incoming || done.HasRAM {
		t.Fatalf("completed destination: %+v", done)
	}
	if d := migrationFrom(qmp.MigrationInfo{}, true, ""); !d.Incoming || d.Listening != "" {
		t.Fatalf("deferred destination: %+v", d)
	}
	if a := (qmp.SocketAddress{Type: "inet", Host: "10.0.0.2", Port: "4444"}).String(); a != "tcp:10.0.0.2:4444" {
		t.Fatal(a)
	}
}

func TestLinkMigrationsNamesPeers(t *testing.T) {
	vms := []VMSnapshot{
		{Name: "src", Migration: Migration{Status: "active", URI: "unix:/m"}},
		{Name: "dst", Migration: Migration{Incoming: true, Listening: "unix:/m"}},
		{Name: "other", Migration: Migration{Status: "active", URI: "tcp:x:1"}},
	}
	linkMigrations(vms)
	if vms[0].Migration.Peer != "dst" || vms[1].Migration.Peer != "src" || vms[2].Migration.Peer != "" {
		t.Fatalf("peers: %q %q %q", vms[0].Migration.Peer, vms[1].Migration.Peer, vms[2].Migration.Peer)
	}
}

func TestBalloonTargetForClampsAsQEMU(t *testing.T) {
	for _, c := range []struct{ value, ram, want uint64 }{
		{1 << 30, 128 << 20, 128 << 20}, // above RAM: capped
		{64 << 20, 128 << 20, 64 << 20},
		{64<<20 + 100, 128 << 20, 64<<20 + 4096}, // whole 4 KiB pages taken out
		{1 << 30, 0, 1 << 30},                    // RAM unknown
	} {
		if got := BalloonTargetFor(c.value, c.ram); got != c.want {
			t.Errorf("BalloonTargetFor(%d, %d) = %d, want %d", c.value, c.ram, got, c.want)
		}
	}
}

// A mostly zero guest: what is left goes mostly as zero-page markers, so
// the ETA counts only the share sent whole, not every remaining byte.
func TestMigrationETACountsOnlyPagesSentWhole(t *testing.T) {
	// 128 MiB left at 1 MB/s; 1 page in 100 has gone whole so far.
	eta, ok := MigrationETA("active", 128<<20, 1e6, 10, 990)
	left := float64(128 << 20)
	want := time.Duration(left * 0.01 / 1e6 * float64(time.Second))
	if !ok || eta != want {
		t.Fatalf("ETA %v %v, want %v", eta, ok, want)
	}
	// Before any page went, all of it counts.
	if eta, _ := MigrationETA("active", 1e6, 1e6, 0, 0); eta != time.Second {
		t.Fatalf("ETA with no pages yet %v, want 1s", eta)
	}
}
