package model

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"time"

	"github.com/qmpdash/qmpdash/qmp"
)

// The guest agent poller: one goroutine per VM beside the monitor's, so a
// silent agent never holds up the monitor's poll. It asks slowly
// (Config.AgentInterval, default 10 s), backs off while the agent does not
// answer, and does not ask at all while the VM's monitor says the port is
// closed. Its result reaches readers through Fleet.Snapshot, which lays
// the latest Guest over the VM's snapshot.

// DefaultAgentInterval is how often a guest agent is asked.
const DefaultAgentInterval = 10 * time.Second

// agentMaxBackoff caps the wait between tries of an agent that does not
// answer.
const agentMaxBackoff = 2 * time.Minute

// Port states the monitor's watcher stores for the guest poller.
const (
	portUnknown int32 = iota
	portOpen
	portClosed
)

// agentPort is what the VM's chardevs say of the port of the agent at
// path: the monitor's watcher notes it, the guest poller reads it, and
// reads it only for the path it is about to use.
type agentPort struct {
	path  string
	state int32
}

// guestTimeout bounds each exchange with the agent: short, since a guest
// with no agent running accepts the connection and never answers.
func (env watcherEnv) guestTimeout() time.Duration { return min(env.timeout, 2*time.Second) }

// runGuest polls the agent at static (from the config), else at the
// NAME.qga socket beside the monitor's, else at the socket the VM's own
// QOM names (guestfind.go), until ctx ends. It publishes only what
// changed: a round that finds the same facts publishes nothing (no redraw
// every AgentInterval), so a published Guest's Since says since when its
// facts have been what they are, and At the last good answer before it
// was published (guest.go).
func (v *vmWatcher) runGuest(ctx context.Context, every time.Duration) {
	var a *qmp.Agent
	drop := func() {
		if a != nil {
			v.liveAgent.Store(nil)
			a.Close()
			a = nil
		}
	}
	defer drop()
	var g, shown Guest
	published := false
	fails := 0
	for {
		path := v.agentSocket()
		v.agentPath.Store(&path)
		wait := every
		now := v.env.now()
		switch {
		case path == "":
			drop()
			g = Guest{State: GuestNone}
		case v.portClosed(path):
			drop()
			if g.State != GuestNotAnswering || !g.PortClosed || g.Socket != path {
				g = notAnswering(g, now)
			}
			g.Socket, g.PortClosed, g.Error = path, true, ErrorInfo{}
		default:
			if g.Socket != path {
				drop()
				g = Guest{State: GuestChecking, Socket: path}
				v.setGuest(g)
				shown, published = g, true
			}
			var err error
			if a == nil {
				if a, err = v.dialAgent(ctx, path); err == nil {
					v.liveAgent.Store(a)
				}
			}
			if err == nil {
				var facts Guest
				facts, err = v.askGuest(ctx, a)
				if err == nil {
					fails = 0
					at := v.env.now()
					facts.State, facts.Socket, facts.At, facts.Since = GuestOK, path, at, at
					if g.State == GuestOK && sameGuest(g, facts) {
						facts.Since = g.Since
					}
					g = facts
				}
			}
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				drop()
				fails++
				if g.State != GuestNotAnswering || g.PortClosed {
					g = notAnswering(g, now)
				}
				g.Socket, g.PortClosed, g.Error = path, false, NewErrorInfo(err, now)
				wait = min(every<<min(fails-1, 4), max(agentMaxBackoff, every))
			}
		}
		if !published || !sameGuest(g, shown) {
			v.setGuest(g)
			shown, published = g, true
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-v.guestKick:
		case <-t.C:
		}
		t.Stop()
	}
}

// portClosed says whether the VM's monitor says the guest has not
// opened the port of the agent at path.
func (v *vmWatcher) portClosed(path string) bool {
	p := v.agentPort.Load()
	return p != nil && p.path == path && p.state == portClosed
}

