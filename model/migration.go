package model

import (
	"math"
	"time"

	"github.com/qmpdash/qmpdash/qmp"
)

// Migration figures, on both sides. QEMU's query-migrate answers
// differently on each: the sending side reports RAM figures (total,
// remaining, transferred, zero pages) and a rate; the receiving side
// reports only its status, and while it waits the address it listens on.
// A VM is on the receiving side when it was seen in RunState "inmigrate"
// (started with -incoming), when it reports a listening address, or when
// it reports a finished migration without RAM figures.

// Migration is query-migrate reduced to what a person watches.
type Migration struct {
	Status string // QEMU's MigrationStatus; "" when none was started on this side
	// Incoming is true on the receiving side.
	Incoming bool
	// Listening is where an incoming migration waits, as a URI
	// (unix:/path, tcp:host:port); "" when QEMU does not say.
	Listening string
	// URI is where this fleet sent the VM with "migrate" (QEMU does not
	// report it); "" when it was not sent through this fleet.
	URI string
	// Peer is the display-less name of the other side when the fleet
	// knows it (a VM of the fleet migrating to this one's listening
	// address, or the one listening where this one migrates); "" if not.
	Peer string

	// HasRAM says the figures below are QEMU's; without it they are 0
	// because QEMU reports none (the receiving side, or before setup ends).
	HasRAM           bool
	TotalBytes       uint64 // guest RAM to migrate
	RemainingBytes   uint64 // RAM not yet sent (or dirtied again since)
	TransferredBytes uint64 // bytes put on the wire so far
	ZeroPages        uint64 // pages found all zero: sent as a marker only
	NormalPages      uint64 // pages sent with their contents
	NormalBytes      uint64
	PageSize         uint64
	Progress         float64 // (total-remaining)/total, 0..1
	RateBps          float64 // QEMU's current rate ("mbps"), in bytes/s
	// ETA is the time left at RateBps for what of RemainingBytes goes on
	// the wire: zero pages go as a marker of a few bytes, so the bytes
	// still to send are estimated from the share of pages sent whole so
	// far. ETAKnown is false when it cannot be computed (no rate, not
	// active, no figures).
	ETA      time.Duration
	ETAKnown bool

	ExpectedDowntime time.Duration
	Downtime         time.Duration
	SetupTime        time.Duration
	TotalTime        time.Duration
	ErrorDesc        string
}

// migrationActive are the sending side's states in which RAM still moves.
var migrationActive = map[string]bool{
	"setup": true, "active": true, "postcopy-active": true, "pre-switchover": true, "device": true,
	"wait-unplug": true,
}

// migrationFrom reduces query-migrate. inmigrate says the VM was seen in
// RunState "inmigrate" on this connection; uri is what the fleet sent.
func migrationFrom(m qmp.MigrationInfo, inmigrate bool, uri string) Migration {
	out := Migration{
		Status:           m.Status,
		URI:              uri,
		ExpectedDowntime: time.Duration(m.ExpectedDowntime) * time.Millisecond,
		Downtime:         time.Duration(m.Downtime) * time.Millisecond,
		SetupTime:        time.Duration(m.SetupTime) * time.Millisecond,
		TotalTime:        time.Duration(m.TotalTime) * time.Millisecond,
		ErrorDesc:        m.ErrorDesc,
	}
	if len(m.SocketAddress) > 0 {
		out.Listening = m.SocketAddress[0].String()
	}
	out.Incoming = inmigrate || out.Listening != "" || (m.RAM == nil && m.Status == "completed")
	if r := m.RAM; r != nil {
		out.HasRAM = true
		out.TotalBytes, out.RemainingBytes, out.TransferredBytes = r.Total, r.Remaining, r.Transferred
		out.ZeroPages, out.NormalPages, out.NormalBytes, out.PageSize = r.Duplicate, r.Normal, r.NormalBytes, r.PageSize
		out.RateBps = r.Mbps * 1e6 / 8
		out.Progress = ComputeMigrationProgress(r.Transferred, r.Remaining, r.Total)
		out.ETA, out.ETAKnown = MigrationETA(m.Status, r.Remaining, out.RateBps, r.Normal, r.Duplicate)
	}
	return out
}

// MigrationETA is the time left at the current rate while a migration
// moves RAM: the remaining bytes that will go on the wire, over the rate.
// Of the remaining RAM, the share that goes whole is taken to be the share
// of pages sent whole so far (normal / (normal + zero)); before any page
// went, all of it. It is unknown without a positive rate or outside the
// active states; 0 when nothing remains.
func MigrationETA(status string, remaining uint64, rateBps float64, normalPages, zeroPages uint64) (time.Duration, bool) {
	if !migrationActive[status] || !(rateBps > 0) {
		return 0, false
	}
	whole := 1.0
	if sent := float64(normalPages) + float64(zeroPages); sent > 0 {
		whole = float64(normalPages) / sent
	}
	secs := float64(remaining) * whole / rateBps
	if secs >= float64(math.MaxInt64)/float64(time.Second) {
		return time.Duration(math.MaxInt64), true
	}
	return time.Duration(secs * float64(time.Second)), true
}

// linkMigrations names each side's peer where the fleet knows both: a VM
// that migrated (through this fleet) to the address another VM listens
// on. It edits vms in place; they are the fleet's fresh copies.
func linkMigrations(vms []VMSnapshot) {
	listening := map[string]int{}
	for i := range vms {
		if l := vms[i].Migration.Listening; l != "" {
			listening[l] = i
		}
	}
	if len(listening) == 0 {
		return
	}
	for i := range vms {
		uri := vms[i].Migration.URI
		if j, ok := listening[uri]; ok && uri != "" && j != i {
			vms[i].Migration.Peer = vms[j].Name
			vms[j].Migration.Peer = vms[i].Name
		}
	}
}
