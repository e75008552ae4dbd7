package model

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/qmpdash/qmpdash/remote"
)

// Host figures of remote VMs, from the remote /proc over the host's SSH
// connection. A VM's own poll never runs a remote command: it says which
// /proc files it needs (want) and samples the host's latest batch, which
// one goroutine per host fetches with ONE command per poll interval for
// all the host's VMs. The pid is not known from the socket (SO_PEERCRED
// does not cross SSH): it is the Tgid of a vCPU thread (query-cpus-fast
// thread-id), read from /proc/TID/status. The parsers are hostproc.go's;
// only the reader differs.

// remoteProcs holds one batcher per host.
type remoteProcs struct {
	pool     *remote.Pool
	interval func() time.Duration
	timeout  time.Duration
	now      func() time.Time
	logf     func(msg string, args ...any)
	ctx      context.Context // the fleet's run; set by start
	wg       *sync.WaitGroup

	mu    sync.Mutex
	hosts map[string]*procHost
}

// procBatch is one fetch: every file asked for, by path, as read at at.
// A file the host could not read is absent.
type procBatch struct {
	files map[string][]byte
	at    time.Time
	seq   uint64
	err   error
}

// read is a procFiles over the batch.
func (b *procBatch) read(p string) ([]byte, error) {
	if c, ok := b.files[p]; ok {
		return c, nil
	}
	return nil, fmt.Errorf("hostproc: remote %s: %w", p, os.ErrNotExist)
}

// procHost batches one host's wants.
type procHost struct {
	rp     *remoteProcs
	target remote.Target
	kick   chan struct{}

	mu     sync.Mutex
	wants  map[string]procWant // by VM id
	latest *procBatch
}

type procWant struct {
	paths []string
	at    time.Time // last asked; wants not renewed for 3 intervals lapse
}

// host is the batcher of t's host, started on first use.
func (rp *remoteProcs) host(t remote.Target) *procHost {
	key := t.HostKey()
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if h, ok := rp.hosts[key]; ok {
		return h
	}
	h := &procHost{rp: rp, target: t.WithPath("/proc"), kick: make(chan struct{}, 1), wants: map[string]procWant{}}
	rp.hosts[key] = h
	if rp.ctx != nil {
		rp.wg.Add(1)
		go func() {
			defer rp.wg.Done()
			h.run(rp.ctx)
		}()
	}
	return h
}

// want records the files a VM needs from the next batches; new paths
// fetch at once rather than at the next tick.
func (h *procHost) want(id string, paths []string) {
	h.mu.Lock()
	old := h.wants[id]
	h.wants[id] = procWant{paths: paths, at: h.rp.now()}
	h.mu.Unlock()
	if !slices.Equal(old.paths, paths) {
		select {
		case h.kick <- struct{}{}:
		default:
		}
	}
}

func (h *procHost) last() *procBatch {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.latest
}

func (h *procHost) run(ctx context.Context) {
	var seq uint64
	for {
		t := time.NewTimer(h.rp.interval())
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		case <-h.kick:
			t.Stop()
		}
		paths := h.paths()
		if len(paths) == 0 {
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, h.rp.timeout)
		out, err := h.rp.pool.Run(cctx, h.target, procReadCommand(paths))
		cancel()
		seq++
		b := &procBatch{at: h.rp.now(), seq: seq, err: err}
		if err == nil {
			b.files = parseProcBatch(out)
		} else if ctx.Err() == nil {
			h.rp.logf("qmpdash: remote /proc read failed", "host", h.target.HostKey(), "err", err)
		}
		h.mu.Lock()
		h.latest = b
		h.mu.Unlock()
	}
}

// paths is the union of the live wants, sorted; lapsed wants are dropped.
func (h *procHost) paths() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	cutoff := h.rp.now().Add(-3 * h.rp.interval())
	set := map[string]bool{}
	for id, w := range h.wants {
		if w.at.Before(cutoff) {
			delete(h.wants, id)
			continue
		}
		for _, p := range w.paths {
			set[p] = true
		}
	}
	return slices.Sorted(func(yield func(string) bool) {
		for p := range set {
			if !yield(p) {
				return
			}
		}
	})
}

