package remote

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemutest"
	"github.com/qmpdash/qmpdash/qmp"
)

// rig is a real sshd, a client key it accepts, and a home of the test's
// own (known_hosts, config, keys): nothing reads the machine's ~/.ssh.
type rig struct {
	sshd *qemutest.SSHD
	home string
	key  string // passphrase-free, authorized
	opts Options
}

func newRig(t *testing.T) *rig {
	t.Helper()
	sshd := qemutest.StartSSHD(t)
	home := qemutest.Dir(t)
	if err := os.MkdirAll(filepath.Join(home, ".ssh"), 0o700); err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(home, "client_key")
	qemutest.KeyGen(t, key, "")
	sshd.Authorize(key)
	o := HomeOptions(home)
	o.LocalUser = sshd.User
	o.DefaultKeys = []string{key}
	o.BackoffMin, o.BackoffMax = 20*time.Millisecond, 100*time.Millisecond
	r := &rig{sshd: sshd, home: home, key: key, opts: o}
	r.knownHosts(sshd.HostKeyLine)
	return r
}

func (r *rig) knownHosts(lines ...string) {
	if err := os.WriteFile(r.opts.KnownHosts[0], []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		panic(err)
	}
}

func (r *rig) target(t *testing.T, path string) Target {
	t.Helper()
	tg, err := ParseTarget(fmt.Sprintf("ssh://%s@127.0.0.1:%d%s", r.sshd.User, r.sshd.Port, path))
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func dialQMP(t *testing.T, p *Pool, tg Target) *qmp.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := qmp.Dial(ctx, tg.String(), qmp.WithDialer(func(ctx context.Context, _ qmp.Address) (net.Conn, error) {
		return p.Dial(ctx, tg)
	}))
	if err != nil {
		t.Fatalf("dial %s: %v", tg, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func queryStatus(t *testing.T, c *qmp.Client) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := c.QueryStatus(ctx)
	if err != nil {
		t.Fatalf("query-status: %v", err)
	}
	return st.Status
}

// Many VMs over one SSH connection: each is its own channel with the whole
// QMP handshake and commands, and the host sees one login.
func TestManyVMsShareOneSSHConnection(t *testing.T) {
	r := newRig(t)
	p := NewPool(r.opts)
	t.Cleanup(p.Close)
	dir := qemutest.Dir(t)
	var clients []*qmp.Client
	for i := range 3 {
		vm := qemutest.Start(t, qemutest.Options{Name: fmt.Sprintf("vm%d", i), Dir: dir, Paused: i == 1})
		clients = append(clients, dialQMP(t, p, r.target(t, vm.Socket)))
	}
	for i, c := range clients {
		want := "running"
		if i == 1 {
			want = "prelaunch"
		}
		if got := queryStatus(t, c); got != want {
			t.Errorf("vm%d: status %q, want %q", i, got, want)
		}
	}
	hs := p.Hosts()
	if len(hs) != 1 || hs[0].Dials != 1 || hs[0].State != HostUp || hs[0].Channels != 3 {
		t.Fatalf("hosts = %+v, want one host up, dialled once, 3 channels", hs)
	}
	if n := strings.Count(r.sshd.Log(), "Accepted publickey"); n != 1 {
		t.Fatalf("sshd accepted %d logins, want 1:\n%s", n, r.sshd.Log())
	}
	out, err := p.Run(context.Background(), r.target(t, "/tmp"), "echo hi")
	if err != nil || string(out) != "hi\n" {
		t.Fatalf("Run = %q, %v", out, err)
	}
}

// recorder is a unix socket that counts who connects: the stand-in monitor
// that proves nothing reached it.
func recorder(t *testing.T) (string, *atomic.Int32) {
	t.Helper()
	sock := filepath.Join(qemutest.Dir(t), "rec.qmp")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	var n atomic.Int32
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			c.Close()
		}
	}()
	return sock, &n
}

// sentSigns is every sign that something got past the host key check:
// sshd logging a login attempt, or the monitor socket reached. It first
// waits until sshd has logged the end of every connection it took, so
// whatever it would log about one is in the log: an empty answer is
// "nothing was sent", not "nothing yet".
func sentSigns(t *testing.T, r *rig, accepted *atomic.Int32) []string {
	t.Helper()
	log := waitConnectionsLogged(t, r.sshd)
	var signs []string
	for _, s := range []string{"Accepted", "Failed publickey", "Postponed", "userauth"} {
		if strings.Contains(log, s) {
			signs = append(signs, fmt.Sprintf("sshd logged %q", s))
		}
	}
	if n := accepted.Load(); n != 0 {
		signs = append(signs, fmt.Sprintf("the monitor socket saw %d connections", n))
	}
	return signs
}

