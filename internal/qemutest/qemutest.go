// Package qemutest starts real QEMU VMs and storage daemons
// (qemu-storage-daemon, storaged.go) for tests, and says whether the
// real peers tests use (QEMU, qemu-img, tmux, ...) are installed. A test
// that needs a peer skips when it is absent, saying which Debian package
// brings it, unless QMPDASH_REQUIRE_QEMU is set to a true value (1, true,
// yes, on; CI sets it), where a missing peer of any kind is a failure. Every VM is killed in t.Cleanup, even when the
// test fails. It is for tests only: of qmpdash it imports internal/qemuproc
// alone, never qmp or model, so the packages it serves can use it without
// a cycle and no test's VM depends on the code it tests.
package qemutest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemuproc"
)

// Binary is the emulator the tests run.
const Binary = "qemu-system-x86_64"

// Options shape one VM.
type Options struct {
	Name   string   // -name; also the socket's file name
	Paused bool     // -S
	Disks  []string // qcow2 images to attach as virtio-blk drive0..n (node names disk0..n)
	Extra  []string // more arguments
	// Socket overrides the monitor socket path (default DIR/NAME.qmp).
	Socket string
	// Dir holds the socket and log; default t.TempDir().
	Dir string
}

// VM is one running QEMU.
type VM struct {
	Name   string
	Socket string
	Cmd    *exec.Cmd
	done   chan struct{}
}

// RequireEnv names the variable that turns a missing peer into a failure.
const RequireEnv = "QMPDASH_REQUIRE_QEMU"

// PeersRequired says whether RequireEnv holds a true value.
func PeersRequired() bool {
	switch strings.ToLower(strings.TrimSpace(os.Getenv(RequireEnv))) {
	case "1", "t", "true", "y", "yes", "on":
		return true
	}
	return false
}

// RequirePeer returns the path of binary, a real peer the test needs. When
// it is missing the test skips, naming the Debian package that brings it,
// or fails when peers are required.
func RequirePeer(t testing.TB, binary, debianPackage string) string {
	t.Helper()
	p, err := exec.LookPath(binary)
	if err == nil {
		return p
	}
	if PeersRequired() {
		t.Fatalf("%s=%s but %s is not installed (apt-get install %s; scripts/test does): %v",
			RequireEnv, os.Getenv(RequireEnv), binary, debianPackage, err)
	}
	t.Skipf("real peer missing: %s not installed (apt-get install %s; %s=1 makes this a failure)",
		binary, debianPackage, RequireEnv)
	return ""
}

// Require skips the test when QEMU is absent, or fails it under CI.
func Require(t testing.TB) string {
	t.Helper()
	return RequirePeer(t, Binary, "qemu-system-x86")
}

// RequireImg is Require for qemu-img.
func RequireImg(t testing.TB) string {
	t.Helper()
	return RequirePeer(t, "qemu-img", "qemu-utils")
}

// Args is the command line for opts, without the binary.
func Args(opts Options, socket string) []string {
	args := []string{
		"-machine", "q35", "-accel", "tcg", "-nodefaults", "-display", "none",
		"-m", "64", "-qmp", "unix:" + socket + ",server=on,wait=off",
	}
	if opts.Name != "" {
		args = append(args, "-name", opts.Name)
	}
	if opts.Paused {
		args = append(args, "-S")
	}
	for i, d := range opts.Disks {
		args = append(args,
			"-blockdev", fmt.Sprintf("driver=file,filename=%s,node-name=file%d", d, i),
			"-blockdev", fmt.Sprintf("driver=qcow2,file=file%d,node-name=disk%d", i, i),
			"-device", fmt.Sprintf("virtio-blk-pci,drive=disk%d,id=vd%d", i, i))
	}
	return append(args, opts.Extra...)
}

// Start runs one VM and waits until its monitor socket accepts connections.
func Start(t testing.TB, opts Options) *VM {
	t.Helper()
	bin := Require(t)
	if opts.Name == "" {
		opts.Name = "vm"
	}
	dir := opts.Dir
	if dir == "" {
		dir = shortTempDir(t)
	}
	sock := opts.Socket
	if sock == "" {
		sock = filepath.Join(dir, opts.Name+".qmp")
	}
	logf, err := os.Create(filepath.Join(dir, opts.Name+".log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, Args(opts, sock)...)
	cmd.Stdout, cmd.Stderr = logf, logf
	// Die with the test binary even if it is killed before Cleanup runs.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("start qemu: %v", err)
	}
	vm := &VM{Name: opts.Name, Socket: sock, Cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); logf.Close(); close(vm.done) }()
	t.Cleanup(vm.Kill)
	if err := qemuproc.WaitMonitor(sock, vm.done, 20*time.Second); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, opts.Name+".log"))
		t.Fatalf("qemu %s: %v\n%s", opts.Name, err, log)
	}
	return vm
}

