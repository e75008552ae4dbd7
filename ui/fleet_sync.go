package ui

import (
	tea "charm.land/bubbletea/v2"
)

// Following the fleet: one command waits on Source.Changed, takes a
// snapshot and the new events, and is re-armed each time its message is
// applied (the shape of Bubble Tea's realtime example).

// loadFleet returns the command that (after waiting for a change, unless
// this is the first load) takes a snapshot and the new events. It is the
// only thing that waits on the fleet, and Update re-arms it after each
// fleetMsg, so exactly one is outstanding.
func (a *app) loadFleet(wait bool) tea.Cmd {
	if wait && a.manualFleet {
		return nil
	}
	src, ctx, seq := a.src, a.ctx, a.lastSeq
	ch := src.Changed()
	return func() tea.Msg {
		if wait {
			select {
			case _, ok := <-ch:
				if !ok {
					return fleetClosedMsg{}
				}
			case <-ctx.Done():
				return nil
			}
		}
		return fleetMsg{snap: src.Snapshot(), events: src.EventsSince(seq), dropped: src.EventsDropped()}
	}
}

// applyFleet takes in a new snapshot and its events.
func (a *app) applyFleet(m fleetMsg) tea.Cmd {
	var cmds []tea.Cmd
	a.snap, a.haveSnap = m.snap, true
	if a.pendingInterval > 0 && m.snap.Interval == a.pendingInterval {
		a.pendingInterval = 0
	}
	a.counts = countStates(m.snap.VMs)
	clear(a.names)
	seen := make(map[string]bool, len(m.snap.VMs))
	for i := range m.snap.VMs {
		v := &m.snap.VMs[i]
		a.names[v.ID] = displayName(v)
		seen[v.ID] = true
		// A VM's new error (e.g. its connection failing) goes to the
		// status bar just like a command's.
		if prev := a.lastErrs[v.ID]; v.LastError != prev {
			a.lastErrs[v.ID] = v.LastError
			if !v.LastError.IsZero() {
				cmds = append(cmds, a.showError(a.names[v.ID], v.LastError))
			}
		}
	}
	for id := range a.lastErrs {
		if !seen[id] {
			delete(a.lastErrs, id)
		}
	}
	if a.fleet.selID == "" && len(m.snap.VMs) > 0 {
		a.fleet.selID = m.snap.VMs[0].ID
	}
	a.fleet.refresh(m.snap.VMs)
	a.fleet.rows.prune(m.snap.VMs)
	if len(m.events) > 0 {
		a.lastSeq = m.events[len(m.events)-1].Seq
		shown := a.events.add(m.events, a.fleet.selID)
		if a.events.scroll > 0 {
			a.events.scroll += shown // stay on the lines being read
		}
	}
	a.events.dropped = m.dropped
	a.clampScroll()
	if a.pal.open && a.pal.stage == palList {
		a.filterPalette() // the target VM may have gone: refresh what is disabled
	}
	cmds = append(cmds, a.loadFleet(true))
	return tea.Batch(cmds...)
}

// clampScroll keeps the fleet's visible window on the cursor.
func (a *app) clampScroll() {
	l := a.layout()
	a.fleet.scrollInto(l.fleetRows().h)
}
