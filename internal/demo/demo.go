// Package demo starts the throwaway fleet behind 'qmpdash demo': real QEMU
// VMs when QEMU is installed, simulated ones otherwise. Everything it starts
// lives in one temporary directory and dies with Stop, or with qmpdash
// itself (a parent-death signal on every QEMU).
package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/qmpdash/qmpdash/internal/guest"
	"github.com/qmpdash/qmpdash/internal/qemuproc"
	"github.com/qmpdash/qmpdash/internal/sim"
	"github.com/qmpdash/qmpdash/qmp"
)

const (
	dirPrefix = "qmpdash-demo-"
	ownerFile = "owner.pid"
)

// SweepStale removes demo directories under tmp whose qmpdash is gone
// (killed with SIGKILL, say: its QEMUs die with it, but its disk images
// would stay). A directory without an owner file is left alone.
func SweepStale(tmp string) {
	dirs, _ := filepath.Glob(filepath.Join(tmp, dirPrefix+"*"))
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, ownerFile))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || pid <= 0 {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			os.RemoveAll(d)
		}
	}
}

// Root is the directory holding everything the demo made.
func (f *Fleet) Root() string { return f.root }

// Fleet is a running demo fleet.
type Fleet struct {
	// Dir holds the monitor sockets the dashboard watches.
	Dir string
	// Simulated is true when the VMs are qmpdash's built-in simulation.
	Simulated bool

	root    string
	procs   []*exec.Cmd
	exited  []chan struct{}
	sim     *sim.Fleet
	agents  []*sim.Agent // the simulated guest agents, NAME.qga beside NAME.qmp
	cancel  context.CancelFunc
	drivers sync.WaitGroup
	stop    sync.Once
	logger  *slog.Logger
}

// QEMUBinary is the emulator the demo runs when it is installed.
const QEMUBinary = "qemu-system-x86_64"

// Start starts the demo fleet: real QEMU when useQEMU and it is installed,
// the simulation otherwise.
func Start(useQEMU bool, logger *slog.Logger) (*Fleet, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	SweepStale(os.TempDir())
	root, err := os.MkdirTemp("", dirPrefix)
	if err != nil {
		return nil, err
	}
	// Who owns this directory, so a later demo can remove it if this
	// qmpdash is killed before Stop runs.
	if err := os.WriteFile(filepath.Join(root, ownerFile), []byte(strconv.Itoa(os.Getpid())), 0o600); err != nil {
		os.RemoveAll(root)
		return nil, err
	}
	f := &Fleet{root: root, Dir: filepath.Join(root, "vms"), logger: logger}
	if err := os.Mkdir(f.Dir, 0o700); err != nil {
		os.RemoveAll(root)
		return nil, err
	}
	bin, lookErr := exec.LookPath(QEMUBinary)
	if !useQEMU || lookErr != nil {
		f.Simulated = true
		specs := sim.DemoFleet()
		f.sim, err = sim.StartFleet(f.Dir, specs)
		if err != nil {
			f.Stop()
			return nil, fmt.Errorf("demo: start simulated VMs: %w", err)
		}
		var booted []string
		for _, s := range specs {
			if !s.Paused {
				booted = append(booted, s.Name)
			}
		}
		if err := f.startAgents(booted); err != nil {
			f.Stop()
			return nil, err
		}
		return f, nil
	}
	if err := f.startQEMU(bin); err != nil {
		f.Stop()
		return nil, err
	}
	// The QEMU guests run no OS, so no agent: simulated ones answer for
	// them, except for build, which waits for cont (-S) and so has no
	// guest running to answer.
	if err := f.startAgents([]string{"web", "db", "flaky"}); err != nil {
		f.Stop()
		return nil, err
	}
	return f, nil
}

// startAgents starts a simulated guest agent NAME.qga beside each named
// VM's monitor NAME.qmp, where the dashboard looks for it, so the Guest
// pane and the ip and hostname columns have something to show.
func (f *Fleet) startAgents(names []string) error {
	for i, n := range names {
		a, err := sim.ListenAgent(filepath.Join(f.Dir, n+".qga"), sim.DemoAgentFacts(n, i))
		if err != nil {
			return fmt.Errorf("demo: start the guest agent of %s: %w", n, err)
		}
		f.agents = append(f.agents, a)
	}
	return nil
}

// vmSpec is one demo VM.
type vmSpec struct {
	name string
	args []string
	// drive runs against the VM's control monitor (not the one the
	// dashboard holds: a QEMU monitor serves one client at a time).
	drive func(ctx context.Context, c *qmp.Client)
}

func (f *Fleet) startQEMU(bin string) error {
	ioImg := filepath.Join(f.root, "db-boot.raw")
	if err := guest.WriteIOLoopImage(ioImg, 4<<20); err != nil {
		return err
	}
	dataImg := filepath.Join(f.root, "db-data.raw")
	if err := writePattern(dataImg, 64<<20); err != nil {
		return err
	}
	mirrorImg := filepath.Join(f.root, "db-mirror.raw")
	if err := os.WriteFile(mirrorImg, nil, 0o600); err != nil {
		return err
	}
	if err := os.Truncate(mirrorImg, 64<<20); err != nil {
		return err
	}
	specs := []vmSpec{
		{name: "web", args: []string{"-smp", "2", "-device", "virtio-balloon-pci,id=balloon0"}},
		{name: "build", args: []string{"-S"}},
		{name: "db", args: []string{
			"-drive", "if=none,id=boot,format=raw,file=" + ioImg,
			"-device", "virtio-blk-pci,drive=boot,id=vda,bootindex=1",
			"-blockdev", "driver=file,filename=" + dataImg + ",node-name=data-file",
			"-blockdev", "driver=raw,file=data-file,node-name=data",
			"-device", "virtio-blk-pci,drive=data,id=vdb",
		}, drive: mirrorLoop(mirrorImg)},
		{name: "flaky", args: []string{
			"-drive", "if=none,id=cd0,media=cdrom",
			"-device", "ide-cd,drive=cd0,id=cdrom0",
		}, drive: resetLoop},
	}
	ctx, cancel := context.WithCancel(context.Background())
	f.cancel = cancel
	for _, s := range specs {
		if err := f.startVM(ctx, bin, s); err != nil {
			return err
		}
	}
	return nil
}