// Kill ends the VM with SIGKILL (and resumes it first if it was stopped)
// and waits for it. Safe to call more than once.
func (v *VM) Kill() {
	if v.Cmd.Process == nil {
		return
	}
	_ = v.Cmd.Process.Signal(syscall.SIGKILL)
	_ = v.Cmd.Process.Signal(syscall.SIGCONT)
	select {
	case <-v.done:
	case <-time.After(10 * time.Second):
	}
}

// Exited is closed when the process has exited.
func (v *VM) Exited() <-chan struct{} { return v.done }

// PID is the process id.
func (v *VM) PID() int { return v.Cmd.Process.Pid }

// Signal sends sig to the VM (e.g. SIGSTOP to freeze it).
func (v *VM) Signal(sig syscall.Signal) error { return v.Cmd.Process.Signal(sig) }

// Image makes a qcow2 image of the given size in dir.
func Image(t testing.TB, dir, name, size string) string {
	t.Helper()
	img := RequireImg(t)
	p := filepath.Join(dir, name)
	out, err := exec.Command(img, "create", "-q", "-f", "qcow2", p, size).CombinedOutput()
	if err != nil {
		t.Fatalf("qemu-img create: %v\n%s", err, out)
	}
	return p
}

// shortTempDir keeps socket paths under the 108-byte sun_path limit that
// long test names would blow through in t.TempDir().
func shortTempDir(t testing.TB) string {
	d, err := os.MkdirTemp("", "qd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// Dir returns a fresh short directory for sockets.
func Dir(t testing.TB) string { return shortTempDir(t) }

// agentAllowed are the only commands a host qemu-ga started by StartAgent
// runs: it answers about this machine, so everything that changes it
// (guest-shutdown, suspend, exec, files, time, passwords, freezing) is
// blocked.
var agentAllowed = map[string]bool{
	"guest-sync-delimited": true, "guest-sync": true, "guest-ping": true,
	"guest-info": true, "guest-get-osinfo": true, "guest-get-host-name": true,
	"guest-network-get-interfaces": true, "guest-get-fsinfo": true,
	"guest-get-users": true, "guest-get-timezone": true, "guest-get-time": true,
}

// Agent is one real qemu-ga listening on a unix socket on the host.
type Agent struct {
	Socket string
	Cmd    *exec.Cmd
	done   chan struct{}
}

// StartAgent runs `qemu-ga -m unix-listen -p SOCK` with every command that
// could change this machine blocked, and waits until the socket exists.
// It skips (or fails, when peers are required) without qemu-guest-agent.
func StartAgent(t testing.TB, sock string) *Agent {
	t.Helper()
	bin := RequirePeer(t, "qemu-ga", "qemu-guest-agent")
	out, err := exec.Command(bin, "-b", "help").CombinedOutput()
	if err != nil {
		t.Fatalf("qemu-ga -b help: %v\n%s", err, out)
	}
	var blocked []string
	for _, name := range strings.Fields(string(out)) {
		if !agentAllowed[name] {
			blocked = append(blocked, name)
		}
	}
	dir := filepath.Dir(sock)
	state := shortTempDir(t)
	logf, err := os.Create(filepath.Join(state, "qga.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-m", "unix-listen", "-p", sock,
		"-f", filepath.Join(state, "qga.pid"), "-t", state,
		"-b", strings.Join(blocked, ","))
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("start qemu-ga: %v", err)
	}
	a := &Agent{Socket: sock, Cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); logf.Close(); close(a.done) }()
	t.Cleanup(a.Kill)
	// The file appears at bind(), before listen(): only a connection that
	// is accepted says the agent is ready (one seen refused, flaking a test).
	for end := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			return a
		}
		select {
		case <-a.done:
			log, _ := os.ReadFile(filepath.Join(state, "qga.log"))
			t.Fatalf("qemu-ga exited before listening on %s (dir %s)\n%s", sock, dir, log)
		default:
		}
		if time.Now().After(end) {
			t.Fatalf("qemu-ga did not listen on %s within 10 s", sock)
		}
	}
}

