package remote

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/kevinburke/ssh_config"
)

// endpoint is a host as the ssh client config resolves it: where to
// connect, as whom, with which extra keys, checked against which files.
type endpoint struct {
	addr       string // host:port to dial, also the known_hosts name
	host       string // the resolved HostName
	port       int
	user       string
	identities []string // from IdentityFile, ~ expanded
	knownHosts []string // from UserKnownHostsFile, else Options.KnownHosts
}

// readConfig parses the ssh client config; a missing file is an empty one.
func readConfig(path string) (*ssh_config.Config, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cfg, err := ssh_config.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// resolve applies the config to a target's host: the target's own user and
// port win over the config's, as with ssh(1).
func resolve(cfg *ssh_config.Config, o Options, t Target) (endpoint, error) {
	get := func(key string) string {
		if cfg == nil {
			return ""
		}
		v, _ := cfg.Get(t.Host, key)
		return v
	}
	all := func(key string) []string {
		if cfg == nil {
			return nil
		}
		v, _ := cfg.GetAll(t.Host, key)
		return v
	}
	home := o.Home
	e := endpoint{host: t.Host, port: 22, user: o.LocalUser}
	if h := get("HostName"); h != "" {
		e.host = strings.ReplaceAll(h, "%h", t.Host)
	}
	if p := get("Port"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return endpoint{}, fmt.Errorf("ssh config: Host %s: bad Port %q", t.Host, p)
		}
		e.port = n
	}
	if t.Port != 0 {
		e.port = t.Port
	}
	if u := get("User"); u != "" {
		e.user = u
	}
	if t.User != "" {
		e.user = t.User
	}
	for _, f := range all("IdentityFile") {
		e.identities = append(e.identities, expandHome(f, home))
	}
	if k := get("UserKnownHostsFile"); k != "" {
		for _, f := range strings.Fields(k) {
			e.knownHosts = append(e.knownHosts, expandHome(f, home))
		}
	} else {
		e.knownHosts = o.KnownHosts
	}
	e.addr = net.JoinHostPort(e.host, strconv.Itoa(e.port))
	return e, nil
}

func expandHome(p, home string) string {
	if p == "~" {
		return home
	}
	if strings.HasPrefix(p, "~/") {
		return filepath.Join(home, p[2:])
	}
	return p
}
