package remote

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// keyring is what a login may offer, in OpenSSH's order: the agent's keys,
// then the config's IdentityFile keys, then the default key files. Keys
// that need a passphrase are not offered (qmpdash never asks for one) but
// remembered, so a failed login can say to add them to the agent.
type keyring struct {
	signers    []ssh.Signer
	locked     []string // key files that need a passphrase
	agentErr   error    // the agent could not be used
	agentConn  net.Conn
	unreadable []string // key files that exist and could not be parsed
}

func loadKeys(o Options, e endpoint) *keyring {
	k := &keyring{}
	if o.AgentSocket != "" {
		c, err := net.DialTimeout("unix", o.AgentSocket, o.ConnectTimeout)
		if err != nil {
			k.agentErr = err
		} else {
			// An agent that never answers must not hold the login (and
			// with it the pool's Close) for ever: it gets the connect's
			// time, signing during the handshake included.
			_ = c.SetDeadline(time.Now().Add(o.ConnectTimeout))
			signers, err := agent.NewClient(c).Signers()
			if err != nil {
				c.Close()
				k.agentErr = err
			} else {
				k.agentConn = c
				k.signers = append(k.signers, signers...)
			}
		}
	}
	seen := map[string]bool{}
	for _, f := range append(append([]string(nil), e.identities...), o.DefaultKeys...) {
		if seen[f] {
			continue
		}
		seen[f] = true
		b, err := os.ReadFile(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			k.unreadable = append(k.unreadable, fmt.Sprintf("%s (%v)", f, err))
			continue
		}
		s, err := ssh.ParsePrivateKey(b)
		var pm *ssh.PassphraseMissingError
		switch {
		case errors.As(err, &pm):
			k.locked = append(k.locked, f)
		case err != nil:
			k.unreadable = append(k.unreadable, fmt.Sprintf("%s (%v)", f, err))
		default:
			k.signers = append(k.signers, s)
		}
	}
	return k
}

func (k *keyring) close() {
	if k.agentConn != nil {
		k.agentConn.Close()
	}
}

// methods are the auth methods to offer; none when there is no key at all.
func (k *keyring) methods() []ssh.AuthMethod {
	if len(k.signers) == 0 {
		return nil
	}
	return []ssh.AuthMethod{ssh.PublicKeys(k.signers...)}
}

// explain turns a failed login into what the user should do about it.
func (k *keyring) explain(user, addr string, err error) error {
	var hints []string
	if len(k.locked) > 0 {
		hints = append(hints, fmt.Sprintf("%s needs a passphrase and qmpdash never asks for one: add it to your ssh-agent (ssh-add %s) and make sure SSH_AUTH_SOCK is set",
			strings.Join(k.locked, ", "), k.locked[0]))
	}
	if k.agentErr != nil {
		hints = append(hints, fmt.Sprintf("the ssh-agent could not be used (%v)", k.agentErr))
	}
	if len(k.unreadable) > 0 {
		hints = append(hints, "unreadable keys: "+strings.Join(k.unreadable, ", "))
	}
	if len(k.signers) == 0 && len(hints) == 0 {
		hints = append(hints, "no key to offer: start ssh-agent and ssh-add your key, or name one with IdentityFile in ~/.ssh/config")
	}
	msg := fmt.Sprintf("ssh login as %s@%s refused", user, addr)
	if len(hints) > 0 {
		msg += ": " + strings.Join(hints, "; ")
	}
	return &AuthError{Msg: msg, Err: err}
}

// AuthError is a login the host refused, with what to do about it.
type AuthError struct {
	Msg string
	Err error
}

func (e *AuthError) Error() string { return e.Msg + " (" + e.Err.Error() + ")" }
func (e *AuthError) Unwrap() error { return e.Err }
