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
// all the host's VMs (one sed reading every file). The pid is not known
// from the socket (SO_PEERCRED does not cross SSH): it is the Tgid of a
// vCPU thread (query-cpus-fast thread-id), read from /proc/TID/status,
// taken only if the thread's cmdline is QEMU's (remotesample.go). The
// parsers are hostproc.go's; only the reader differs.

// remoteProcs holds one batcher per host.
type remoteProcs struct {
	pool     *remote.Pool
	interval func() time.Duration
	timeout  time.Duration
	now      func() time.Time
	logf     func(msg string, args ...any)
	// fetch runs a command on a host (nil: pool.Run) and after waits
	// (nil: time.After); tests replace them.
	fetch func(ctx context.Context, t remote.Target, cmd string) ([]byte, error)
	after func(time.Duration) <-chan time.Time
	ctx   context.Context // the fleet's run; set by start
	wg    *sync.WaitGroup

	mu    sync.Mutex
	hosts map[string]*procHost
}

// procBatch is one fetch: every file asked for, by path. A file the host
// could not read is absent. up is the host's /proc/uptime as read in the
// same command (0: unknown): CPU % is measured on the remote clock, not on
// when the answer happened to arrive here. at is when the fetch started,
// on the fleet's clock: the files were read no earlier, so now-at bounds
// the figures' age from above, however slow the answer was.
type procBatch struct {
	files map[string][]byte
	up    time.Duration
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
	wants  map[*remoteSampler]procWant // by connection, not VM id: a forgotten VM's watcher may linger
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
	h := &procHost{rp: rp, target: t.WithPath("/proc"), kick: make(chan struct{}, 1), wants: map[*remoteSampler]procWant{}}
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

// want records the files a VM connection needs from the next batches; new
// paths fetch at once rather than at the next tick.
func (h *procHost) want(rs *remoteSampler, paths []string) {
	h.mu.Lock()
	old := h.wants[rs]
	h.wants[rs] = procWant{paths: paths, at: h.rp.now()}
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

// run fetches a batch once per interval, measured from one fetch's start
// to the next's (a slow fetch does not stretch the period, which would
// make the VMs' polls sample one batch twice), and at once when a VM
// needs new files.
func (h *procHost) run(ctx context.Context) {
	fetch, after := h.rp.fetch, h.rp.after
	if fetch == nil {
		fetch = h.rp.pool.Run
	}
	if after == nil {
		after = time.After
	}
	var seq uint64
	wait := h.rp.interval()
	for {
		select {
		case <-ctx.Done():
			return
		case <-after(wait):
		case <-h.kick:
		}
		start := h.rp.now()
		wait = h.rp.interval()
		paths := h.paths()
		if len(paths) == 0 {
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, h.rp.timeout)
		out, err := fetch(cctx, h.target, procReadCommand(append(paths, procUptime)))
		cancel()
		wait = max(0, min(wait, wait-h.rp.now().Sub(start)))
		seq++
		b := &procBatch{seq: seq, at: start, err: err}
		if err == nil {
			b.files = parseProcBatch(out)
			b.up, _ = procParseUptime(b.files[procUptime])
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

// procUptime is in every batch: the host's clock for CPU %.
const procUptime = "/proc/uptime"

// procParseUptime reads /proc/uptime's first field, the seconds since
// boot (two decimals), as a duration.
func procParseUptime(b []byte) (time.Duration, error) {
	f := bytes.Fields(b)
	if len(f) == 0 {
		return 0, fmt.Errorf("%w: empty uptime", ErrProcFormat)
	}
	secs, err := strconv.ParseFloat(string(f[0]), 64)
	if err != nil || secs <= 0 || secs > 1e9 {
		return 0, fmt.Errorf("%w: uptime %q", ErrProcFormat, f[0])
	}
	return time.Duration(secs * float64(time.Second)), nil
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

// sedEscapes are the C escapes sed's 'l' command writes for control bytes.
var sedEscapes = map[byte]byte{'a': 7, 'b': 8, 'f': 12, 'n': 10, 'r': 13, 't': 9, 'v': 11}

// unescapeSedL appends to dst the bytes sed's 'l' command escaped as b.
func unescapeSedL(dst, b []byte) []byte {
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '\\' || i+1 >= len(b) {
			dst = append(dst, c)
			continue
		}
		i++
		e := b[i]
		if r, ok := sedEscapes[e]; ok {
			dst = append(dst, r)
			continue
		}
		switch {
		case e >= '0' && e <= '7' && i+2 < len(b) && b[i+1] >= '0' && b[i+1] <= '7' && b[i+2] >= '0' && b[i+2] <= '7':
			dst = append(dst, (e-'0')<<6|(b[i+1]-'0')<<3|(b[i+2]-'0'))
			i += 2
		default:
			dst = append(dst, e) // "\\" and anything else: the character itself
		}
	}
	return dst
}
