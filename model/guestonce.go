package model

import (
	"context"
	"time"

	"github.com/qmpdash/qmpdash/qmp"
)

// One round of what the guest poller does, for one-shot commands (qmpdash
// status): find the VM's agent as the poller would, and ask it once, all
// within ctx, on the caller's monitor connection.

// AskGuest finds the agent of the VM behind c (whose monitor is at
// monitor): static when the config names one, else NAME.qga beside a
// unix monitor, else the unix socket the VM's QOM names. When the VM's
// monitor says the guest has not opened the port, the agent is not asked
// (GuestNotAnswering, PortClosed). Otherwise one round of questions,
// each bounded by min(timeout, 2 s) and the whole by ctx. GuestNone when
// no channel is known.
func AskGuest(ctx context.Context, c *qmp.Client, monitor qmp.Address, static string, timeout time.Duration) Guest {
	if monitor.Network == "ssh" {
		return Guest{State: GuestNone} // an agent socket on another host is not reachable from here
	}
	env := watcherEnv{timeout: timeout, now: time.Now}
	local := monitor.Network == "unix"
	path := static
	if path == "" && local {
		path = AgentBeside(monitor.Addr)
	}
	var chardevs []qmp.ChardevInfo
	if local || path != "" {
		chardevs, _ = c.QueryChardev(ctx) // unknown port state: the agent is asked
	}
	if path == "" && local {
		if ch, ok, err := FindAgent(ctx, c, chardevs); err == nil && ok {
			path = ch.Path
		}
	}
	if path == "" {
		return Guest{State: GuestNone}
	}
	now := env.now()
	cds := make([]Chardev, len(chardevs))
	for i, cd := range chardevs {
		cds[i] = Chardev{Label: cd.Label, Filename: cd.Filename, FrontendOpen: cd.FrontendOpen}
	}
	if open, known := agentPortOpen(cds, path); known && !open {
		return Guest{State: GuestNotAnswering, Socket: path, Since: now, PortClosed: true}
	}
	dctx, cancel := context.WithTimeout(ctx, env.guestTimeout())
	a, err := qmp.DialAgent(dctx, path)
	cancel()
	if err == nil {
		defer a.Close()
		var g Guest
		if g, err = env.guestFacts(ctx, a); err == nil {
			at := env.now()
			g.State, g.Socket, g.At, g.Since = GuestOK, path, at, at
			return g
		}
	}
	return Guest{State: GuestNotAnswering, Socket: path, Since: now, Error: NewErrorInfo(err, env.now())}
}
