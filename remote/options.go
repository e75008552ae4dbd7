package remote

import (
	"log/slog"
	"os"
	"path/filepath"
	"time"
)

// Options shape a Pool. Every path is injectable so tests never touch the
// machine's ~/.ssh; DefaultOptions fills them as OpenSSH would.
type Options struct {
	// ConfigFile is the ssh client config read for Host aliases, HostName,
	// User, Port, IdentityFile and UserKnownHostsFile; "" reads none.
	ConfigFile string
	// KnownHosts are the known_hosts files checked when the config names
	// none (UserKnownHostsFile); missing files are skipped.
	KnownHosts []string
	// DefaultKeys are tried after the agent and the config's IdentityFile.
	DefaultKeys []string
	// AgentSocket is the ssh-agent's socket; "" means no agent.
	AgentSocket string
	// Home is where ~ in the config's paths points.
	Home string
	// LocalUser logs in when neither the target nor the config names a user.
	LocalUser string
	// InsecureIgnoreHostKey accepts any host key. Only ever set from an
	// explicit flag, and callers must say so on screen (Pool.Insecure).
	InsecureIgnoreHostKey bool
	// ConnectTimeout bounds TCP connect plus SSH handshake (default 10 s).
	ConnectTimeout time.Duration
	// KeepAlive is how often an idle connection is probed (default 15 s);
	// KeepAliveMax unanswered probes in a row end it (default 3).
	KeepAlive    time.Duration
	KeepAliveMax int
	// BackoffMin and BackoffMax bound the wait before redialling a host
	// that could not be reached (default 1 s and 30 s, doubling).
	BackoffMin, BackoffMax time.Duration
	Logger                 *slog.Logger
	Now                    func() time.Time
}

// DefaultOptions are OpenSSH's places under the user's home: ~/.ssh/config,
// ~/.ssh/known_hosts (and known_hosts2), ~/.ssh/id_ed25519, id_ecdsa,
// id_rsa, and the agent at $SSH_AUTH_SOCK.
func DefaultOptions() Options {
	home, _ := os.UserHomeDir()
	o := HomeOptions(home)
	o.AgentSocket = os.Getenv("SSH_AUTH_SOCK")
	o.LocalUser = os.Getenv("USER")
	return o
}

// HomeOptions are the OpenSSH places under home, with no agent.
func HomeOptions(home string) Options {
	dot := filepath.Join(home, ".ssh")
	return Options{
		Home:       home,
		ConfigFile: filepath.Join(dot, "config"),
		KnownHosts: []string{filepath.Join(dot, "known_hosts"), filepath.Join(dot, "known_hosts2")},
		DefaultKeys: []string{
			filepath.Join(dot, "id_ed25519"), filepath.Join(dot, "id_ecdsa"), filepath.Join(dot, "id_rsa"),
		},
	}
}

func (o Options) withDefaults() Options {
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 10 * time.Second
	}
	if o.KeepAlive <= 0 {
		o.KeepAlive = 15 * time.Second
	}
	if o.KeepAliveMax <= 0 {
		o.KeepAliveMax = 3
	}
	if o.BackoffMin <= 0 {
		o.BackoffMin = time.Second
	}
	if o.BackoffMax <= 0 {
		o.BackoffMax = 30 * time.Second
	}
	if o.BackoffMin > o.BackoffMax {
		o.BackoffMin = o.BackoffMax
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.LocalUser == "" {
		o.LocalUser = "root"
	}
	return o
}

// backoff is the wait before attempt n (1-based) at redialling a host.
func (o Options) backoff(n int) time.Duration {
	d := o.BackoffMin
	for i := 1; i < n && d < o.BackoffMax; i++ {
		d *= 2
	}
	return min(d, o.BackoffMax)
}
