package cli

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/guest"
	"github.com/qmpdash/qmpdash/internal/qemutest"
	"github.com/qmpdash/qmpdash/qmp"
)

// TestExporterBlockCountersMatchQEMU runs a guest that does real disk
// I/O, pauses it (so the counters stop moving) through a second monitor,
// and checks that the exporter's block counters equal QEMU's own
// query-blockstats exactly.
func TestExporterBlockCountersMatchQEMU(t *testing.T) {
	qemutest.Require(t)
	dir, ctlDir := qemutest.Dir(t), qemutest.Dir(t)
	img := filepath.Join(ctlDir, "io.raw")
	if err := guest.WriteIOLoopImage(img, 1<<20); err != nil {
		t.Fatal(err)
	}
	// The exporter watches dir; the test's own monitor lives elsewhere.
	ctlSock := filepath.Join(ctlDir, "ctl.qmp")
	qemutest.Start(t, qemutest.Options{Name: "io", Dir: dir, Extra: []string{
		"-drive", "if=none,id=drive0,format=raw,file=" + img,
		"-device", "virtio-blk-pci,drive=drive0,id=vda",
		"-qmp", "unix:" + ctlSock + ",server=on,wait=off"}})
	client := &http.Client{Timeout: 5 * time.Second}
	addr := startExporter(t, client, "http", "--interval", "200ms", "--timeout", "1s", dir)
	url := "http://" + addr + "/metrics"

	// Some I/O first: at least 16 of the guest's writes, past SeaBIOS's boot reads.
	const minWrites = 16
	deadline := time.Now().Add(60 * time.Second)
	for {
		body := scrape(t, client, url)
		if v, ok := driveSample(body, "qemu_block_write_ops_total"); ok && v >= minWrites {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("within 60s, no qemu_block_write_ops_total >= %d for drive0 in:\n%s", minWrites, body)
		}
		time.Sleep(200 * time.Millisecond)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	ctl, err := qmp.Dial(ctx, ctlSock)
	if err != nil {
		t.Fatalf("second monitor: %v", err)
	}
	defer ctl.Close()
	// stop drains in-flight requests before it returns: the counters are final.
	if err := ctl.Stop(ctx); err != nil {
		t.Fatalf("stop: %v", err)
	}
	stats := queryDrive0(ctx, t, ctl)
	again := queryDrive0(ctx, t, ctl)
	again.IdleTimeNS = stats.IdleTimeNS // time since the last request: it moves
	if again != stats {
		t.Fatalf("counters moved on a stopped VM: %+v then %+v", stats, again)
	}
	if stats.WrOperations < minWrites || stats.RdOperations == 0 {
		t.Fatalf("QEMU's counters %+v: want real reads and at least %d writes", stats, minWrites)
	}
	want := map[string]float64{
		"qemu_block_read_bytes_total":         float64(stats.RdBytes),
		"qemu_block_written_bytes_total":      float64(stats.WrBytes),
		"qemu_block_read_ops_total":           float64(stats.RdOperations),
		"qemu_block_write_ops_total":          float64(stats.WrOperations),
		"qemu_block_flush_ops_total":          float64(stats.FlushOps),
		"qemu_block_failed_ops_total":         float64(stats.FailedRdOps + stats.FailedWrOps + stats.FailedFlushOps),
		"qemu_block_read_time_seconds_total":  time.Duration(stats.RdTotalTimeNS).Seconds(),
		"qemu_block_write_time_seconds_total": time.Duration(stats.WrTotalTimeNS).Seconds(),
	}
	const within = 20 * time.Second
	deadline = time.Now().Add(within)
	for {
		body := scrape(t, client, url)
		var diffs []string
		for name, w := range want {
			if got, ok := driveSample(body, name); !ok || got != w {
				diffs = append(diffs, fmt.Sprintf("%s = %v (QEMU says %v)", name, got, w))
			}
		}
		if got := sample(body, `qemu_vm_status{status="paused",vm="io"}`); got != "1" {
			diffs = append(diffs, fmt.Sprintf("qemu_vm_status paused = %q (want 1)", got))
		}
		if len(diffs) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("within %v of pausing the VM, the exporter's drive0 counters still differ from query-blockstats: %s",
				within, strings.Join(diffs, "; "))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// queryDrive0 is query-blockstats' entry for drive0.
func queryDrive0(ctx context.Context, t *testing.T, c *qmp.Client) qmp.BlockStats {
	t.Helper()
	entries, err := c.QueryBlockStats(ctx)
	if err != nil {
		t.Fatalf("query-blockstats: %v", err)
	}
	for _, e := range entries {
		if e.Device == "drive0" {
			return e.Stats
		}
	}
	t.Fatalf("query-blockstats has no drive0: %+v", entries)
	return qmp.BlockStats{}
}

// driveSample is the value of family's series for device drive0.
func driveSample(body, family string) (float64, bool) {
	for line := range strings.SplitSeq(body, "\n") {
		if !strings.HasPrefix(line, family+"{") || !strings.Contains(line, `device="drive0"`) {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		return v, err == nil
	}
	return 0, false
}
