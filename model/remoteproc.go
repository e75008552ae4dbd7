package model

import (
	"bytes"
	"context"
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
// all the host's VMs (one sed reading every file). The pid is not known from the socket (SO_PEERCRED
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

// procReadCommand prints every file with ONE process, GNU sed: each
// file's name on a line ('1F'), then its lines unambiguously escaped and
// ended by '$' ('l 0': backslash escapes for control characters and
// backslashes, no wrapping). A file that cannot be read prints nothing.
// Paths are /proc/DIGITS/... only (built here from integers), so they need
// no quoting, and never end in '$', so a name line is told from a content
// line. One process per batch, not one per file: 50 VMs' files are ~150.
func procReadCommand(paths []string) string {
	return "sed -s -n '1F;l 0' " + strings.Join(paths, " ") + " 2>/dev/null; exit 0"
}

// parseProcBatch reads procReadCommand's output; a file larger than any
// /proc file is dropped, as is anything not under /proc.
func parseProcBatch(out []byte) map[string][]byte {
	files := map[string][]byte{}
	var cur string
	var buf []byte
	flush := func() {
		if cur != "" && len(buf) <= procMaxFile {
			files[cur] = buf
		}
		cur, buf = "", nil
	}
	for line := range bytes.SplitSeq(out, []byte{'\n'}) {
		body, isContent := bytes.CutSuffix(line, []byte{'$'})
		if !isContent {
			flush()
			if bytes.HasPrefix(line, []byte("/proc/")) {
				cur = string(line)
			}
			continue
		}
		if cur == "" || len(buf) > procMaxFile {
			continue
		}
		buf = append(unescapeSedL(buf, body), '\n')
	}
	flush()
	return files
}

// unescapeSedL appends to dst the bytes sed's 'l' command escaped as b.
func unescapeSedL(dst, b []byte) []byte {
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '\\' || i+1 >= len(b) {
			dst = append(dst, c)
			continue
		}
		i++
		switch e := b[i]; e {
		case 'a':
			dst = append(dst, 7)
		case 'b':
			dst = append(dst, 8)
		case 'f':
			dst = append(dst, 12)
		case 'n':
			dst = append(dst, 10)
		case 'r':
			dst = append(dst, 13)
		case 't':
			dst = append(dst, 9)
		case 'v':
			dst = append(dst, 11)
		default:
			if e >= '0' && e <= '7' && i+2 < len(b) && b[i+1] >= '0' && b[i+1] <= '7' && b[i+2] >= '0' && b[i+2] <= '7' {
				dst = append(dst, (e-'0')<<6|(b[i+1]-'0')<<3|(b[i+2]-'0'))
				i += 2
			} else {
				dst = append(dst, e) // "\\" and anything else: the character itself
			}
		}
	}
	return dst
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
