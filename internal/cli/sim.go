package cli

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/qmpdash/qmpdash/internal/sim"
)

const simUsage = `Usage: qmpdash sim [--count N] [--seed S] [--misbehave LIST] [--churn D] [--reset-every D] DIR

Serves N simulated QEMU 7.2 monitors as unix sockets DIR/NAME.qmp until
interrupted (Ctrl-C, SIGTERM), then removes them. Try the dashboard at
scale with it from another terminal ('qmpdash DIR'), or measure qmpdash
apart from what it watches. The VMs are a host's mix drawn from the seed:
names, running or paused (-S), vCPUs, memory, a balloon, disks doing I/O,
a few mirror jobs and guest resets (so events flow).

--misbehave adds VMs that misbehave on purpose, named MODE-N: a
comma-separated list of MODE or MODE=N, MODE one of
  slow      every message arrives 1.5 s late
  garbage   a line that is not JSON every few messages
  silent    accepts connections, never greets
  drop      closes each connection 3 s after accepting it
--churn D makes one VM quit every D and come back (a new QEMU, same
socket) D later; every fifth one goes for good and a new name appears.
--reset-every D makes every guest reset every D, so events flow steadily.

Examples:
  qmpdash sim --count 500 /tmp/fleet
  qmpdash sim --count 20 --misbehave slow,garbage=2,silent,drop /tmp/fleet
  qmpdash sim --count 200 --churn 2s --reset-every 10s /tmp/fleet

Flags:
`

// maxSimCount bounds --count: each VM is a listening socket (one file
// descriptor) and a few goroutines while a client is attached.
const maxSimCount = 10000

func runSim(ctx context.Context, args []string, stdout, _ io.Writer) error {
	fs := newFlagSet("sim")
	count := fs.Int("count", 50, "serve `N` monitors (1 to 10000)")
	seed := fs.Uint64("seed", 1, "draw the fleet from seed `S`")
	bad := fs.String("misbehave", "", "add misbehaving VMs: `LIST` of MODE or MODE=N (slow, garbage, silent, drop)")
	churn := fs.Duration("churn", 0, "one VM quits and comes back every `D` (0: never)")
	resets := fs.Duration("reset-every", 0, "every VM's guest resets every `D` of running time, for a steady flow of events (0: a few VMs, now and then)")
	pos, err := parseFlags(fs, simUsage, args, stdout)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("sim: want exactly one DIR (got %d arguments)", len(pos))
	}
	if *count < 1 || *count > maxSimCount {
		return usagef("sim: --count %d: want 1 to %d", *count, maxSimCount)
	}
	if *churn < 0 || (*churn > 0 && *churn < 100*time.Millisecond) {
		return usagef("sim: --churn %v: want 0 or at least 100ms", *churn)
	}
	if *resets < 0 || (*resets > 0 && *resets < 100*time.Millisecond) {
		return usagef("sim: --reset-every %v: want 0 or at least 100ms", *resets)
	}
	faults, err := parseMisbehave(*bad)
	if err != nil {
		return usagef("sim: --misbehave: %v", err)
	}
	dir := pos[0]
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	specs := append(sim.ManyVMs(*count, *seed), faults...)
	if *resets > 0 {
		for i := range specs {
			specs[i].ResetEvery = *resets
		}
	}
	for _, o := range specs {
		if p := filepath.Join(dir, o.Name+".qmp"); socketInUse(p) {
			return fmt.Errorf("sim: %s is a socket something is listening on (a real VM's monitor?); sim will not replace it: use an empty DIR", p)
		}
	}
	s := &simHost{dir: dir, vms: map[string]*sim.VM{}, specs: map[string]sim.Options{}}
	for _, o := range specs {
		if err := s.start(o); err != nil {
			s.closeAll()
			return err
		}
	}
	fmt.Fprintf(stdout, "sim: %d monitors in %s (watch them: qmpdash %s); Ctrl-C stops them\n", len(specs), dir, dir)
	churned := make(chan struct{})
	if *churn > 0 {
		go func() { defer close(churned); s.churn(ctx, *churn, *seed) }()
	} else {
		close(churned)
	}
	<-ctx.Done()
	<-churned // no restart may land after the sockets are removed
	s.closeAll()
	fmt.Fprintf(stdout, "sim: stopped; sockets removed\n")
	return nil
}

