package model

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/qmpdash/qmpdash/qmp"
)

// Watch adds every monitor the specs stand for now and, while ctx lives,
// rescans directories and globs: a socket that appears is added, one that
// goes away is marked gone (and revived if it comes back), and one replaced
// by a new QEMU (same path, new file) is connected at once. The first scan is
// synchronous so its errors (an unreadable directory named by the user)
// reach the caller.
//
// An ssh:// directory or glob is listed on its host at each scan; a host
// that cannot be reached is no error here (its state is in the snapshot),
// and the VMs found on it before are kept, not marked gone.
func (f *Fleet) Watch(ctx context.Context, specs []Spec) error {
	var scanned []Spec
	for _, s := range specs {
		if s.Kind == SpecRemoteScan {
			scanned = append(scanned, s)
			continue
		}
		addrs, err := s.Expand(f.judge)
		if err != nil {
			return err
		}
		if s.Kind != SpecMonitor {
			scanned = append(scanned, s)
			continue
		}
		for _, a := range addrs {
			f.Add(a)
		}
	}
	if len(scanned) == 0 {
		return nil
	}
	if err := f.rescan(ctx, scanned); err != nil {
		return err
	}
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		f.rescanLoop(ctx, scanned)
	}()
	return nil
}

func (f *Fleet) rescanLoop(ctx context.Context, specs []Spec) {
	t := time.NewTicker(f.cfg.ScanInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := f.rescan(ctx, specs); err != nil {
				f.cfg.Logger.Warn("qmpdash: rescan failed", "err", err)
			}
		}
	}
}

// DefaultGoneGrace is how long a discovered VM whose socket went stays in
// the fleet, marked gone: long enough to see that it went (and for a
// restarting QEMU to come back as the same row), short enough that a host
// whose VMs come and go does not accumulate them.
const DefaultGoneGrace = time.Minute

// rescan reconciles the fleet with what the specs list now. Only VMs that a
// scanned spec found are ever marked gone; monitors named outright stay.
// A local spec that fails stops the scan (nothing is marked gone on a
// transient error); a remote one that fails keeps its host's VMs as they
// are. Remote hosts are listed at once, each bounded by the poll timeout.
// A VM gone for GoneGrace is forgotten: its goroutines end and it leaves
// every snapshot (so the dashboard, status and the exporter drop it alike);
// if its socket comes back later it is added afresh.
func (f *Fleet) rescan(ctx context.Context, specs []Spec) error {
	defer f.scans.Add(1)
	present := map[string]bool{}
	listed := f.listRemote(ctx, specs)
	keepHosts := map[string]bool{}
	unchanged := map[string]bool{} // sockets in directories that did not change
	if f.dirs == nil {
		f.dirs = map[string]*dirListing{}
	}
	for i, s := range specs {
		addrs, err := listed[i].addrs, listed[i].err
		switch s.Kind {
		case SpecRemoteScan:
		case SpecDir:
			var same bool
			addrs, f.dirs[s.Path], same, err = expandDir(s, f.judge, f.dirs[s.Path], time.Now())
			for _, a := range addrs {
				if same {
					unchanged[a.String()] = true
				}
			}
		default:
			addrs, err = s.Expand(f.judge)
		}
		if err != nil && s.IsRemote() {
			f.cfg.Logger.Info("qmpdash: remote listing failed", "target", s.Raw, "err", err)
			keepHosts[s.Remote.HostKey()] = true
			continue
		}
		if err != nil {
			return err // don't mark everything gone on a transient error
		}
		for _, a := range addrs {
			present[f.Add(a)] = true
		}
	}
	socks := make(map[string]socketID, len(present))
	for id := range present {
		if unchanged[id] {
			continue // the same file as last time: its member's sock stands
		}
		if a, err := qmp.ParseAddress(id); err == nil && a.Network == "unix" {
			socks[id] = statSocket(a.Addr)
		}
	}
	now := time.Now()
	f.mu.Lock()
	var gone []*vmWatcher
	for id, m := range f.vms {
		if keepHosts[m.published.RemoteHost] {
			if !m.goneSince.IsZero() {
				m.goneSince = now // its host could not be listed: that time is not "gone"
			}
			continue
		}
		if !m.scanned || present[id] {
			continue
		}
		if m.goneSince.IsZero() {
			m.goneSince = now
		}
		if now.Sub(m.goneSince) >= f.cfg.GoneGrace {
			f.forgetLocked(id, m)
			continue
		}
		gone = append(gone, m.w)
	}
	var back []*vmWatcher
	for id := range present {
		m := f.vms[id]
		m.goneSince = time.Time{}
		if !m.scanned {
			m.scanned = true
			m.w.scanned.Store(true)
		}
		// A socket replaced since the last scan is a new QEMU: connect
		// now rather than when the backoff runs out.
		if unchanged[id] && m.sock.ok {
			continue
		}
		sock := socks[id]
		if unchanged[id] {
			sock = statSocket(m.w.addr.Addr) // first seen in a directory listed before
		}
		if sock.ok && m.sock.ok && sock != m.sock {
			back = append(back, m.w)
		}
		m.sock = sock
	}
	f.mu.Unlock()
	for _, v := range back {
		v.kick()
	}
	for _, v := range gone {
		v.markGone()
	}
	return nil
}

type listing struct {
	addrs []qmp.Address
	err   error
}

// listRemote runs every remote scan spec's listing at once, each within
// the poll timeout; the i-th result is specs[i]'s (empty for local ones).
func (f *Fleet) listRemote(ctx context.Context, specs []Spec) []listing {
	out := make([]listing, len(specs))
	var wg sync.WaitGroup
	for i, s := range specs {
		if s.Kind != SpecRemoteScan {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			lctx, cancel := context.WithTimeout(ctx, f.cfg.Timeout)
			defer cancel()
			out[i].addrs, out[i].err = ExpandRemote(lctx, f.pool, s)
		}()
	}
	wg.Wait()
	return out
}

// forgetLocked drops a member from the fleet and ends its goroutines (the
// fleet's WaitGroup still waits for them on shutdown).
func (f *Fleet) forgetLocked(id string, m *member) {
	delete(f.vms, id)
	f.forgottenLost += m.w.eventsLost() // the fleet's count of lost events never goes back
	f.order = slices.DeleteFunc(f.order, func(o *member) bool { return o == m })
	if m.stop != nil {
		m.stop()
	}
	f.cfg.Logger.Info("qmpdash: discovered VM forgotten: its socket has been gone", "vm", id, "for", f.cfg.GoneGrace)
	f.touchLocked()
}