// agentSocket is where the VM's agent is: named in the config, else
// NAME.qga beside a unix monitor socket, else the unix socket the VM's
// QOM names (only for a local VM: a remote VM's paths are not ours).
func (v *vmWatcher) agentSocket() string {
	if v.agentStatic != "" || v.addr.Network != "unix" {
		return v.agentStatic
	}
	if p := AgentBeside(v.addr.Addr); p != "" {
		return p
	}
	if p := v.vmAgentPath.Load(); p != nil {
		return *p
	}
	return ""
}

// askGuest is one round of questions, in the poller's turn on the
// connection: a command sent through the fleet (ExecuteAgent) waits for
// the round to end rather than making its questions wait past their
// deadlines (guest-shutdown holds the agent a couple of seconds).
func (v *vmWatcher) askGuest(ctx context.Context, a *qmp.Agent) (Guest, error) {
	select {
	case v.agentTurn <- struct{}{}:
	case <-ctx.Done():
		return Guest{}, ctx.Err()
	}
	defer func() { <-v.agentTurn }()
	return v.env.guestFacts(ctx, a)
}

// setGuest publishes a copy of g (the poller goes on changing its own).
func (v *vmWatcher) setGuest(g Guest) {
	v.guest.Store(&g)
	v.env.changed()
}

// sameGuest says whether publishing b instead of a would show anything
// new: the state, the socket, the reason and every fact, but not the
// time of the last good answer nor of the error (which move every round).
func sameGuest(a, b Guest) bool {
	a.At, b.At = time.Time{}, time.Time{}
	a.Error.Time, b.Error.Time = time.Time{}, time.Time{}
	if a.State == GuestOK && b.State == GuestOK {
		a.Since, b.Since = time.Time{}, time.Time{}
	}
	return reflect.DeepEqual(a, b)
}

// notAnswering keeps the last facts (readers may show them as old) but
// starts the "since" clock.
func notAnswering(g Guest, now time.Time) Guest {
	g.State, g.Since = GuestNotAnswering, now
	return g
}

func (v *vmWatcher) dialAgent(ctx context.Context, path string) (*qmp.Agent, error) {
	ctx, cancel := context.WithTimeout(ctx, v.env.guestTimeout())
	defer cancel()
	return qmp.DialAgent(ctx, path, qmp.WithLogger(v.env.logger))
}

// guestFacts pings (short timeout), then asks every fact; a command the
// agent lacks or refuses leaves its fact empty. A timeout or a lost
// connection fails the whole round.
func (env watcherEnv) guestFacts(ctx context.Context, a *qmp.Agent) (Guest, error) {
	var g Guest
	ask := func(f func(ctx context.Context) error) error {
		cctx, cancel := context.WithTimeout(ctx, env.guestTimeout())
		defer cancel()
		err := f(cctx)
		if _, isResp := err.(*qmp.ResponseError); isResp {
			return nil // missing, disabled or failing in the guest: unknown
		}
		return err
	}
	steps := []func(ctx context.Context) error{
		a.Ping,
		func(ctx context.Context) error {
			info, err := a.Info(ctx)
			g.AgentVersion = info.Version
			return err
		},
		func(ctx context.Context) error {
			o, err := a.OSInfo(ctx)
			g.OSName = cmp.Or(o.PrettyName, joinNonEmpty(o.Name, o.Version))
			g.Kernel = o.KernelRelease
			return err
		},
		func(ctx context.Context) (err error) { g.HostName, err = a.HostName(ctx); return err },
		func(ctx context.Context) error {
			tz, err := a.Timezone(ctx)
			if err == nil {
				g.Timezone = cmp.Or(tz.Zone, utcOffset(tz.Offset))
			}
			return err
		},
		func(ctx context.Context) error {
			ifs, err := a.Interfaces(ctx)
			g.Interfaces = guestInterfaces(ifs)
			g.IP = g.FirstIP()
			return err
		},
		func(ctx context.Context) error {
			fss, err := a.Filesystems(ctx)
			g.Filesystems = guestFilesystems(fss)
			return err
		},
		func(ctx context.Context) error {
			us, err := a.Users(ctx)
			if err == nil {
				g.Users, g.UsersKnown = guestUsers(us), true
			}
			return err
		},
	}
	for _, step := range steps {
		if err := ask(step); err != nil {
			return Guest{}, err
		}
	}
	return g, nil
}