// parseMisbehave turns "slow,garbage=2" into the misbehaving VMs' specs.
func parseMisbehave(list string) ([]sim.Options, error) {
	var out []sim.Options
	n := map[sim.Misbehaviour]int{}
	for item := range strings.SplitSeq(list, ",") {
		if item = strings.TrimSpace(item); item == "" {
			continue
		}
		name, num, hasNum := strings.Cut(item, "=")
		mode, err := sim.ParseMisbehaviour(name)
		if err != nil {
			return nil, err
		}
		k := 1
		if hasNum {
			if k, err = strconv.Atoi(num); err != nil || k < 1 || k > 100 {
				return nil, fmt.Errorf("%q: want MODE=N with N from 1 to 100", item)
			}
		}
		for range k {
			n[mode]++
			name := fmt.Sprintf("%s-%d", mode, n[mode])
			out = append(out, sim.Options{
				Name: name, Misbehave: mode, VCPUs: 1, MemoryMiB: 512, IOBytesPerSec: 64 << 10,
				Disks: []sim.Disk{{ID: "vda", File: "/var/lib/qmpdash-sim/" + name + ".qcow2"}},
			})
		}
	}
	return out, nil
}

// socketInUse reports whether something accepts connections on the unix
// socket at path. sim replaces a stale socket, as QEMU does, but never one
// that is served: in a shared directory that could be a real VM's monitor.
func socketInUse(path string) bool {
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&os.ModeSocket == 0 {
		return false
	}
	c, err := net.DialTimeout("unix", path, time.Second)
	if err != nil {
		return false
	}
	_ = c.Close()
	return true
}

// simHost is the running simulated VMs by name. A VM that quit (a client
// ran quit, or churn stopped it) is closed and forgotten.
type simHost struct {
	dir   string
	mu    sync.Mutex
	vms   map[string]*sim.VM
	specs map[string]sim.Options
	next  int // names made up by churn
}

func (s *simHost) start(o sim.Options) error {
	vm := sim.New(o)
	if err := vm.ListenUnix(filepath.Join(s.dir, o.Name+".qmp")); err != nil {
		_ = vm.Close()
		return fmt.Errorf("sim: %s: %w", o.Name, err)
	}
	s.mu.Lock()
	s.vms[o.Name], s.specs[o.Name] = vm, o
	s.mu.Unlock()
	return nil
}

func (s *simHost) stop(name string) {
	s.mu.Lock()
	vm := s.vms[name]
	delete(s.vms, name)
	delete(s.specs, name)
	s.mu.Unlock()
	if vm != nil {
		_ = vm.Close()
	}
}

func (s *simHost) closeAll() {
	s.mu.Lock()
	vms := s.vms
	s.vms = map[string]*sim.VM{}
	s.mu.Unlock()
	var wg sync.WaitGroup
	for _, vm := range vms {
		wg.Go(func() { _ = vm.Close() })
	}
	wg.Wait()
}

// churn stops a random well-behaved VM every d and starts it again (a new
// VM on the same socket, as a restarted QEMU) d later; every fifth stopped
// VM stays gone and a VM with a new name takes its place.
func (s *simHost) churn(ctx context.Context, d time.Duration, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 42))
	t := time.NewTicker(d)
	defer t.Stop()
	var back []sim.Options // stopped at the last tick, started at this one
	for round := 1; ; round++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, o := range back {
			_ = s.start(o)
		}
		back = back[:0]
		s.mu.Lock()
		names := make([]string, 0, len(s.vms))
		for name := range s.vms {
			if s.specs[name].Misbehave == sim.Behave {
				names = append(names, name)
			}
		}
		s.mu.Unlock()
		if len(names) == 0 {
			continue
		}
		name := names[r.IntN(len(names))]
		s.mu.Lock()
		o := s.specs[name]
		s.mu.Unlock()
		s.stop(name)
		if round%5 == 0 {
			s.next++
			o.Name = fmt.Sprintf("new-%03d", s.next)
			o.Disks = nil
		}
		back = append(back, o)
	}
}
