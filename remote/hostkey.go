package remote

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/skeema/knownhosts"
	"golang.org/x/crypto/ssh"
	xknownhosts "golang.org/x/crypto/ssh/knownhosts"
)

// The host key is checked inside the SSH key exchange, before the client
// authenticates or opens any channel: a host whose key is unknown or
// changed is never sent a login, a command or a byte of QMP.

// HostKeyError is a host key qmpdash refused.
type HostKeyError struct {
	Addr    string // host:port as dialled
	Changed bool   // known with another key (else unknown)
	Msg     string
	Err     error
}

func (e *HostKeyError) Error() string { return e.Msg }
func (e *HostKeyError) Unwrap() error { return e.Err }

// hostKeyCheck returns the callback and the key algorithms to ask for (the
// ones known_hosts holds for addr, so a host with several keys presents a
// known one).
func hostKeyCheck(o Options, e endpoint) (ssh.HostKeyCallback, []string, error) {
	if o.InsecureIgnoreHostKey {
		return ssh.InsecureIgnoreHostKey(), nil, nil
	}
	var files []string
	for _, f := range e.knownHosts {
		if _, err := os.Stat(f); err == nil {
			files = append(files, f)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, nil, fmt.Errorf("known_hosts %s: %w", f, err)
		}
	}
	if len(files) == 0 {
		return func(hostname string, _ net.Addr, key ssh.PublicKey) error {
			return unknownHost(e, key, nil)
		}, nil, nil
	}
	db, err := knownhosts.NewDB(files...)
	if err != nil {
		return nil, nil, fmt.Errorf("known_hosts: %w", err)
	}
	check := db.HostKeyCallback()
	cb := func(hostname string, remote net.Addr, key ssh.PublicKey) error {
		err := check(hostname, remote, key)
		switch {
		case err == nil:
			return nil
		case knownhosts.IsHostKeyChanged(err):
			return changedHost(e, key, err)
		case knownhosts.IsHostUnknown(err):
			return unknownHost(e, key, err)
		}
		return &HostKeyError{Addr: e.addr, Msg: fmt.Sprintf("host key of %s not checked: %v; refusing to connect", e.addr, err), Err: err}
	}
	return cb, db.HostKeyAlgorithms(e.addr), nil
}

func unknownHost(e endpoint, key ssh.PublicKey, err error) error {
	scan := "ssh-keyscan " + e.host
	login := "ssh " + e.user + "@" + e.host
	if e.port != 22 {
		scan = "ssh-keyscan -p " + strconv.Itoa(e.port) + " " + e.host
		login = "ssh -p " + strconv.Itoa(e.port) + " " + e.user + "@" + e.host
	}
	where := "~/.ssh/known_hosts"
	if len(e.knownHosts) > 0 {
		where = e.knownHosts[0]
	}
	return &HostKeyError{Addr: e.addr, Err: err, Msg: fmt.Sprintf(
		"host %s is not in known_hosts (its %s key is %s): refusing to connect. Check the fingerprint, then add it with `%s >> %s` or log in once with `%s`",
		knownhosts.Normalize(e.addr), key.Type(), ssh.FingerprintSHA256(key), scan, where, login)}
}

func changedHost(e endpoint, key ssh.PublicKey, err error) error {
	var was []string
	var ke *xknownhosts.KeyError
	if errors.As(err, &ke) {
		for _, w := range ke.Want {
			was = append(was, fmt.Sprintf("%s:%d", w.Filename, w.Line))
		}
	}
	return &HostKeyError{Addr: e.addr, Changed: true, Err: err, Msg: fmt.Sprintf(
		"WARNING: HOST KEY OF %s HAS CHANGED (now %s %s; known_hosts has another at %s): refusing to connect. Someone may be intercepting the connection, or the host was reinstalled; if you know it was, remove the old key with `ssh-keygen -R %s` and add the new one",
		knownhosts.Normalize(e.addr), key.Type(), ssh.FingerprintSHA256(key), strings.Join(was, ", "), knownhosts.Normalize(e.addr))}
}