func assertNothingSent(t *testing.T, r *rig, accepted *atomic.Int32) {
	t.Helper()
	if signs := sentSigns(t, r, accepted); len(signs) > 0 {
		t.Errorf("after a refused host key, %s:\n%s", strings.Join(signs, "; "), r.sshd.Log())
	}
}

var (
	connFrom  = regexp.MustCompile(`Connection from 127\.0\.0\.1 port (\d+) `)
	connEnded = regexp.MustCompile(`(?:Connection closed by|Connection reset by|Disconnected from|Closing connection to) .*127\.0\.0\.1 port (\d+)\b`)
)

// waitConnectionsLogged returns sshd's log once every connection it logged
// accepting is logged as ended too, or fails the test after 20s.
func waitConnectionsLogged(t *testing.T, sshd *qemutest.SSHD) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		log := sshd.Log()
		open := map[string]bool{}
		for _, m := range connFrom.FindAllStringSubmatch(log, -1) {
			open[m[1]] = true
		}
		for _, m := range connEnded.FindAllStringSubmatch(log, -1) {
			delete(open, m[1])
		}
		if len(open) == 0 {
			return log
		}
		if time.Now().After(deadline) {
			t.Fatalf("sshd never logged the end of the connections from ports %v:\n%s", open, log)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestUnknownHostKeyRefusedWithNothingSent(t *testing.T) {
	r := newRig(t)
	r.knownHosts("# no keys")
	sock, accepted := recorder(t)
	p := NewPool(r.opts)
	t.Cleanup(p.Close)
	_, err := p.Dial(context.Background(), r.target(t, sock))
	var hk *HostKeyError
	if !errors.As(err, &hk) || hk.Changed {
		t.Fatalf("err = %v, want an unknown host key", err)
	}
	for _, want := range []string{"not in known_hosts", fmt.Sprintf("ssh-keyscan -p %d 127.0.0.1", r.sshd.Port), "log in once", "SHA256:"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	assertNothingSent(t, r, accepted)
	// The same file missing altogether is an unknown host too.
	os.Remove(r.opts.KnownHosts[0])
	p2 := NewPool(r.opts)
	t.Cleanup(p2.Close)
	if _, err := p2.Dial(context.Background(), r.target(t, sock)); !errors.As(err, &hk) || hk.Changed {
		t.Fatalf("no known_hosts: err = %v, want an unknown host key", err)
	}
	assertNothingSent(t, r, accepted)
}

func TestChangedHostKeyRefusedLoudlyWithNothingSent(t *testing.T) {
	r := newRig(t)
	other := filepath.Join(r.home, "other_host_key")
	qemutest.KeyGen(t, other, "")
	pub, err := os.ReadFile(other + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(pub))
	r.knownHosts(fmt.Sprintf("[127.0.0.1]:%d %s %s", r.sshd.Port, f[0], f[1]))
	sock, accepted := recorder(t)
	p := NewPool(r.opts)
	t.Cleanup(p.Close)
	_, err = p.Dial(context.Background(), r.target(t, sock))
	var hk *HostKeyError
	if !errors.As(err, &hk) || !hk.Changed {
		t.Fatalf("err = %v, want a changed host key", err)
	}
	for _, want := range []string{"HAS CHANGED", "ssh-keygen -R", r.opts.KnownHosts[0] + ":1"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	assertNothingSent(t, r, accepted)
}

func TestInsecureIgnoreHostKeyConnectsToUnknownHost(t *testing.T) {
	r := newRig(t)
	r.knownHosts("# no keys")
	sock, accepted := recorder(t)
	r.opts.InsecureIgnoreHostKey = true
	p := NewPool(r.opts)
	t.Cleanup(p.Close)
	if !p.Insecure() {
		t.Fatal("Insecure() = false")
	}
	c, err := p.Dial(context.Background(), r.target(t, sock))
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for accepted.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the monitor socket was never reached")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The positive control of assertNothingSent: the same check sees both
	// the login and the monitor reached when something was sent.
	p.Close()
	signs := strings.Join(sentSigns(t, r, accepted), "; ")
	for _, want := range []string{`sshd logged "Accepted"`, "monitor socket saw 1"} {
		if !strings.Contains(signs, want) {
			t.Errorf("signs of sending %q lack %q:\n%s", signs, want, r.sshd.Log())
		}
	}
}

func TestAgentAuth(t *testing.T) {
	r := newRig(t)
	r.opts.DefaultKeys = nil
	r.opts.AgentSocket = qemutest.StartSSHAgent(t, r.key)
	vm := qemutest.Start(t, qemutest.Options{Name: "agentvm"})
	p := NewPool(r.opts)
	t.Cleanup(p.Close)
	if got := queryStatus(t, dialQMP(t, p, r.target(t, vm.Socket))); got != "running" {
		t.Fatalf("status %q", got)
	}
}

// ~/.ssh/config's Host alias with HostName, Port, User, IdentityFile and
// UserKnownHostsFile is followed as ssh(1) would.
func TestConfigAliasAndKeyFileAuth(t *testing.T) {
	r := newRig(t)
	kh := filepath.Join(r.home, "kh")
	if err := os.Rename(r.opts.KnownHosts[0], kh); err != nil {
		t.Fatal(err)
	}
	conf := fmt.Sprintf("Host vmhost\n  HostName 127.0.0.1\n  Port %d\n  User %s\n  IdentityFile ~/client_key\n  UserKnownHostsFile %s\n",
		r.sshd.Port, r.sshd.User, kh)
	if err := os.WriteFile(r.opts.ConfigFile, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	r.opts.DefaultKeys = nil
	vm := qemutest.Start(t, qemutest.Options{Name: "cfgvm"})
	p := NewPool(r.opts)
	t.Cleanup(p.Close)
	tg, err := ParseTarget("ssh://vmhost" + vm.Socket)
	if err != nil {
		t.Fatal(err)
	}
	if got := queryStatus(t, dialQMP(t, p, tg)); got != "running" {
		t.Fatalf("status %q", got)
	}
	if hs := p.Hosts(); hs[0].Addr != r.sshd.Addr() || hs[0].User != r.sshd.User {
		t.Fatalf("resolved %+v, want %s as %s", hs[0], r.sshd.Addr(), r.sshd.User)
	}
}

func TestPassphraseKeyWithoutAgentSaysUseTheAgent(t *testing.T) {
	r := newRig(t)
	locked := filepath.Join(r.home, "locked_key")
	qemutest.KeyGen(t, locked, "secret phrase")
	r.sshd.Authorize(locked)
	r.opts.DefaultKeys = []string{locked}
	p := NewPool(r.opts)
	t.Cleanup(p.Close)
	_, err := p.Dial(context.Background(), r.target(t, "/nonexistent.qmp"))
	var ae *AuthError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want an AuthError", err)
	}
	for _, want := range []string{"passphrase", "ssh-add " + locked, "ssh-agent"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

// The host going away ends every VM's connection and marks the host down
// once: while it backs off, each VM's redial gets the one cause without a
// dial of its own; when sshd returns, the next dial reconnects.
func TestSSHDKilledMidSessionThenBack(t *testing.T) {
	r := newRig(t)
	r.opts.BackoffMin, r.opts.BackoffMax = time.Hour, time.Hour // no redial until the test allows
	now := time.Now()
	var offset atomic.Int64
	r.opts.Now = func() time.Time { return now.Add(time.Duration(offset.Load())) }
	p := NewPool(r.opts)
	t.Cleanup(p.Close)
	dir := qemutest.Dir(t)
	var tgs []Target
	var clients []*qmp.Client
	for i := range 2 {
		vm := qemutest.Start(t, qemutest.Options{Name: fmt.Sprintf("k%d", i), Dir: dir})
		tgs = append(tgs, r.target(t, vm.Socket))
		clients = append(clients, dialQMP(t, p, tgs[i]))
	}
	r.sshd.Kill()
	for _, c := range clients {
		select {
		case <-c.Done():
		case <-time.After(20 * time.Second):
			t.Fatal("a VM's connection outlived its SSH connection")
		}
	}
	waitHost(t, p, func(h HostState) bool { return h.State == HostDown })
	// The first redial after a loss tries at once and fails: the host is
	// down and backs off; the other VM gets the same error, no new dial.
	for i, tg := range tgs {
		_, err := p.Dial(context.Background(), tg)
		var de *DownError
		if !errors.As(err, &de) {
			t.Fatalf("vm %d redial: err = %v, want DownError", i, err)
		}
		if !strings.Contains(err.Error(), "is down") {
			t.Errorf("error %q does not say the host is down", err)
		}
	}
	if h := p.Hosts()[0]; h.Attempt != 1 {
		t.Fatalf("after two VMs redialled: %d attempts, want 1 (one dial per host)", h.Attempt)
	}
	r.sshd.Start()
	offset.Store(int64(2 * time.Hour)) // the backoff has run out
	c := dialQMP(t, p, tgs[0])
	if got := queryStatus(t, c); got != "running" {
		t.Fatalf("after sshd came back: status %q", got)
	}
	if h := p.Hosts()[0]; h.State != HostUp || h.Dials != 2 {
		t.Fatalf("host %+v, want up after a second dial", h)
	}
}

func waitHost(t *testing.T, p *Pool, ok func(HostState) bool) {
	t.Helper()
	deadline := time.NewTimer(20 * time.Second)
	defer deadline.Stop()
	for {
		if hs := p.Hosts(); len(hs) > 0 && ok(hs[0]) {
			return
		}
		select {
		case <-p.Changed():
		case <-deadline.C:
			t.Fatalf("host never reached the state; now %+v", p.Hosts())
		}
	}
}
