package ui

import (
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/qmpdash/qmpdash/internal/termsafe"
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/ui/eventlog"
	"github.com/qmpdash/qmpdash/ui/panes"
	"github.com/qmpdash/qmpdash/ui/render"
)

// Following the fleet: one command waits on Source.Changed, takes a
// snapshot, the new events and the selected VM's own event log, and is
// re-armed each time its message is applied (the shape of Bubble Tea's
// realtime example). When the selection moves, a second, immediate command
// fetches the new VM's log so the this-VM view does not wait for a change.

// loadFleet returns the command that (after waiting for a change, unless
// this is the first load) takes a snapshot, the new events and the own log
// of the VM selected now. It is the only thing that waits on the fleet,
// and Update re-arms it after each fleetMsg, so exactly one is outstanding.
func (a *app) loadFleet(wait bool) tea.Cmd {
	if wait && a.manualFleet {
		return nil
	}
	ctx, ch := a.ctx, a.src.Changed()
	read := a.readFleet()
	return func() tea.Msg {
		if wait {
			armed := time.Now()
			select {
			case _, ok := <-ch:
				if !ok {
					return fleetClosedMsg{}
				}
			case <-ctx.Done():
				return nil
			}
			// A large fleet changes all the time (500 VMs publish 500
			// snapshots a second): take it in at most every fleetReadGap,
			// not as fast as changes come. A quiet fleet's change is
			// read at once.
			if rest := fleetReadGap - time.Since(armed); rest > 0 {
				t := time.NewTimer(rest)
				select {
				case <-t.C:
				case <-ctx.Done():
					t.Stop()
					return nil
				}
			}
		}
		return read()
	}
}

// fleetReadGap is the least time between two reads of the fleet, so a
// fleet that changes all the time redraws at most four times a second
// (what top and btop do at their fastest; a table changing faster cannot
// be read) and what is shown is never more than this behind what the
// fleet knows. A key is answered at once whatever the gap. At 500 VMs a
// 100 ms gap drew ten frames a second, a tenth of the dashboard's CPU
// (docs/BENCHMARKS.md).
const fleetReadGap = 250 * time.Millisecond

// readFleet captures what a fleet read needs now (the last event seen and
// the selected VM) and returns the read, to be run inside a command.
func (a *app) readFleet() func() fleetMsg {
	src, seq, vm := a.src, a.lastSeq, a.readVMEvents()
	return func() fleetMsg {
		return fleetMsg{snap: src.Snapshot(), events: src.EventsSince(seq), dropped: src.EventsDropped(), vm: vm()}
	}
}

// readVMEvents numbers a new fetch of the selected VM's own log and
// returns it, to be run inside a command.
func (a *app) readVMEvents() func() eventlog.Fetch {
	src, id, gen := a.src, a.fleet.SelectedID(), a.events.NextFetch()
	return func() eventlog.Fetch {
		if id == "" {
			return eventlog.Fetch{}
		}
		return eventlog.Fetch{VMID: id, Gen: gen, Events: src.VMEvents(id)}
	}
}

// loadVMEvents fetches the selected VM's own log now (no waiting).
func (a *app) loadVMEvents() tea.Cmd {
	read := a.readVMEvents()
	return func() tea.Msg { return vmEventsMsg(read()) }
}

// selectionMoved forgets what belonged to the VM selected before: the
// panes' and event log's offsets and its event log.
func (a *app) selectionMoved() {
	a.scroll = [panes.Count]int{}
	a.events.SelectionMoved()
}

// applyVMEvents takes in an immediate fetch of a VM's own log.
func (a *app) applyVMEvents(m vmEventsMsg) {
	a.events.TakeFetch(eventlog.Fetch(m), a.fleet.SelectedID())
	a.clampEventScroll()
}

// clampEventScroll keeps the event log's offset within its lines (a
// bounded log drops its oldest as new ones come).
func (a *app) clampEventScroll() {
	a.events.Clamp(a.eventsHeight(), a.fleet.SelectedID())
}

