package qemutest

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// login logs in to s with the key at key, or returns the error.
func login(s *SSHD, key string, timeout time.Duration) (*ssh.Client, error) {
	b, err := os.ReadFile(key)
	if err != nil {
		return nil, err
	}
	signer, err := ssh.ParsePrivateKey(b)
	if err != nil {
		return nil, err
	}
	return ssh.Dial("tcp", s.Addr(), &ssh.ClientConfig{
		User:            s.User,
		Auth:            []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(), // the test's own server on loopback
		Timeout:         timeout,
	})
}

// live are the processes of pids that are not dead.
func live(pids []int) []int {
	var out []int
	for _, p := range pids {
		if f := statFields(p); len(f) > 0 && f[0] != "Z" && f[0] != "X" {
			out = append(out, p)
		}
	}
	return out
}

func cmdline(pid int) string {
	b, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
	return strings.TrimSpace(strings.ReplaceAll(string(b), "\x00", " "))
}

// Kill leaves nothing of the server: a logged-in session (setsid, so out
// of the server's process group) and its command die, the client sees its
// connection cut, and logins racing the kill (sessions forked while it
// runs) do not outlive it either; the port refuses; Start brings it back.
func TestSSHDKillEndsEverySessionAndLogin(t *testing.T) {
	s := StartSSHD(t)
	key := filepath.Join(s.ClientHome(t), ".ssh", "id_ed25519")
	cl, err := login(s, key, 20*time.Second)
	if err != nil {
		t.Fatalf("login: %v\n%s", err, s.Log())
	}
	defer cl.Close()
	sess, err := cl.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.Start("exec sleep 600"); err != nil {
		t.Fatal(err)
	}
	// The command runs once a marked process is the sleep.
	deadline := time.Now().Add(30 * time.Second)
	var sleeper int
	for sleeper == 0 {
		for _, p := range marked(s.Dir) {
			if cmdline(p) == "sleep 600" {
				sleeper = p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the session's command never ran; marked: %v", marked(s.Dir))
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.mu.Lock()
	root := s.cmd.Process.Pid
	s.mu.Unlock()
	tree := descendants(root)
	for _, p := range tree {
		t.Logf("before Kill: pid %d %q", p, cmdline(p))
	}
	if len(live(tree)) < 2 {
		t.Fatalf("want the session and its command under the server, have %v", tree)
	}

	// Logins race the kill, as a reconnect loop does: Kill starts once
	// the server has forked for one (a pre-login child, out of its group).
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var late []*ssh.Client
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if c, err := login(s, key, 5*time.Second); err == nil {
					mu.Lock()
					late = append(late, c)
					mu.Unlock()
				}
			}
		})
	}
	for len(live(descendants(root))) <= len(live(tree)) {
		if time.Now().After(deadline) {
			t.Fatal("the server never forked for the racing logins")
		}
		time.Sleep(time.Millisecond)
	}
	for _, p := range marked(s.Dir) {
		t.Logf("marked: pid %d %q", p, cmdline(p))
	}
	s.Kill()
	close(stop)
	wg.Wait()

	if l := live(append(append(tree, sleeper), marked(s.Dir)...)); len(l) > 0 {
		t.Errorf("alive after Kill: %v", l)
	}
	if _, err := net.DialTimeout("tcp", s.Addr(), time.Second); err == nil {
		t.Errorf("%s accepts a connection after Kill", s.Addr())
	}
	ended := make(chan error, 1)
	go func() { ended <- cl.Wait() }()
	select {
	case <-ended:
	case <-time.After(20 * time.Second):
		t.Fatal("the logged-in client's connection still open 20s after Kill")
	}
	for i, c := range late {
		e := make(chan error, 1)
		go func() { e <- c.Wait() }()
		select {
		case <-e:
		case <-time.After(20 * time.Second):
			t.Fatalf("login %d made during Kill still open 20s after it", i)
		}
	}
	t.Logf("%d logins made while Kill ran", len(late))

	s.Start()
	cl2, err := login(s, key, 20*time.Second)
	if err != nil {
		t.Fatalf("login after Start: %v\n%s", err, s.Log())
	}
	cl2.Close()
}
