package model

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/qmpdash/qmpdash/qmp"
	"github.com/qmpdash/qmpdash/remote"
)

// A target spec is what a user types: a socket path, unix:PATH,
// tcp:HOST:PORT, a directory (every socket inside it) or a glob. Directories
// and globs are sources that are scanned again and again, so sockets that
// appear later are picked up and ones that vanish are marked gone; what
// they find is dialled only if it is plausibly a monitor (discover.go).

// SpecKind says how a spec is resolved.
type SpecKind int

const (
	SpecMonitor       SpecKind = iota // one monitor: a socket path, unix:PATH or tcp:HOST:PORT
	SpecDir                           // every socket in a directory
	SpecGlob                          // every socket matching a pattern
	SpecRemoteMonitor                 // one monitor on an SSH host (remote.go)
	SpecRemoteScan                    // a directory or glob on an SSH host, listed there
)

// Spec is a parsed target spec.
type Spec struct {
	Kind SpecKind
	Raw  string // as given
	// Monitor for SpecMonitor; Path (dir or pattern) otherwise.
	Monitor qmp.Address
	Path    string
	// Optional marks discovery defaults: a missing directory is no error.
	Optional bool
	// Remote is the ssh:// target of the remote kinds.
	Remote remote.Target
}

// IsRemote reports whether the spec names monitors on an SSH host.
func (s Spec) IsRemote() bool { return s.Kind == SpecRemoteMonitor || s.Kind == SpecRemoteScan }

// ParseSpec reads one target spec. A path that does not exist yet is taken
// as a monitor socket (QEMU may not have created it yet).
func ParseSpec(raw string) (Spec, error) {
	if raw == "" {
		return Spec{}, errors.New("empty target")
	}
	if remote.IsTarget(raw) {
		return parseRemoteSpec(raw)
	}
	if strings.HasPrefix(raw, "unix:") || strings.HasPrefix(raw, "tcp:") {
		a, err := qmp.ParseAddress(raw)
		if err != nil {
			return Spec{}, err
		}
		return Spec{Kind: SpecMonitor, Raw: raw, Monitor: canonical(a)}, nil
	}
	if strings.ContainsAny(raw, "*?[") {
		if _, err := filepath.Match(raw, ""); err != nil {
			return Spec{}, fmt.Errorf("target %q: bad glob: %v", raw, err)
		}
		return Spec{Kind: SpecGlob, Raw: raw, Path: raw}, nil
	}
	if fi, err := os.Stat(raw); err == nil && fi.IsDir() {
		return Spec{Kind: SpecDir, Raw: raw, Path: raw}, nil
	}
	a, err := qmp.ParseAddress(raw)
	if err != nil {
		return Spec{}, err
	}
	return Spec{Kind: SpecMonitor, Raw: raw, Monitor: canonical(a)}, nil
}

// ParseSpecs parses every spec; with none it returns the discovery defaults.
func ParseSpecs(raws []string) ([]Spec, error) {
	if len(raws) == 0 {
		return DiscoverySpecs(), nil
	}
	specs := make([]Spec, 0, len(raws))
	for _, r := range raws {
		s, err := ParseSpec(r)
		if err != nil {
			return nil, err
		}
		specs = append(specs, s)
	}
	return specs, nil
}

// DiscoveryPaths are where qmpdash looks when given no target, in order.
func DiscoveryPaths() []string { return discoveryPaths(os.Getenv("XDG_RUNTIME_DIR"), "/") }

// discoveryPaths are DiscoveryPaths under root (tests use a temporary one).
func discoveryPaths(runtimeDir, root string) []string {
	var paths []string
	if runtimeDir != "" {
		paths = append(paths, filepath.Join(runtimeDir, "qemu"))
	}
	// Not libvirt's monitors: libvirt always holds them, and a monitor
	// serves one client, so they would only ever show "no greeting".
	// Proxmox's qemu-server keeps each VM's QMP socket as ID.qmp beside
	// its guest agent's ID.qga: only the .qmp ones are monitors.
	return append(paths, filepath.Join(root, "run/qemu"), filepath.Join(root, "var/run/qemu-server/*.qmp"))
}

// DiscoverySpecs are DiscoveryPaths as optional specs.
func DiscoverySpecs() []Spec { return discoverySpecs(DiscoveryPaths()) }

func discoverySpecs(paths []string) []Spec {
	var specs []Spec
	for _, p := range paths {
		kind := SpecDir
		if strings.ContainsAny(p, "*?[") {
			kind = SpecGlob
		}
		specs = append(specs, Spec{Kind: kind, Raw: p, Path: p, Optional: true})
	}
	return specs
}