// applyFleet takes in a new snapshot and its events.
func (a *app) applyFleet(m fleetMsg) tea.Cmd {
	var cmds []tea.Cmd
	before := a.fleet.SelectedID()
	a.snap, a.haveSnap = m.snap, true
	if a.pendingInterval > 0 && m.snap.Interval == a.pendingInterval {
		a.pendingInterval = 0
	}
	a.counts = render.CountStates(m.snap.VMs)
	clear(a.names)
	seen := make(map[string]bool, len(m.snap.VMs))
	names := make([]string, 0, len(m.snap.VMs))
	for i := range m.snap.VMs {
		v := &m.snap.VMs[i]
		// The one place a VM's name is made safe to show.
		name := render.DisplayName(v)
		a.names[v.ID] = name
		names = append(names, name)
		seen[v.ID] = true
		// A VM's new error (e.g. its connection failing) goes to the
		// status bar just like a command's.
		if prev := a.lastErrs[v.ID]; v.LastError != prev {
			a.lastErrs[v.ID] = v.LastError
			if e := v.LastError; !e.IsZero() {
				if e.SSHHost != "" {
					// Every VM of a host that is down fails alike, at
					// each retry: said once for the host, until its
					// cause changes or it is up again.
					if a.hostErrs[e.SSHHost] != e.Message {
						a.hostErrs[e.SSHHost] = e.Message
						cmds = append(cmds, a.showError("ssh "+termsafe.Line(termsafe.Clip(e.SSHHost, 128)), e))
					}
				} else {
					cmds = append(cmds, a.showError(a.names[v.ID], e))
				}
			}
		}
	}
	for id := range a.lastErrs {
		if !seen[id] {
			delete(a.lastErrs, id)
		}
	}
	for _, h := range m.snap.Hosts {
		if h.Up() {
			delete(a.hostErrs, h.Name)
		}
	}
	cmds = append(cmds, a.followUnplugs())
	a.fleet.SetVMs(m.snap.VMs, names)
	sel := a.fleet.SelectedID()
	if sel != before {
		a.selectionMoved() // the selected VM went, or this is the first snapshot
	}
	if len(m.events) > 0 {
		a.lastSeq = m.events[len(m.events)-1].Seq
	}
	a.events.TakeFleet(m.events, m.vm, m.dropped, sel)
	a.clampEventScroll()
	if sel != "" && m.vm.VMID != sel {
		// Armed for another VM (or none): fetch this one's log now
		// rather than on the next change.
		cmds = append(cmds, a.loadVMEvents())
	}
	a.clampScroll()
	if p, ok := a.openedPalette(); ok {
		// The target VM may have gone (refresh what is disabled), or the
		// schema a raw command waits for may have come.
		cmds = append(cmds, a.carryOut(p.Refresh()))
	}
	cmds = append(cmds, a.armAgeTick(), a.loadFleet(true))
	return tea.Batch(cmds...)
}

// clampScroll keeps the fleet's visible window on the cursor.
func (a *app) clampScroll() {
	l := a.layout()
	a.fleet.ScrollInto(l.fleetRows().h)
}

// armAgeTick arms one redraw a second while the screen shows an age that
// grows with the clock (a VM's last known state), so the age stays true
// even when nothing in the fleet changes. Nothing ticks otherwise.
func (a *app) armAgeTick() tea.Cmd {
	if a.ageTicking || !a.showsAges() {
		return nil
	}
	a.ageTicking = true
	return a.tick(time.Second, func(time.Time) tea.Msg { return ageTickMsg{} })
}

// showsAges says whether some VM's state is shown with an age.
func (a *app) showsAges() bool {
	for i := range a.snap.VMs {
		v := &a.snap.VMs[i]
		if (v.Conn != model.ConnConnected || v.Stale) && !v.StateAt.IsZero() {
			return true
		}
	}
	return false
}
