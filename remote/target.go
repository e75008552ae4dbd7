package remote

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Scheme starts every remote target.
const Scheme = "ssh://"

// Target is one ssh://[user@]host[:port]/path: where to log in and what to
// reach there (a socket, a directory or a glob, absolute).
type Target struct {
	User string // "" means from ~/.ssh/config, else the local user
	Host string // a name, address or ~/.ssh/config Host alias
	Port int    // 0 means from ~/.ssh/config, else 22
	Path string // absolute path on the host
}

// IsTarget reports whether s is written as a remote target.
func IsTarget(s string) bool { return strings.HasPrefix(s, Scheme) }

// ParseTarget reads ssh://[user@]host[:port]/path. The path is taken as
// written (no %-decoding, so glob characters such as ? stay what they are).
func ParseTarget(s string) (Target, error) {
	if !IsTarget(s) {
		return Target{}, fmt.Errorf("target %q: want ssh://[user@]host[:port]/path", s)
	}
	rest := strings.TrimPrefix(s, Scheme)
	slash := strings.IndexByte(rest, '/')
	if slash < 0 || slash == len(rest)-1 {
		return Target{}, fmt.Errorf("target %q: no path on the host (want ssh://[user@]host[:port]/path)", s)
	}
	auth, path := rest[:slash], rest[slash:]
	var t Target
	if at := strings.LastIndexByte(auth, '@'); at >= 0 {
		t.User, auth = auth[:at], auth[at+1:]
		if t.User == "" {
			return Target{}, fmt.Errorf("target %q: empty user before @", s)
		}
	}
	host := auth
	if strings.HasPrefix(auth, "[") || strings.Count(auth, ":") == 1 {
		h, p, err := net.SplitHostPort(auth)
		if err != nil && strings.HasPrefix(auth, "[") && strings.HasSuffix(auth, "]") {
			h, p, err = strings.Trim(auth, "[]"), "", nil
		}
		if err != nil {
			return Target{}, fmt.Errorf("target %q: bad host[:port]: %v", s, err)
		}
		host = h
		if p != "" {
			n, err := strconv.Atoi(p)
			if err != nil || n < 1 || n > 65535 {
				return Target{}, fmt.Errorf("target %q: bad port %q", s, p)
			}
			t.Port = n
		}
	}
	if host == "" {
		return Target{}, fmt.Errorf("target %q: no host", s)
	}
	if strings.ContainsAny(host, " \t/") {
		return Target{}, fmt.Errorf("target %q: bad host %q", s, host)
	}
	t.Host = host
	t.Path = path
	return t, nil
}

// HostKey names the connection a target uses: targets with the same
// user, host and port share one.
func (t Target) HostKey() string {
	var b strings.Builder
	if t.User != "" {
		b.WriteString(t.User)
		b.WriteByte('@')
	}
	if strings.Contains(t.Host, ":") {
		b.WriteString("[" + t.Host + "]")
	} else {
		b.WriteString(t.Host)
	}
	if t.Port != 0 {
		b.WriteString(":" + strconv.Itoa(t.Port))
	}
	return b.String()
}

// String gives the target back in the form ParseTarget reads.
func (t Target) String() string { return Scheme + t.HostKey() + t.Path }

// WithPath is the same host with another path.
func (t Target) WithPath(p string) Target { t.Path = p; return t }
