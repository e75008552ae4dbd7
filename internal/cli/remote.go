package cli

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/qmpdash/qmpdash/internal/config"
	"github.com/qmpdash/qmpdash/remote"
)

// The flags and wiring of ssh:// targets (package remote): the one SSH
// pool a command's monitors share, --host picking [hosts.NAME] tables of
// the config file, and the explicit, loudly warned opt-out of host key
// checking.

const (
	flagInsecureHostKey = "insecure-ignore-host-key"
	flagHost            = "host"
)

// insecureWarning is said on stderr and kept on screen while host keys go
// unchecked.
const insecureWarning = "--insecure-ignore-host-key: SSH host keys are NOT checked; anyone on the network path can pose as the host"

// remoteFlags adds the flags of ssh:// targets to a command's set.
func remoteFlags(fs *flag.FlagSet) {
	fs.Bool(flagInsecureHostKey, false, "accept any SSH host key (unsafe: for throwaway test hosts only; warned on screen)")
	fs.String(flagHost, "", "watch the `NAMES` (comma-separated) of the config file's [hosts.NAME] tables over SSH")
}

func flagValue[T any](fs *flag.FlagSet, name string) T {
	var zero T
	f := fs.Lookup(name)
	if f == nil {
		return zero
	}
	if g, ok := f.Value.(flag.Getter); ok {
		if v, ok := g.Get().(T); ok {
			return v
		}
	}
	return zero
}

// applyHosts puts the ssh:// targets of --host's tables in front of the
// targets named on the command line; with --host, the file's own targets
// are not watched.
func applyHosts(fs *flag.FlagSet, set config.Settings) (config.Settings, error) {
	names := flagValue[string](fs, flagHost)
	if names == "" {
		return set, nil
	}
	var list []string
	for _, n := range strings.Split(names, ",") {
		if n = strings.TrimSpace(n); n != "" {
			list = append(list, n)
		}
	}
	targets, err := set.HostTargets(list)
	if err != nil {
		return set, usagef("%s: --host: %v", fs.Name(), err)
	}
	if set.Targets.Source == config.Flag {
		targets = append(targets, set.Targets.Value...)
	}
	set.Targets = config.From(targets, config.Flag)
	return set, nil
}

// newRemotePool is the SSH pool for a command's ssh:// targets: OpenSSH's
// files under the user's home and $SSH_AUTH_SOCK, the command's timeout
// for connecting. With --insecure-ignore-host-key it says so on stderr.
func newRemotePool(fs *flag.FlagSet, set config.Settings, logger *slog.Logger, stderr io.Writer) *remote.Pool {
	o := remote.DefaultOptions()
	o.Logger = logger
	o.ConnectTimeout = set.Timeout.Value
	if flagValue[bool](fs, flagInsecureHostKey) {
		o.InsecureIgnoreHostKey = true
		fmt.Fprintf(stderr, "qmpdash: WARNING: %s\n", insecureWarning)
	}
	return remote.NewPool(o)
}
