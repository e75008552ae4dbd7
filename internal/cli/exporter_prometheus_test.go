package cli

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemutest"
)

// TestExporterScrapedByRealPrometheus runs Debian's Prometheus server
// against the exporter serving a real VM, and waits until Prometheus'
// query API returns the VM's qemu_vm_up series at 1.
func TestExporterScrapedByRealPrometheus(t *testing.T) {
	promBin := qemutest.RequirePeer(t, "prometheus", "prometheus")
	qemutest.Require(t)
	dir := qemutest.Dir(t)
	qemutest.Start(t, qemutest.Options{Name: "scraped", Dir: dir})
	client := &http.Client{Timeout: 5 * time.Second}
	exporterAddr := startExporter(t, client, "http", "--interval", "200ms", "--timeout", "1s", dir)

	promAddr := startPrometheus(t, promBin, exporterAddr)
	q := "http://" + promAddr + "/api/v1/query?query=" + url.QueryEscape(`qemu_vm_up{vm="scraped"}`)
	const within = 60 * time.Second
	deadline := time.Now().Add(within)
	var last string
	for {
		v, err := promQueryValue(client, q)
		if err == nil && v == "1" {
			return
		}
		if err != nil {
			last = err.Error()
		} else {
			last = fmt.Sprintf("value %q", v)
		}
		if time.Now().After(deadline) {
			t.Fatalf("within %v, Prometheus at %s never returned qemu_vm_up{vm=\"scraped\"} = 1 (scraping the exporter at %s); last: %s",
				within, promAddr, exporterAddr, last)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// startPrometheus runs promBin on a free loopback port with a temporary
// config (scraping target every second) and storage; it is killed when
// the test ends. It returns the server's address once it is ready.
func startPrometheus(t *testing.T, promBin, target string) string {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "prometheus.yml")
	conf := fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: qmpdash
    static_configs:
      - targets: ['%s']
`, target)
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	logf, err := os.Create(filepath.Join(dir, "prometheus.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(promBin, "--config.file="+cfg, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("start prometheus: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); logf.Close(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "prometheus.log"))
			t.Logf("prometheus log:\n%s", log)
		}
	})
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := client.Get("http://" + addr + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return addr
			}
		}
		select {
		case <-done:
			log, _ := os.ReadFile(filepath.Join(dir, "prometheus.log"))
			t.Fatalf("prometheus exited before it was ready:\n%s", log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("prometheus not ready at %s within 30s: %v", addr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// promQueryValue runs an instant query and returns the value of its one
// result ("" when there is none).
func promQueryValue(client *http.Client, q string) (string, error) {
	resp, err := client.Get(q)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var r struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return "", fmt.Errorf("query API: %v", err)
	}
	if r.Status != "success" {
		return "", fmt.Errorf("query API: status %q: %s", r.Status, r.Error)
	}
	switch len(r.Data.Result) {
	case 0:
		return "", nil
	case 1:
		s, _ := r.Data.Result[0].Value[1].(string)
		return s, nil
	}
	return "", fmt.Errorf("query API: %d series, want 1: %v", len(r.Data.Result), r.Data.Result)
}