func (f *Fleet) startVM(ctx context.Context, bin string, s vmSpec) error {
	sock := filepath.Join(f.Dir, s.name+".qmp")
	ctl := filepath.Join(f.root, s.name+".ctl")
	args := []string{
		"-machine", "q35", "-accel", "tcg", "-nodefaults", "-display", "none", "-m", "128",
		"-name", s.name,
		"-qmp", "unix:" + sock + ",server=on,wait=off",
		"-qmp", "unix:" + ctl + ",server=on,wait=off",
	}
	args = append(args, s.args...)
	cmd := exec.Command(bin, args...)
	logf, err := os.Create(filepath.Join(f.root, s.name+".log"))
	if err != nil {
		return err
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	// Own process group (a terminal's ctrl+c reaches qmpdash alone, which
	// then stops the VMs in order), and death with qmpdash if it is killed.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("demo: start %s: %w", s.name, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); logf.Close(); close(done) }()
	f.procs = append(f.procs, cmd)
	f.exited = append(f.exited, done)
	if err := qemuproc.WaitMonitor(ctl, done, 15*time.Second); err != nil {
		return fmt.Errorf("demo: %s: %w", s.name, err)
	}
	if s.drive != nil {
		f.drivers.Add(1)
		go func() {
			defer f.drivers.Done()
			f.driveVM(ctx, ctl, s)
		}()
	}
	return nil
}

// driveVM keeps a control connection to one VM and runs its driver.
func (f *Fleet) driveVM(ctx context.Context, ctl string, s vmSpec) {
	for ctx.Err() == nil {
		dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		c, err := qmp.Dial(dctx, ctl)
		cancel()
		if err == nil {
			s.drive(ctx, c)
			c.Close()
		} else {
			f.logger.Info("demo: control monitor", "vm", s.name, "err", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(2 * time.Second):
		}
	}
}

// mirrorLoop keeps a rate-limited mirror of the data disk running: when it
// is ready it is cancelled and started again, so its progress bar moves.
func mirrorLoop(target string) func(ctx context.Context, c *qmp.Client) {
	return func(ctx context.Context, c *qmp.Client) {
		sub := c.Subscribe(64, "BLOCK_JOB_READY", "BLOCK_JOB_CANCELLED", "BLOCK_JOB_COMPLETED", "BLOCK_JOB_ERROR")
		defer sub.Close()
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_ = c.Execute(cctx, "blockdev-add", map[string]any{
			"driver": "raw", "node-name": "mirror-target",
			"file": map[string]any{"driver": "file", "filename": target},
		}, nil)
		cancel()
		for ctx.Err() == nil {
			cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			err := c.Execute(cctx, "blockdev-mirror", map[string]any{
				"job-id": "mirror0", "device": "data", "target": "mirror-target",
				"sync": "full", "speed": 2 << 20,
				// Small buffers make the offset move smoothly; the default
				// 16 MiB bursts leave the bar still for seconds at a time.
				"granularity": 64 << 10, "buf-size": 512 << 10,
			}, nil)
			cancel()
			if err != nil {
				return
			}
			for {
				ev, err := sub.Next(ctx)
				if err != nil {
					return
				}
				if ev.Name == "BLOCK_JOB_READY" {
					cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
					_ = c.Execute(cctx, "block-job-cancel", map[string]string{"device": "mirror0"}, nil)
					cancel()
					continue
				}
				break // cancelled, completed or failed: start over
			}
			select {
			case <-ctx.Done():
			case <-time.After(3 * time.Second):
			}
		}
	}
}

// resetLoop resets the VM every few seconds so events flow.
func resetLoop(ctx context.Context, c *qmp.Client) {
	t := time.NewTicker(7 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.Done():
			return
		case <-t.C:
			cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			_ = c.SystemReset(cctx)
			cancel()
		}
	}
}

// Stop ends every VM and removes the directory. Safe to call twice.
func (f *Fleet) Stop() {
	f.stop.Do(func() {
		if f.cancel != nil {
			f.cancel()
		}
		for _, p := range f.procs {
			_ = p.Process.Signal(syscall.SIGKILL)
		}
		for _, done := range f.exited {
			select {
			case <-done:
			case <-time.After(10 * time.Second):
			}
		}
		f.drivers.Wait()
		if f.sim != nil {
			_ = f.sim.Close()
		}
		for _, a := range f.agents {
			_ = a.Close()
		}
		os.RemoveAll(f.root)
	})
}

// PIDs are the QEMU processes started (none when simulated).
func (f *Fleet) PIDs() []int {
	pids := make([]int, 0, len(f.procs))
	for _, p := range f.procs {
		pids = append(pids, p.Process.Pid)
	}
	return pids
}

// writePattern writes size bytes of non-zero data, so a mirror has real
// data to copy (zero regions are skipped almost for free).
func writePattern(path string, size int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	block := make([]byte, 1<<20)
	for i := range block {
		block[i] = byte(i*7 + 1)
	}
	for written := 0; written < size; written += len(block) {
		if _, err := f.Write(block); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}