// procReadCommand prints each file as "PATH BASE64" on one line, or
// "PATH -" when it cannot be read. Paths are /proc/DIGITS/... only
// (built here from integers), so they need no quoting.
func procReadCommand(paths []string) string {
	return "for f in " + strings.Join(paths, " ") +
		`; do if b=$(base64 -w0 "$f" 2>/dev/null); then printf '%s %s\n' "$f" "$b"; else printf '%s -\n' "$f"; fi; done`
}

// parseProcBatch reads procReadCommand's output; lines of another shape
// and files too large for /proc are dropped.
func parseProcBatch(out []byte) map[string][]byte {
	files := map[string][]byte{}
	for line := range bytes.SplitSeq(out, []byte{'\n'}) {
		p, enc, ok := bytes.Cut(line, []byte{' '})
		if !ok || string(enc) == "-" || !bytes.HasPrefix(p, []byte("/proc/")) {
			continue
		}
		b, err := base64.StdEncoding.DecodeString(string(enc))
		if err != nil || len(b) > procMaxFile {
			continue
		}
		files[string(p)] = b
	}
	return files
}

// remoteSampler is one VM connection's view of its host's /proc.
type remoteSampler struct {
	host    *procHost
	id      string
	pid     int
	sampler *ProcSampler
	started time.Time
	seq     uint64 // the batch last sampled
	last    HostFigures
	lastErr error
}

// errPidPending says the pid is still being found.
var errPidPending = fmt.Errorf("remote pid not known yet: %w", os.ErrNotExist)

// sample asks for what the next batch should hold and samples the latest
// one. A batch already sampled gives the same figures again (they are as
// of its time); none yet, or no pid yet, gives an error (no figures).
func (rs *remoteSampler) sample(tids []int) (HostFigures, error) {
	var paths []string
	if rs.pid == 0 {
		for _, t := range tids {
			if t > 0 {
				paths = append(paths, fmt.Sprintf("/proc/%d/status", t))
				break
			}
		}
	} else {
		dir := "/proc/" + strconv.Itoa(rs.pid)
		paths = append(paths, dir+"/stat", dir+"/statm")
		for _, t := range tids {
			if t > 0 {
				paths = append(paths, fmt.Sprintf("%s/task/%d/stat", dir, t))
			}
		}
		if rs.started.IsZero() {
			paths = append(paths, "/proc/stat")
		}
	}
	slices.Sort(paths)
	rs.host.want(rs.id, paths)
	b := rs.host.last()
	if b == nil {
		return HostFigures{}, errPidPending
	}
	if b.seq == rs.seq {
		return rs.last, rs.lastErr
	}
	rs.seq = b.seq
	if b.err != nil {
		rs.last, rs.lastErr = HostFigures{}, b.err
		return rs.last, rs.lastErr
	}
	if rs.pid == 0 {
		for _, p := range paths {
			if c, err := b.read(p); err == nil {
				if pid, err := procParseTgid(c); err == nil {
					rs.pid = pid
					rs.sampler = &ProcSampler{root: "/proc", pid: pid, read: b.read}
				}
			}
		}
		rs.last, rs.lastErr = HostFigures{}, errPidPending
		return rs.last, rs.lastErr
	}
	rs.sampler.read = b.read
	rs.last, rs.lastErr = rs.sampler.Sample(b.at, tids)
	if rs.lastErr == nil && rs.started.IsZero() {
		if t, err := procStartTime(b.read, "/proc", rs.pid); err == nil {
			rs.started = t
		}
	}
	return rs.last, rs.lastErr
}

// procParseTgid reads the Tgid (the process a thread belongs to) from a
// /proc/TID/status file.
func procParseTgid(b []byte) (int, error) {
	for line := range bytes.SplitSeq(b, []byte{'\n'}) {
		if v, ok := bytes.CutPrefix(line, []byte("Tgid:")); ok {
			n, err := strconv.Atoi(string(bytes.TrimSpace(v)))
			if err != nil || n <= 0 {
				return 0, fmt.Errorf("%w: Tgid %q", ErrProcFormat, v)
			}
			return n, nil
		}
	}
	return 0, fmt.Errorf("%w: no Tgid", ErrProcFormat)
}
