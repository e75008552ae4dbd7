package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemutest"
	"github.com/qmpdash/qmpdash/internal/testio"
)

// freeAddr is a 127.0.0.1 address nothing listens on (now).
func freeAddr(t *testing.T) string {
	t.Helper()
	return "127.0.0.1:" + strconv.Itoa(qemutest.FreePort(t))
}

// startExporter runs 'qmpdash exporter' in-process until the test ends
// and waits until it answers at addr.
func startExporter(t *testing.T, client *http.Client, scheme string, args ...string) string {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	var stderr testio.SyncBuffer
	done := make(chan int, 1)
	go func() { done <- Run(ctx, append([]string{"exporter", "--listen", addr}, args...), io.Discard, &stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			t.Errorf("exporter did not stop within 15s of its context ending")
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := client.Get(scheme + "://" + addr + "/")
		if err == nil {
			resp.Body.Close()
			return addr
		}
		select {
		case code := <-done:
			t.Fatalf("exporter exited with %d: %s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("exporter not answering at %s within 10s: %v (stderr %s)", addr, err, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// scrape GETs /metrics and returns the body.
func scrape(t *testing.T, client *http.Client, url string) string {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("scrape %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape %s: status %d, err %v: %s", url, resp.StatusCode, err, b)
	}
	return string(b)
}

// sample is the value of the series named exactly series ("name{labels}")
// in an exposition, or "" when absent.
func sample(body, series string) string {
	for line := range strings.SplitSeq(body, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			return v
		}
	}
	return ""
}

// waitScrape scrapes until every series has its value, or fails naming
// what it waited for.
func waitScrape(t *testing.T, client *http.Client, url string, within time.Duration, want map[string]string) string {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		body := scrape(t, client, url)
		var missing []string
		for s, v := range want {
			if got := sample(body, s); got != v {
				missing = append(missing, fmt.Sprintf("%s = %q (want %q)", s, got, v))
			}
		}
		if len(missing) == 0 {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("within %v, still %s", within, strings.Join(missing, "; "))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestExporterBadFlagsAndPortInUse(t *testing.T) {
	var stderr bytes.Buffer
	if code := Run(context.Background(), []string{"exporter", "--nope"}, io.Discard, &stderr); code != exitUsage {
		t.Errorf("bad flag: exit %d, want %d", code, exitUsage)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	stderr.Reset()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	code := Run(ctx, []string{"exporter", "--listen", l.Addr().String(), t.TempDir()}, io.Discard, &stderr)
	if code != exitFail || !strings.Contains(stderr.String(), "already in use") {
		t.Errorf("port in use: exit %d, stderr %q; want %d and 'already in use'", code, stderr.String(), exitFail)
	}
}

// promtoolCheck runs 'promtool check metrics' on body.
func promtoolCheck(t *testing.T, promtool, body string) {
	t.Helper()
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(body)
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}
