package cli

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemutest"
)

// TestExporterRealVMs scrapes real VMs (one running with a disk, one
// paused) through the real command: values match QEMU, promtool is
// content, a SIGSTOPped VM does not slow a scrape and a killed VM reads
// qemu_vm_up 0.
func TestExporterRealVMs(t *testing.T) {
	qemutest.Require(t)
	qemutest.RequireImg(t)
	dir := qemutest.Dir(t)
	img := qemutest.Image(t, dir, "d0.qcow2", "8M")
	run := qemutest.Start(t, qemutest.Options{Name: "run", Dir: dir, Disks: []string{img}})
	held := qemutest.Start(t, qemutest.Options{Name: "held", Dir: dir, Paused: true})
	client := &http.Client{Timeout: 5 * time.Second}
	addr := startExporter(t, client, "http", "--interval", "200ms", "--timeout", "1s", dir)
	url := "http://" + addr + "/metrics"

	body := waitScrape(t, client, url, 20*time.Second, map[string]string{
		`qemu_vm_up{vm="run"}`:                         "1",
		`qemu_vm_up{vm="held"}`:                        "1",
		`qemu_vm_status{status="running",vm="run"}`:    "1",
		`qemu_vm_status{status="prelaunch",vm="held"}`: "1", // -S
		`qemu_vm_status{status="paused",vm="run"}`:     "0",
		`qemu_vcpus{vm="run"}`:                         "1",
	})
	// query-block comes with the slower facts: wait for it too.
	hasDisk := func(b string) bool {
		return containsLine(b, "qemu_block_capacity_bytes{", `node="disk0",vm="run"} `+strconv.Itoa(8<<20)) ||
			containsLine(b, "qemu_block_capacity_bytes{", `node="disk0",vm="run"} 8.388608e+06`)
	}
	for deadline := time.Now().Add(20 * time.Second); !hasDisk(body); body = scrape(t, client, url) {
		if time.Now().After(deadline) {
			t.Fatalf("within 20s, no qemu_block_capacity_bytes of 8 MiB for disk0 in:\n%s", body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	wantPID := fmt.Sprintf(`pid="%d"`, run.PID())
	found := false
	for _, line := range []string{body} {
		found = containsLine(line, "qemu_vm_info{", wantPID)
	}
	if !found {
		t.Errorf("no qemu_vm_info line with %s in:\n%s", wantPID, body)
	}
	for _, fam := range []string{"qemu_memory_size_bytes", "qemu_process_resident_memory_bytes", "qemu_process_cpu_seconds_total",
		"qemu_vcpu_cpu_seconds_total", "qemu_vm_start_time_seconds", "qemu_block_read_bytes_total", "qmpdash_build_info",
		"qmpdash_poll_duration_seconds"} {
		if !containsLine(body, fam, "") {
			t.Errorf("family %s missing from a real scrape", fam)
		}
	}
	if promtool := qemutest.RequirePeer(t, "promtool", "prometheus"); promtool != "" {
		promtoolCheck(t, promtool, body)
	}

	// A frozen VM: its monitor answers nothing. Once its polls are stuck
	// (the VM reads as not up: stale), scrapes still answer, from the
	// snapshots alone (the collector never asks QEMU: collector_test.go
	// builds every family from a snapshot source with no monitor at all).
	if err := run.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	waitScrape(t, client, url, 20*time.Second, map[string]string{`qemu_vm_up{vm="run"}`: "0", `qemu_vm_up{vm="held"}`: "1"})
	for range 3 {
		if b := scrape(t, client, url); !containsLine(b, `qemu_vm_up{vm="run"}`, "") {
			t.Fatalf("a scrape beside a frozen VM lost its series:\n%s", b)
		}
	}
	if err := run.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}

	held.Kill()
	waitScrape(t, client, url, 15*time.Second, map[string]string{`qemu_vm_up{vm="held"}`: "0"})
}

// containsLine reports whether body has a line starting with prefix that
// contains sub.
func containsLine(body, prefix, sub string) bool {
	for line := range strings.SplitSeq(body, "\n") {
		if strings.HasPrefix(line, prefix) && strings.Contains(line, sub) {
			return true
		}
	}
	return false
}