// Kill ends the agent with SIGKILL and waits for it; safe to call again.
func (a *Agent) Kill() {
	_ = a.Cmd.Process.Signal(syscall.SIGKILL)
	select {
	case <-a.done:
	case <-time.After(10 * time.Second):
	}
}

// Exited is closed when the agent has exited.
func (a *Agent) Exited() <-chan struct{} { return a.done }

// StorageDaemonBinary is the storage daemon the tests run.
const StorageDaemonBinary = "qemu-storage-daemon"

// StorageOptions shape one storage daemon.
type StorageOptions struct {
	Name  string   // the monitor socket's file name (NAME.qmp); default "sd"
	Dir   string   // holds the sockets and log; default a fresh short directory
	Extra []string // more arguments
}

// StorageDaemon is one running qemu-storage-daemon. Kill, PID and Exited
// are those of VM.
type StorageDaemon struct {
	*VM
	NBD string // the NBD server's unix socket
}

// StorageArgs is the daemon's command line, without the binary: two
// null-co nodes of 1 GiB (null0, null1), null0 exported over NBD as exp0,
// and a QMP monitor on socket.
func StorageArgs(opts StorageOptions, socket, nbd string) []string {
	args := []string{
		"--blockdev", "driver=null-co,node-name=null0,size=1073741824",
		"--blockdev", "driver=null-co,node-name=null1,size=1073741824",
		"--nbd-server", "addr.type=unix,addr.path=" + nbd,
		"--export", "type=nbd,id=exp0,node-name=null0",
		"--chardev", "socket,id=mon,path=" + socket + ",server=on,wait=off",
		"--monitor", "chardev=mon",
	}
	return append(args, opts.Extra...)
}

// StorageJob is what starts a job that runs for minutes on a daemon of
// StorageArgs: a full backup of null0 into null1 (1 GiB) at the job's own
// speed limit of 1 MiB/s, as job "job0". (A throttle node under the
// target would slow it too, but QEMU 7.2's backup then ignores job-pause
// and job-cancel.) Each entry is a QMP command and its arguments as JSON,
// to be sent in order.
var StorageJob = [][2]string{
	{"blockdev-backup", `{"job-id":"job0","device":"null0","target":"null1","sync":"full","speed":1048576}`},
}

// StartStorageDaemon runs one qemu-storage-daemon (StorageArgs) and waits
// until its monitor accepts connections; it is killed in t.Cleanup. It
// skips (or fails, when peers are required) without the binary, which
// Debian ships in qemu-system-common.
func StartStorageDaemon(t testing.TB, opts StorageOptions) *StorageDaemon {
	t.Helper()
	bin := RequirePeer(t, StorageDaemonBinary, "qemu-system-common")
	if opts.Name == "" {
		opts.Name = "sd"
	}
	dir := opts.Dir
	if dir == "" {
		dir = shortTempDir(t)
	}
	sock := filepath.Join(dir, opts.Name+".qmp")
	nbd := filepath.Join(dir, opts.Name+".nbd")
	logPath := filepath.Join(dir, opts.Name+".log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, StorageArgs(opts, sock, nbd)...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("start %s: %v", StorageDaemonBinary, err)
	}
	vm := &VM{Name: opts.Name, Socket: sock, Cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); logf.Close(); close(vm.done) }()
	t.Cleanup(vm.Kill)
	if err := qemuproc.WaitMonitor(sock, vm.done, 20*time.Second); err != nil {
		log, _ := os.ReadFile(logPath)
		t.Fatalf("%s %s: %v\n%s", StorageDaemonBinary, opts.Name, err, log)
	}
	return &StorageDaemon{VM: vm, NBD: nbd}
}

// FreePort is a 127.0.0.1 TCP port nothing listens on (now), for a test's
// server; tests listen on loopback only.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// AgentPort is the QEMU arguments for a guest agent channel: a
// virtserialport named org.qemu.guest_agent.0 whose chardev QEMU serves as
// a unix socket at sock. No agent answers on it unless a guest runs one.
func AgentPort(sock string) []string {
	return []string{
		"-device", "virtio-serial",
		"-chardev", "socket,id=qga0,path=" + sock + ",server=on,wait=off",
		"-device", "virtserialport,chardev=qga0,name=org.qemu.guest_agent.0",
	}
}
