package model

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path"
	"strings"
	"time"

	"github.com/qmpdash/qmpdash/qmp"
	"github.com/qmpdash/qmpdash/remote"
)

// Remote targets, ssh://[user@]host[:port]/path: the path is a socket, a
// directory or a glob on that host. A path named like a monitor (*.qmp,
// *.sock) with no glob is one monitor, always watched, like a local socket
// named outright. Anything else is listed on the host by one command per
// scan (remoteListCommand), and what it finds is dialled only when named
// like a monitor: the remote /proc is not read to judge sockets, so the
// name rule (discover.go's byName) is the whole judgement.

// ParseRemoteSpec reads an ssh:// target spec.
func parseRemoteSpec(raw string) (Spec, error) {
	t, err := remote.ParseTarget(raw)
	if err != nil {
		return Spec{}, err
	}
	if strings.ContainsFunc(t.Path, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return Spec{}, fmt.Errorf("target %q: control characters in the path", raw)
	}
	s := Spec{Raw: raw, Remote: t}
	if !hasGlob(t.Path) && !strings.HasSuffix(t.Path, "/") && MonitorLikeName(t.Path) {
		s.Kind = SpecRemoteMonitor
		s.Monitor = remoteAddress(t)
		return s, nil
	}
	s.Kind, s.Path = SpecRemoteScan, t.Path
	return s, nil
}

func hasGlob(p string) bool { return strings.ContainsAny(p, "*?[") }

// remoteAddress is the monitor address (and so the VM ID) of a target.
func remoteAddress(t remote.Target) qmp.Address {
	return qmp.Address{Network: "ssh", Addr: strings.TrimPrefix(t.String(), remote.Scheme)}
}

// RemoteHostOf is the [user@]host[:port] an ssh address is on; "" for a
// local one.
func RemoteHostOf(a qmp.Address) string {
	if a.Network != "ssh" {
		return ""
	}
	t, err := remote.ParseTarget(a.String())
	if err != nil {
		return ""
	}
	return t.HostKey()
}

// RemoteDialer opens ssh:// addresses over pool, for qmp.WithDialer.
func RemoteDialer(pool *remote.Pool) qmp.Dialer {
	return func(ctx context.Context, a qmp.Address) (net.Conn, error) {
		t, err := remote.ParseTarget(a.String())
		if err != nil {
			return nil, err
		}
		return pool.Dial(ctx, t)
	}
}

// DialMonitor dials any target a command takes, ssh:// ones over pool (nil
// refuses them).
func DialMonitor(ctx context.Context, pool *remote.Pool, target string, opts ...qmp.Option) (*qmp.Client, error) {
	if remote.IsTarget(target) {
		if pool == nil {
			return nil, errors.New("ssh:// targets need an SSH pool")
		}
		opts = append(opts, qmp.WithDialer(RemoteDialer(pool)))
	}
	return qmp.Dial(ctx, target, opts...)
}

// remoteListCommand is the one shell command that lists a remote scan
// spec's sockets: for a directory, "dir" then the sockets in it; for
// anything else, "glob" then the sockets the pattern (or plain path)
// matches. It always exits 0 when the shell runs.
func remoteListCommand(p string) string {
	var b strings.Builder
	b.WriteString("p=")
	b.WriteString(shellQuote(strings.TrimSuffix(p, "/")))
	if p == "/" {
		b.Reset()
		b.WriteString("p=/")
	}
	b.WriteString(`; if [ -d "$p" ] && [ ! -S "$p" ]; then echo dir; for f in "$p"/*; do [ -S "$f" ] && printf '%s\n' "$f"; done; else echo glob; for f in `)
	b.WriteString(shellGlob(p))
	b.WriteString(`; do [ -S "$f" ] && printf '%s\n' "$f"; done; fi; exit 0`)
	return b.String()
}

// shellQuote quotes s as one sh word.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// shellGlob escapes every character of a pattern except the glob ones, so
// sh expands the pattern and nothing else.
func shellGlob(p string) string {
	var b strings.Builder
	for _, r := range p {
		switch {
		case strings.ContainsRune("*?[]", r):
			b.WriteRune(r)
		case r == '/' || r == '.' || r == '_' || r == '-' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9'):
			b.WriteRune(r)
		default:
			b.WriteByte('\\')
			b.WriteRune(r)
		}
	}
	return b.String()
}

// parseRemoteListing reads remoteListCommand's output: the monitors it may
// dial, in order. A socket found by a directory or pattern is kept only
// when named like a monitor; a plain path the user named is kept as is.
func parseRemoteListing(t remote.Target, out []byte) ([]qmp.Address, error) {
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) == 0 || (lines[0] != "dir" && lines[0] != "glob") {
		return nil, fmt.Errorf("unexpected listing from %s: %q", t.HostKey(), clipText(string(out), 80))
	}
	named := lines[0] == "glob" && !hasGlob(t.Path)
	var addrs []qmp.Address
	for _, l := range lines[1:] {
		if l == "" || !path.IsAbs(l) {
			continue
		}
		if !named && !MonitorLikeName(l) {
			continue
		}
		addrs = append(addrs, remoteAddress(t.WithPath(path.Clean(l))))
	}
	return addrs, nil
}

func clipText(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// ExpandRemote lists the monitors a remote spec stands for now, asking the
// host when it is a scan spec.
func ExpandRemote(ctx context.Context, pool *remote.Pool, s Spec) ([]qmp.Address, error) {
	switch s.Kind {
	case SpecRemoteMonitor:
		return []qmp.Address{s.Monitor}, nil
	case SpecRemoteScan:
		if pool == nil {
			return nil, fmt.Errorf("target %s: ssh:// targets need an SSH pool", s.Raw)
		}
		out, err := pool.Run(ctx, s.Remote, remoteListCommand(s.Remote.Path))
		if err != nil {
			return nil, fmt.Errorf("target %s: listing on the host: %w", s.Raw, err)
		}
		return parseRemoteListing(s.Remote, out)
	}
	return nil, fmt.Errorf("target %s: not an ssh:// target", s.Raw)
}

// RemoteHost is one SSH host's connection as readers see it.
type RemoteHost struct {
	Name     string // [user@]host[:port] as the targets name it
	Addr     string // host:port after ~/.ssh/config
	State    string // idle, connecting, up, down
	Since    time.Time
	Error    ErrorInfo
	Attempt  int
	RetryAt  time.Time
	Channels int // monitor connections over it
}

// Up reports whether the connection is logged in.
func (h RemoteHost) Up() bool { return h.State == remote.HostUp.String() }

func remoteHosts(pool *remote.Pool) []RemoteHost {
	if pool == nil {
		return nil
	}
	var out []RemoteHost
	for _, h := range pool.Hosts() {
		out = append(out, RemoteHost{
			Name: h.Name, Addr: h.Addr, State: h.State.String(), Since: h.Since,
			Error: NewErrorInfo(h.Err, h.Since), Attempt: h.Attempt, RetryAt: h.RetryAt, Channels: h.Channels,
		})
	}
	return out
}
