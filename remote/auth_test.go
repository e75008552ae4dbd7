package remote

import (
	"net"
	"path/filepath"
	"testing"
	"time"
)

// An ssh-agent that accepts and never answers does not hold a login for
// ever: asking it for keys ends with the connect timeout, as an error.
func TestASilentAgentIsGivenUpOnWithTheConnectTimeout(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "agent.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	held := make(chan net.Conn, 1)
	go func() {
		if c, err := l.Accept(); err == nil {
			held <- c // never read from, never answered
		}
	}()
	t.Cleanup(func() {
		select {
		case c := <-held:
			c.Close()
		default:
		}
	})
	done := make(chan *keyring, 1)
	go func() {
		done <- loadKeys(Options{AgentSocket: sock, ConnectTimeout: 200 * time.Millisecond}, endpoint{})
	}()
	select {
	case k := <-done:
		if k.agentErr == nil {
			t.Fatal("a silent agent was taken as having answered")
		}
		k.close()
	case <-time.After(30 * time.Second):
		t.Fatal("loadKeys still waiting on a silent agent after 30 s")
	}
}