func joinNonEmpty(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + " " + b
}

// utcOffset is seconds east of UTC as "+hh:mm".
func utcOffset(sec int) string {
	sign := '+'
	if sec < 0 {
		sign, sec = '-', -sec
	}
	return fmt.Sprintf("UTC%c%02d:%02d", sign, sec/3600, sec%3600/60)
}

func guestInterfaces(in []qmp.GuestInterface) []GuestInterface {
	out := make([]GuestInterface, 0, min(len(in), maxGuestInterfaces))
	for _, i := range in[:min(len(in), maxGuestInterfaces)] {
		gi := GuestInterface{Name: i.Name, MAC: i.HardwareAddress}
		for _, ad := range i.IPAddresses[:min(len(i.IPAddresses), maxGuestAddresses)] {
			gi.Addresses = append(gi.Addresses, fmt.Sprintf("%s/%d", ad.Address, ad.Prefix))
		}
		out = append(out, gi)
	}
	return out
}

func guestFilesystems(in []qmp.GuestFilesystem) []GuestFilesystem {
	out := make([]GuestFilesystem, 0, min(len(in), maxGuestFilesystems))
	for _, f := range in[:min(len(in), maxGuestFilesystems)] {
		gf := GuestFilesystem{Mountpoint: f.Mountpoint, Type: f.Type}
		if f.UsedBytes != nil && f.TotalBytes != nil {
			gf.Used, gf.Total, gf.Sized = *f.UsedBytes, *f.TotalBytes, true
		}
		out = append(out, gf)
	}
	return out
}

func guestUsers(in []qmp.GuestUser) []GuestUser {
	out := make([]GuestUser, 0, min(len(in), maxGuestUsers))
	for _, u := range in[:min(len(in), maxGuestUsers)] {
		sec := int64(u.LoginTime)
		out = append(out, GuestUser{Name: u.User, Domain: u.Domain,
			Login: time.Unix(sec, int64((u.LoginTime-float64(sec))*1e9))})
	}
	return out
}

// notePort records what the VM's chardevs say of the agent's port, for
// the guest poller; called from publish. A change (of the port's state,
// or of where the agent is) wakes it: an agent that opened the port is
// asked at once, a closed port stops the asking, and an agent found
// through QOM is looked at with its port's state already known.
func (v *vmWatcher) notePort() {
	p := agentPort{path: v.notedAgentSocket(), state: portUnknown}
	if p.path != "" && v.cur.Conn == ConnConnected {
		if open, known := agentPortOpen(v.cur.Chardevs, p.path); known {
			p.state = portClosed
			if open {
				p.state = portOpen
			}
		}
	}
	if p != v.portNoted {
		v.portNoted = p
		v.agentPort.Store(&p)
		v.poke(v.guestKick)
	}
}

// notedAgentSocket is the agent socket notePort looks at: the one the
// poller uses, else the one it will use once the VM's QOM has named it.
// It does not look for NAME.qga (a stat on every publish, which can be
// many a second in an event storm): the poller does, each round.
func (v *vmWatcher) notedAgentSocket() string {
	if p := v.agentPath.Load(); p != nil && *p != "" {
		return *p
	}
	if v.agentStatic != "" || v.addr.Network != "unix" {
		return v.agentStatic
	}
	if p := v.vmAgentPath.Load(); p != nil {
		return *p
	}
	return ""
}
