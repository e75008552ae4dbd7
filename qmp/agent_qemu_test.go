package qmp_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemutest"
	"github.com/qmpdash/qmpdash/qmp"
)

// These run against a real qemu-ga on the host (`qemu-ga -m unix-listen`),
// which answers about this machine; every command that could change it is
// blocked (qemutest.StartAgent).

func startAgent(t *testing.T) string {
	t.Helper()
	sock := filepath.Join(qemutest.Dir(t), "vm.qga")
	qemutest.StartAgent(t, sock)
	return sock
}

func agentCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestAgentRealTypedCalls(t *testing.T) {
	sock := startAgent(t)
	ctx := agentCtx(t)
	a, err := qmp.DialAgent(ctx, sock)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.Ping(ctx); err != nil {
		t.Fatalf("ping: %v", err)
	}
	info, err := a.Info(ctx)
	if err != nil || info.Version == "" || len(info.SupportedCommands) == 0 {
		t.Fatalf("info: %+v, %v", info, err)
	}
	enabled := map[string]bool{}
	for _, c := range info.SupportedCommands {
		enabled[c.Name] = c.Enabled
	}
	if enabled["guest-shutdown"] || !enabled["guest-get-osinfo"] {
		t.Fatalf("guest-shutdown must be blocked and guest-get-osinfo enabled: %v", enabled)
	}
	osi, err := a.OSInfo(ctx)
	if err != nil || osi.PrettyName == "" || osi.KernelRelease == "" {
		t.Fatalf("osinfo: %+v, %v", osi, err)
	}
	host, _ := os.Hostname()
	if got, err := a.HostName(ctx); err != nil || got != host {
		t.Fatalf("host name %q, %v; want %q", got, err, host)
	}
	ifs, err := a.Interfaces(ctx)
	if err != nil {
		t.Fatalf("interfaces: %v", err)
	}
	sawLoopback := false
	for _, i := range ifs {
		for _, ad := range i.IPAddresses {
			sawLoopback = sawLoopback || ad.Address == "127.0.0.1"
		}
	}
	if !sawLoopback {
		t.Fatalf("no 127.0.0.1 among %+v", ifs)
	}
	if _, err := a.Filesystems(ctx); err != nil {
		t.Fatalf("fsinfo: %v", err)
	}
	if _, err := a.Users(ctx); err != nil {
		t.Fatalf("users: %v", err)
	}
	if _, err := a.Timezone(ctx); err != nil {
		t.Fatalf("timezone: %v", err)
	}
	// A disabled command is CommandNotFound: a fact left unknown, and the
	// stream stays in step.
	if err := a.Shutdown(ctx, qmp.ShutdownPowerdown); !qmp.IsUnsupported(err) {
		t.Fatalf("blocked guest-shutdown: %v, want CommandNotFound", err)
	}
	if err := a.Execute(ctx, "guest-no-such-command", nil, nil); !qmp.IsUnsupported(err) {
		t.Fatalf("unknown command: %v", err)
	}
	if err := a.Ping(ctx); err != nil {
		t.Fatalf("ping after errors: %v", err)
	}
}

// Stale bytes in the channel (a half-written request, a reply nobody read)
// are skipped by the sync.
func TestAgentRealSyncAfterStaleBytes(t *testing.T) {
	sock := startAgent(t)
	ctx := agentCtx(t)
	conn, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write([]byte("{\"execute\":\"guest-info\"}\n{\"execute\":\"guest-get-host-name\"}\n{\"execute\": \"guest-pi")); err != nil {
		t.Fatal(err)
	}
	// The agent answers in order, so its two replies come before the
	// sync's in any case; waiting until both are readable makes them stale
	// bytes already in the buffer when the sync starts, every run.
	waitLines(t, conn, 2, 10*time.Second)
	a := qmp.NewAgent(conn, qmp.WithName(sock))
	defer a.Close()
	host, _ := os.Hostname()
	for i := 0; i < 3; i++ {
		if got, err := a.HostName(ctx); err != nil || got != host {
			t.Fatalf("host name %d: %q, %v; want %q", i, got, err, host)
		}
	}
	if err := a.Sync(ctx); err != nil {
		t.Fatalf("sync again: %v", err)
	}
	if err := a.Ping(ctx); err != nil {
		t.Fatal(err)
	}
}

// waitLines returns once n newline-ended lines are readable on conn, read
// with MSG_PEEK so they stay queued, or fails the test after limit. It wakes
// on the socket turning readable, never on a timer.
func waitLines(t *testing.T, conn net.Conn, n int, limit time.Duration) {
	t.Helper()
	rc, err := conn.(syscall.Conn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(limit))
	defer conn.SetReadDeadline(time.Time{})
	buf := make([]byte, 1<<20)
	var queued []byte
	var perr error
	err = rc.Read(func(fd uintptr) bool {
		k, _, err := syscall.Recvfrom(int(fd), buf, syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		if err == syscall.EAGAIN {
			return false // wait for more
		}
		if err != nil {
			perr = err
			return true
		}
		queued = buf[:k]
		return bytes.Count(queued, []byte("\n")) >= n
	})
	if err == nil {
		err = perr
	}
	if err != nil {
		t.Fatalf("waiting for %d replies queued on the socket: %v; have %q", n, err, queued)
	}
}

// An agent killed between commands is a connect error, not a hang.
func TestAgentRealKilled(t *testing.T) {
	sock := filepath.Join(qemutest.Dir(t), "vm.qga")
	ag := qemutest.StartAgent(t, sock)
	ctx := agentCtx(t)
	a, err := qmp.DialAgent(ctx, sock)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ag.Kill()
	err = a.Ping(ctx)
	var ce *qmp.ConnectError
	if !errors.As(err, &ce) {
		t.Fatalf("ping a killed agent: %v, want a ConnectError", err)
	}
	if err2 := a.Ping(ctx); !errors.As(err2, &ce) {
		t.Fatalf("second ping: %v", err2)
	}
}
