package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/qmp"
)

const eventsUsage = `Usage: qmpdash events [flags] [TARGET...]

Prints QMP events from every VM as they happen, one line each, until
interrupted (Ctrl-C). Monitors that go away are reconnected; directories
and globs are rescanned, so VMs started later join in. Connection changes
are noted on stderr, so stdout carries events only.
A TARGET is a socket path, unix:PATH, tcp:HOST:PORT, a directory (every
socket in it) or a glob; with none, the config file's targets or else the
usual places are watched.

Lines look like
  15:04:05.000123 web STOP
  15:04:06.250000 web RESET {"guest":false,"reason":"host-qmp-system-reset"}
or with --json one object per line:
  {"target":"/run/qemu/web.qmp","vm":"web","event":"STOP","timestamp":"2024-05-01T13:04:05.000123Z"}
(data is present when the event has some; timestamp is QEMU's.)

Examples:
  qmpdash events /run/qemu/web.qmp
  qmpdash events --json /run/qemu/ | jq 'select(.event == "SHUTDOWN")'
  qmpdash events '/var/run/qemu-server/*.qmp'

Flags:
`

// eventRecord is one line of 'qmpdash events --json'.
type eventRecord struct {
	Target    string          `json:"target"`
	VM        string          `json:"vm"`
	Event     string          `json:"event"`
	Data      json.RawMessage `json:"data,omitempty"`
	Timestamp string          `json:"timestamp"`
}

func runEvents(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return jsonCommand("events", eventsUsage, "print one JSON object per event", args, stdout, stderr,
		func(st commandStart, asJSON bool) error { return events(ctx, st, asJSON, stdout, stderr) })
}

// events watches the targets and prints their events until ctx ends.
func events(ctx context.Context, st commandStart, asJSON bool, stdout, stderr io.Writer) error {
	given := st.set.Targets.Value
	fleet := model.NewFleet(model.Config{Interval: st.set.Interval.Value, Timeout: st.set.Timeout.Value, Logger: st.logger, Remote: st.pool})
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := fleet.Watch(ctx, st.specs); err != nil {
		// Watch starts nothing when its first scan fails.
		return fmt.Errorf("events: %v", err)
	}
	if len(fleet.IDs()) == 0 {
		where := given
		if len(where) == 0 {
			where = model.DiscoveryPaths()
		}
		fmt.Fprintf(stderr, "qmpdash: events: no QMP sockets in %s yet; waiting for some to appear\n", safe(strings.Join(where, ", ")))
	}
	stop := fleet.Start(ctx)

	p := &eventPrinter{
		stdout: stdout, stderr: stderr, json: asJSON, given: given,
		vms: map[string]*vmNote{},
	}
	var werr error
	for werr == nil && ctx.Err() == nil {
		select {
		case <-ctx.Done():
		case <-fleet.Changed():
			werr = p.flush(fleet)
		}
	}
	cancel() // the rescans with the fleet
	serr := stop(fleetStopLimit)
	if werr == nil {
		// Events that arrived while shutting down still count.
		werr = p.flush(fleet)
	}
	return errors.Join(werr, serr)
}

// eventPrinter prints a fleet's new events and notes connection changes.
type eventPrinter struct {
	stdout, stderr io.Writer
	json           bool
	given          []string // targets as the user named them
	lastSeq        uint64
	vms            map[string]*vmNote
}

// vmNote is what was last said about one VM on stderr.
type vmNote struct {
	state   string // "", "connected", "down", "gone"
	pollsAt uint64 // Polls when last seen not connected
}

// flush prints every event logged since the last call, then notes
// connection changes. It returns an error only when stdout fails.
func (p *eventPrinter) flush(f *model.Fleet) error {
	snap := f.Snapshot()
	evs := f.EventsSince(p.lastSeq)
	if len(evs) > 0 && evs[0].Seq > p.lastSeq+1 {
		fmt.Fprintf(p.stderr, "qmpdash: events: %d events were dropped before they could be printed\n", evs[0].Seq-p.lastSeq-1)
	}
	var buf bytes.Buffer
	for _, e := range evs {
		p.format(&buf, snap, e)
		p.lastSeq = e.Seq
	}
	if buf.Len() > 0 {
		if _, err := p.stdout.Write(buf.Bytes()); err != nil {
			return fmt.Errorf("events: %v", err)
		}
	}
	p.noteConnections(snap)
	return nil
}

func (p *eventPrinter) format(buf *bytes.Buffer, snap model.FleetSnapshot, e model.LoggedEvent) {
	name, target := e.Source, e.Source
	if vm, ok := snap.VM(e.Source); ok {
		name = vm.Name
		target = p.displayTarget(vm)
	}
	if p.json {
		rec := eventRecord{Target: target, VM: name, Event: e.Name, Timestamp: e.Time.UTC().Format(time.RFC3339Nano)}
		if len(e.Data) > 0 && json.Valid(e.Data) {
			rec.Data = e.Data
		}
		b, err := json.Marshal(rec)
		if err != nil { // cannot happen with valid Data; never lose the line
			b, _ = json.Marshal(eventRecord{Target: target, VM: name, Event: e.Name, Timestamp: rec.Timestamp})
		}
		buf.Write(safeJSON(b))
		buf.WriteByte('\n')
		return
	}
	fmt.Fprintf(buf, "%s %s %s", e.Time.Local().Format("15:04:05.000000"), safe(name), safe(e.Name))
	if len(e.Data) > 0 {
		var compact bytes.Buffer
		if json.Compact(&compact, e.Data) == nil {
			fmt.Fprintf(buf, " %s", safe(compact.String()))
		}
	}
	buf.WriteByte('\n')
}

// displayTarget names a VM's monitor the way the user did when they named
// it outright (a directory or glob finding it shows its path).
func (p *eventPrinter) displayTarget(vm model.VMSnapshot) string {
	a, err := qmp.ParseAddress(vm.ID)
	if err != nil {
		return vm.ID
	}
	return displayTarget(a, p.given)
}

// noteConnections tells stderr when a VM is being watched (after its first
// poll on a connection, when events are subscribed to), when it is lost and
// when its socket is gone.
func (p *eventPrinter) noteConnections(snap model.FleetSnapshot) {
	for _, vm := range snap.VMs {
		n := p.vms[vm.ID]
		if n == nil {
			n = &vmNote{}
			p.vms[vm.ID] = n
		}
		// The target, not the name: query-name may not have answered yet.
		label := safe(p.displayTarget(vm))
		if vm.Conn != model.ConnConnected {
			n.pollsAt = vm.Polls
		}
		switch {
		case vm.Conn == model.ConnConnected && vm.Polls > n.pollsAt && n.state != "connected":
			n.state = "connected"
			fmt.Fprintf(p.stderr, "qmpdash: events: %s: watching\n", label)
		case vm.Conn == model.ConnRetrying && n.state != "down":
			n.state = "down"
			fmt.Fprintf(p.stderr, "qmpdash: events: %s: unreachable, retrying: %s\n", label, safe(vm.LastError.Message))
		case vm.Conn == model.ConnClosed && n.state != "closed":
			n.state = "closed"
			fmt.Fprintf(p.stderr, "qmpdash: events: %s: QEMU exited (%s)\n", label, safe(vm.Exit))
		case vm.Conn == model.ConnGone && n.state != "gone":
			n.state = "gone"
			fmt.Fprintf(p.stderr, "qmpdash: events: %s: socket gone\n", label)
		}
	}
}
