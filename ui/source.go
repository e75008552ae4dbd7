package ui

import (
	"context"
	"encoding/json"
	"time"

	"github.com/qmpdash/qmpdash/model"
)

// Source is everything the dashboard needs from the fleet. The UI declares it
// so it can be driven by a fake in tests; model.Fleet implements it.
type Source interface {
	// Snapshot is the whole fleet now: immutable, safe to keep.
	Snapshot() model.FleetSnapshot
	// Changed receives (coalesced, never blocks the fleet) after the fleet changes.
	Changed() <-chan struct{}
	// EventsSince returns logged events with Seq > seq (oldest first), all
	// VMs merged; the UI filters by LoggedEvent.Source (= VMSnapshot.ID).
	EventsSince(seq uint64) []model.LoggedEvent
	// VMEvents is one VM's own bounded event log, oldest first, as a fresh
	// copy (nil for an unknown VM). A chatty VM fills only its own log, so
	// the this-VM view reads this rather than the merged log. It is cheap
	// and does not block, but the UI still calls it inside a tea.Cmd, like
	// the other reads.
	VMEvents(vmID string) []model.LoggedEvent
	// EventsDropped is how many events the bounded log evicted.
	EventsDropped() uint64
	// Execute sends one QMP command (args may be nil) to a VM and waits for
	// the reply; it blocks, so the UI calls it inside a tea.Cmd.
	Execute(ctx context.Context, vmID, command string, args json.RawMessage) model.CommandResult
	// ExecuteAgent sends one command to the VM's guest agent (over the
	// fleet's own connection to it) and waits; it blocks, so the UI calls
	// it inside a tea.Cmd. guest-shutdown's silence is success. In
	// read-only mode the fleet refuses what model.AgentReadOnlyAllows
	// does not.
	ExecuteAgent(ctx context.Context, vmID, command string, args json.RawMessage) model.CommandResult
	// Reconnect starts the VM's next connection attempt now instead of
	// when its backoff runs out; false when it is connected (nothing to
	// do). It does not block, but the UI calls it inside a tea.Cmd.
	Reconnect(vmID string) (bool, error)
	// SetInterval changes the poll interval at run time.
	SetInterval(d time.Duration)
	// CommandNames lists the commands the VM accepts, sorted; nil if unknown
	// yet. It does not block: the UI calls it from Update.
	CommandNames(vmID string) []string
	// CommandArgs lists a command's arguments from the VM's schema; ok=false
	// if the command or schema is unknown. It does not block: the first
	// call starts fetching the VM's schema (the palette asks when the raw
	// QMP prompt opens, so the check is ready when enter comes).
	CommandArgs(vmID, command string) (args []model.ArgSpec, ok bool)
	// ValidateArgs checks JSON arguments against the schema before sending,
	// without blocking: nil only when they fit; model.ErrSchemaPending while
	// the schema is being fetched (a change is signalled when it arrives),
	// a *model.SchemaUnavailableError when it cannot be had.
	ValidateArgs(vmID, command string, args json.RawMessage) error
}
