package qemutest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// SSHDBinary is the OpenSSH server the remote tests log in to.
const SSHDBinary = "/usr/sbin/sshd"

// SSHD is a real OpenSSH server on a free 127.0.0.1 port, with its own
// host key and key-only login for the current user through a temporary
// authorized_keys. It never reads the machine's ssh configuration.
type SSHD struct {
	Port int
	Dir  string // holds its config, host key, authorized_keys and log
	User string // who logs in (the test's own user)
	// HostKeyLine is the host's known_hosts line ("[127.0.0.1]:PORT KEY").
	HostKeyLine string

	t       testing.TB
	bin     string
	config  string
	logPath string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// RequireSSHD skips (or, under QMPDASH_REQUIRE_QEMU, fails) when OpenSSH's
// server or client tools are absent.
func RequireSSHD(t testing.TB) string {
	t.Helper()
	RequirePeer(t, "ssh-keygen", "openssh-client")
	if _, err := os.Stat(SSHDBinary); err != nil {
		if PeersRequired() {
			t.Fatalf("%s set but %s is missing (apt-get install openssh-server; scripts/test does)", RequireEnv, SSHDBinary)
		}
		t.Skipf("real peer missing: %s not installed (apt-get install openssh-server; %s=1 makes this a failure)", SSHDBinary, RequireEnv)
	}
	return SSHDBinary
}

// StartSSHD starts sshd -D -e on a free loopback port and waits until it
// accepts connections. It is killed in t.Cleanup. env are more NAME=VALUE
// for its sessions' environment (no spaces): PATH=DIR:/usr/bin:/bin, say,
// puts a test's own commands before the system's.
func StartSSHD(t testing.TB, env ...string) *SSHD {
	t.Helper()
	bin := RequireSSHD(t)
	dir := shortTempDir(t)
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		// sshd's privilege separation directory; a fresh container lacks it.
		_ = os.MkdirAll("/run/sshd", 0o755)
	}
	hostKey := filepath.Join(dir, "host_ed25519")
	KeyGen(t, hostKey, "")
	pub, err := os.ReadFile(hostKey + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	s := &SSHD{Port: FreePort(t), Dir: dir, User: u.Username, t: t, bin: bin,
		config: filepath.Join(dir, "sshd_config"), logPath: filepath.Join(dir, "sshd.log")}
	fields := strings.Fields(string(pub))
	s.HostKeyLine = fmt.Sprintf("[127.0.0.1]:%d %s %s", s.Port, fields[0], fields[1])
	if err := os.MkdirAll(filepath.Join(dir, "home"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "authorized_keys"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	conf := strings.Join([]string{
		fmt.Sprintf("Port %d", s.Port),
		"ListenAddress 127.0.0.1",
		"HostKey " + hostKey,
		"PidFile none",
		"AuthorizedKeysFile " + filepath.Join(dir, "authorized_keys"),
		"StrictModes no",
		"PubkeyAuthentication yes",
		"PasswordAuthentication no",
		"KbdInteractiveAuthentication no",
		"UsePAM no",
		"PermitRootLogin prohibit-password",
		"AllowStreamLocalForwarding yes",
		"MaxSessions 100",
		"LogLevel VERBOSE",
		// Remote commands run through the user's login shell, which reads
		// the user's rc files; the machine's own (root's .bashrc here runs
		// pyenv init, which has blocked for a minute) must not decide a
		// test's timing. The shell starts in an empty home of the test's.
		// The marker finds the sessions' shells when they outlive their
		// parent (see Kill). sshd takes only its first SetEnv line: every
		// variable is on it.
		strings.Join(append([]string{"SetEnv HOME=" + filepath.Join(dir, "home"), markerEnv + "=" + dir}, env...), " "),
	}, "\n") + "\n"
	if err := os.WriteFile(s.config, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	s.Start()
	t.Cleanup(s.Kill)
	return s
}

// Addr is 127.0.0.1:PORT.
func (s *SSHD) Addr() string { return fmt.Sprintf("127.0.0.1:%d", s.Port) }

// Authorize lets the public key beside the private key priv log in.
func (s *SSHD) Authorize(priv string) {
	s.t.Helper()
	pub, err := os.ReadFile(priv + ".pub")
	if err != nil {
		s.t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(s.Dir, "authorized_keys"), os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		s.t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(pub); err != nil {
		s.t.Fatal(err)
	}
}

// Start (re)starts the server on its port with its host key.
func (s *SSHD) Start() {
	s.t.Helper()
	logf, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		s.t.Fatal(err)
	}
	cmd := exec.Command(s.bin, "-D", "-e", "-f", s.config)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = append(os.Environ(), markerEnv+"="+s.Dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		s.t.Fatalf("start sshd: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); logf.Close(); close(done) }()
	s.mu.Lock()
	s.cmd, s.done = cmd, done
	s.mu.Unlock()
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", s.Addr(), time.Second)
		if err == nil {
			c.Close()
			return
		}
		select {
		case <-done:
			s.t.Fatalf("sshd exited at start:\n%s", s.Log())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("sshd did not listen on %s within 20s:\n%s", s.Addr(), s.Log())
		}
	}
}

// killWait bounds Kill: a server not gone by then fails the test, with
// what outlived it, rather than leaving it to serve the next login.
const killWait = 20 * time.Second

// Kill ends the server and every session it forked, as a host going down
// would, and returns only when all of them are dead, the server is reaped
// and its port refuses connections; if that takes over killWait the test
// fails saying what is left. The sessions call setsid, so they are not in
// the server's process group: they are found as its descendants in /proc
// (stopped first, so none forks or is orphaned while they are listed) and
// by the marker in their environment. Safe to call more than once.
func (s *SSHD) Kill() {
	s.t.Helper()
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		return
	}
	deadline := time.Now().Add(killWait)
	root := cmd.Process.Pid
	// os.Process signals through a pidfd: this stops our server, never a
	// process that reused its pid after it exited on its own.
	if err := cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		root = 0 // already gone and reaped: only marked processes can be left
	}
	if err := killTree(root, s.Dir, deadline); err != nil {
		s.t.Fatalf("kill sshd on %s: %v\n%s", s.Addr(), err, s.Log())
	}
	select {
	case <-done:
	case <-time.After(time.Until(deadline)):
		s.t.Fatalf("sshd on %s killed but not reaped within %v", s.Addr(), killWait)
	}
	for {
		c, err := net.DialTimeout("tcp", s.Addr(), time.Second)
		if errors.Is(err, syscall.ECONNREFUSED) {
			return
		}
		if c != nil {
			c.Close()
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%s still does not refuse connections %v after sshd was killed (dial: %v)", s.Addr(), killWait, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Log is what the server has logged so far.
func (s *SSHD) Log() string {
	b, _ := os.ReadFile(s.logPath)
	return string(b)
}

// KeyGen makes an ed25519 key pair at path (path.pub beside it), protected
// by passphrase when it is not empty.
func KeyGen(t testing.TB, path, passphrase string) {
	t.Helper()
	kg := RequirePeer(t, "ssh-keygen", "openssh-client")
	out, err := exec.Command(kg, "-q", "-t", "ed25519", "-N", passphrase, "-C", "qmpdash-test", "-f", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
}

// StartSSHAgent starts a real ssh-agent on a socket of its own, adds the
// given (passphrase-free) keys, and returns the socket. Killed in t.Cleanup.
func StartSSHAgent(t testing.TB, keys ...string) string {
	t.Helper()
	bin := RequirePeer(t, "ssh-agent", "openssh-client")
	add := RequirePeer(t, "ssh-add", "openssh-client")
	sock := filepath.Join(shortTempDir(t), "agent.sock")
	cmd := exec.Command(bin, "-D", "-a", sock)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("ssh-agent: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("ssh-agent did not listen on %s", sock)
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, k := range keys {
		c := exec.Command(add, k)
		c.Env = append(os.Environ(), "SSH_AUTH_SOCK="+sock)
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("ssh-add %s: %v\n%s", k, err, out)
		}
	}
	return sock
}

// ClientHome makes a home directory for an ssh client of this server, as
// OpenSSH lays it out: .ssh/known_hosts holding the server's host key and
// .ssh/id_ed25519, a passphrase-free key the server accepts. Point HOME
// (or remote.HomeOptions) at it; the machine's ~/.ssh is never touched.
func (s *SSHD) ClientHome(t testing.TB) string {
	t.Helper()
	home := shortTempDir(t)
	dot := filepath.Join(home, ".ssh")
	if err := os.MkdirAll(dot, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dot, "known_hosts"), []byte(s.HostKeyLine+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(dot, "id_ed25519")
	KeyGen(t, key, "")
	s.Authorize(key)
	return home
}

// Target is ssh://USER@127.0.0.1:PORT/path on this server.
func (s *SSHD) Target(path string) string {
	return fmt.Sprintf("ssh://%s@127.0.0.1:%d%s", s.User, s.Port, path)
}

// CPUTime is the user+system CPU the server and its live sessions have used
// so far, with that of the sessions' children that have exited (the shells
// of remote commands): from /proc, clock ticks at 100 Hz, for
// benchmarks that count the host's share of a remote poll. Sessions that
// have exited are not in it.
func (s *SSHD) CPUTime() time.Duration {
	s.mu.Lock()
	cmd := s.cmd
	s.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		return 0
	}
	var ticks uint64
	for _, pid := range append([]int{cmd.Process.Pid}, descendants(cmd.Process.Pid)...) {
		f := statFields(pid)
		if len(f) < 15 {
			continue
		}
		fields := []int{11, 12, 13, 14} // utime stime cutime cstime
		if pid == cmd.Process.Pid {
			// The listener reaps whole sessions as connections end,
			// including ones before the measured span: not its cutime.
			fields = fields[:2]
		}
		for _, i := range fields {
			n, _ := strconv.ParseUint(f[i], 10, 64)
			ticks += n
		}
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}
