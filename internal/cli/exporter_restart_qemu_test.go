package cli

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemutest"
)

// TestExporterCountersAcrossRestart replaces a real VM's QEMU with a new
// one on the same socket while the exporter serves it. The new process's
// counters (CPU seconds, block bytes and ops) start again from zero, as
// Prometheus allows for a restarted process; what it does not allow is a
// decrease it cannot tell from a reset. So, scrape by scrape across the
// restart: a counter series that goes down must do so in a scrape where
// the VM's process start time (qemu_vm_start_time_seconds, the
// process_start_time_seconds of this exporter) differs from the scrape
// that served the higher value, and never twice for one restart (old and
// new process's values never alternate). promtool must accept every
// scrape.
func TestExporterCountersAcrossRestart(t *testing.T) {
	qemutest.Require(t)
	qemutest.RequireImg(t)
	dir := qemutest.Dir(t)
	img := qemutest.Image(t, dir, "d0.qcow2", "8M")
	opts := qemutest.Options{Name: "vm", Dir: dir, Disks: []string{img}}
	old := qemutest.Start(t, opts)
	client := &http.Client{Timeout: 5 * time.Second}
	addr := startExporter(t, client, "http", "--interval", "200ms", "--timeout", "1s", dir)
	url := "http://" + addr + "/metrics"
	promtool := qemutest.RequirePeer(t, "promtool", "prometheus")

	var scrapes []exposition
	take := func() exposition {
		e := parseExposition(t, scrape(t, client, url))
		scrapes = append(scrapes, e)
		return e
	}
	// The old process, once its firmware has read the disk (SeaBIOS looks
	// for a boot sector) and so its block counters are above zero.
	cpu := `qemu_process_cpu_seconds_total{vm="vm"}`
	rd := `qemu_block_read_ops_total{device="/machine/peripheral/vd0/virtio-backend",node="disk0",vm="vm"}`
	waitExposition(t, take, 30*time.Second, "the first process's counters", func(e exposition) bool {
		return e.pid() == strconv.Itoa(old.PID()) && e.values[cpu] > 0 && e.values[rd] >= 1
	})
	first := scrapes[len(scrapes)-1]
	promtoolCheck(t, promtool, first.body)

	old.Kill()
	waitExposition(t, take, 30*time.Second, "the VM down", func(e exposition) bool { return e.values[`qemu_vm_up{vm="vm"}`] == 0 })
	// The new process is held at -S: its firmware reads nothing, so its
	// block counters are below the old process's.
	opts.Paused = true
	neu := qemutest.Start(t, opts)
	waitExposition(t, take, 30*time.Second, "the second process's counters", func(e exposition) bool {
		return e.pid() == strconv.Itoa(neu.PID()) && e.has(cpu) && e.has(rd)
	})
	// A few more scrapes of the new process.
	for range 5 {
		take()
	}
	last := scrapes[len(scrapes)-1]
	promtoolCheck(t, promtool, last.body)
	if last.values[rd] >= first.values[rd] {
		t.Fatalf("%s: the new process's %v is not below the old's %v: the test saw no reset", rd, last.values[rd], first.values[rd])
	}
	if first.start() == last.start() || last.start() == "" {
		t.Fatalf("start time did not change across the restart: %q -> %q", first.start(), last.start())
	}

	// Every counter series, scrape by scrape.
	type seen struct {
		v     float64
		start string
		at    int
	}
	prev := map[string]seen{}
	resets := map[string]int{}
	for i, e := range scrapes {
		for series, v := range e.values {
			if !e.counter[series] {
				continue
			}
			p, ok := prev[series]
			prev[series] = seen{v, e.start(), i}
			if !ok || v >= p.v {
				continue
			}
			if e.start() == "" || e.start() == p.start {
				t.Errorf("%s went down from %v (scrape %d, start %q) to %v (scrape %d, start %q) with no visible restart",
					series, p.v, p.at, p.start, v, i, e.start())
				continue
			}
			resets[series]++
			if resets[series] > 1 {
				t.Errorf("%s reset %d times across one restart (old and new values alternate?)", series, resets[series])
			}
		}
	}
	if resets[rd] != 1 {
		t.Errorf("%s: %d resets seen, want 1", rd, resets[rd])
	}
	t.Logf("%d scrapes; counter resets seen with a new start time: %v", len(scrapes), resets)
}

// exposition is one scrape: each sample's value by series
// ("name{labels}"), and which series are counters.
type exposition struct {
	body    string
	values  map[string]float64
	counter map[string]bool
}

func (e exposition) has(series string) bool { _, ok := e.values[series]; return ok }

// start is the VM's process start time as served, "" when absent.
func (e exposition) start() string { return sample(e.body, `qemu_vm_start_time_seconds{vm="vm"}`) }

// pid is the pid label of the VM's qemu_vm_info, "" when absent.
func (e exposition) pid() string {
	for line := range strings.SplitSeq(e.body, "\n") {
		if rest, ok := strings.CutPrefix(line, "qemu_vm_info{"); ok {
			if _, after, ok := strings.Cut(rest, `pid="`); ok {
				pid, _, _ := strings.Cut(after, `"`)
				return pid
			}
		}
	}
	return ""
}

func parseExposition(t *testing.T, body string) exposition {
	t.Helper()
	e := exposition{body: body, values: map[string]float64{}, counter: map[string]bool{}}
	counters := map[string]bool{}
	for line := range strings.SplitSeq(body, "\n") {
		if rest, ok := strings.CutPrefix(line, "# TYPE "); ok {
			if name, typ, ok := strings.Cut(rest, " "); ok && typ == "counter" {
				counters[name] = true
			}
			continue
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			t.Fatalf("bad sample line %q", line)
		}
		series, val := line[:i], line[i+1:]
		v, err := strconv.ParseFloat(val, 64)
		if err != nil {
			t.Fatalf("bad value in %q: %v", line, err)
		}
		e.values[series] = v
		name, _, _ := strings.Cut(series, "{")
		e.counter[series] = counters[name]
	}
	return e
}

// waitExposition scrapes (through take) until cond holds on a scrape.
func waitExposition(t *testing.T, take func() exposition, within time.Duration, what string, cond func(exposition) bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		e := take()
		if cond(e) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("within %v, no scrape with %s; last:\n%s", within, what, e.body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
