package qemutest

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemuproc"
)

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