// Expand lists the monitors a spec stands for now. A directory or glob
// yields only unix sockets, sorted, and of those only the ones j lets be
// dialled (discover.go); nil j judges from /proc with no log. A monitor
// named outright is always listed.
func (s Spec) Expand(j *SocketJudge) ([]qmp.Address, error) {
	if s.Kind == SpecMonitor || s.Kind == SpecRemoteMonitor {
		return []qmp.Address{s.Monitor}, nil
	}
	if s.Kind == SpecRemoteScan {
		return nil, fmt.Errorf("target %s: an ssh:// directory or glob is listed on its host (ExpandRemote)", s.Raw)
	}
	paths, err := s.sockets()
	if err != nil {
		return nil, err
	}
	if j == nil {
		j = NewSocketJudge("", nil)
	}
	var out []qmp.Address
	for _, p := range j.Filter(paths) {
		out = append(out, qmp.Address{Network: "unix", Addr: p})
	}
	return out, nil
}

// sockets lists the absolute paths of the unix sockets a directory or glob
// matches now, sorted.
func (s Spec) sockets() ([]string, error) {
	switch s.Kind {
	case SpecDir:
		entries, err := os.ReadDir(s.Path)
		if err != nil {
			if s.Optional && errors.Is(err, fs.ErrNotExist) {
				return nil, nil
			}
			return nil, fmt.Errorf("target %s: %w", s.Raw, err)
		}
		var out []string
		for _, e := range entries {
			if e.Type()&fs.ModeSocket != 0 {
				out = append(out, absPath(filepath.Join(s.Path, e.Name())))
			}
		}
		return out, nil
	case SpecGlob:
		matches, err := filepath.Glob(s.Path)
		if err != nil {
			return nil, fmt.Errorf("target %s: %w", s.Raw, err)
		}
		sort.Strings(matches)
		var out []string
		for _, m := range matches {
			if fi, err := os.Stat(m); err == nil && fi.Mode()&fs.ModeSocket != 0 {
				out = append(out, absPath(m))
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("target %s: unknown kind", s.Raw)
}

// ExpandSpecs resolves every spec once, dropping duplicates, in order,
// judging discovered sockets with j (nil: from /proc, no log).
func ExpandSpecs(specs []Spec, j *SocketJudge) ([]qmp.Address, error) {
	if j == nil {
		j = NewSocketJudge("", nil)
	}
	seen := map[string]bool{}
	var out []qmp.Address
	for _, s := range specs {
		addrs, err := s.Expand(j)
		if err != nil {
			return nil, err
		}
		for _, a := range addrs {
			if !seen[a.String()] {
				seen[a.String()] = true
				out = append(out, a)
			}
		}
	}
	return out, nil
}

// absPath makes a path absolute so one socket has one ID.
func absPath(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}

// canonical makes unix paths absolute so one socket has one ID.
func canonical(a qmp.Address) qmp.Address {
	if a.Network == "unix" {
		a.Addr = absPath(a.Addr)
	}
	return a
}

// fallbackName names a VM started without -name after its socket file.
func fallbackName(a qmp.Address) string {
	if a.Network == "ssh" {
		base := path.Base(a.Addr)
		return strings.TrimSuffix(base, path.Ext(base))
	}
	if a.Network != "unix" {
		return a.Addr
	}
	base := filepath.Base(a.Addr)
	return strings.TrimSuffix(base, filepath.Ext(base))
}

// SameMonitor reports whether two addresses name the same monitor.
func SameMonitor(a, b qmp.Address) bool {
	return canonical(a) == canonical(b)
}

// MonitorID is the ID the fleet gives the monitor target names (one
// monitor: a socket path, unix:PATH or tcp:HOST:PORT), so settings keyed
// by target (the config's [agents]) find their VM.
func MonitorID(target string) (string, error) {
	s, err := ParseSpec(target)
	if err != nil {
		return "", err
	}
	if s.Kind != SpecMonitor {
		return "", fmt.Errorf("%s is a directory or glob, not one monitor", target)
	}
	return s.Monitor.String(), nil
}

// AgentSocketsByID keys agent sockets named per target by the monitors'
// IDs (Config.AgentSockets); relative socket paths are made absolute.
func AgentSocketsByID(byTarget map[string]string) (map[string]string, error) {
	if len(byTarget) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(byTarget))
	for t, sock := range byTarget {
		id, err := MonitorID(t)
		if err != nil {
			return nil, err
		}
		out[id] = absPath(sock)
	}
	return out, nil
}
