package cli

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemutest"
)

// The guest agent's facts in a real scrape: a real qemu-ga beside one real
// VM (its facts are this host's), and a VM whose virtserialport's guest
// runs no agent (found through QOM; the port is closed): up 1 and the
// facts for the first, up 0 and no facts for the second; promtool clean.
func TestExporterGuestAgent(t *testing.T) {
	qemutest.Require(t)
	dir := qemutest.Dir(t)
	qemutest.Start(t, qemutest.Options{Name: "ga", Dir: dir})
	qemutest.StartAgent(t, filepath.Join(dir, "ga.qga"))
	qemutest.Start(t, qemutest.Options{Name: "noga", Dir: dir, Extra: qemutest.AgentPort(filepath.Join(qemutest.Dir(t), "x-agent.sock"))})
	client := &http.Client{Timeout: 5 * time.Second}
	addr := startExporter(t, client, "http", "--interval", "200ms", "--timeout", "2s", dir)
	url := "http://" + addr + "/metrics"
	body := waitScrape(t, client, url, 30*time.Second, map[string]string{
		`qemu_guest_agent_up{vm="ga"}`:   "1",
		`qemu_guest_agent_up{vm="noga"}`: "0",
	})
	host, _ := os.Hostname()
	if !containsLine(body, "qemu_guest_info{", `hostname="`+host+`"`) {
		t.Errorf("no qemu_guest_info with hostname %q in:\n%s", host, body)
	}
	for _, fam := range []string{"qemu_guest_users{", "qemu_guest_filesystem_used_bytes{", "qemu_guest_filesystem_size_bytes{", "qemu_guest_network_address_info{"} {
		if !containsLine(body, fam, `vm="ga"`) {
			t.Errorf("no %s series for ga", fam)
		}
		if containsLine(body, fam, `vm="noga"`) {
			t.Errorf("%s series for a VM whose agent does not answer", fam)
		}
	}
	if promtool := qemutest.RequirePeer(t, "promtool", "prometheus"); promtool != "" {
		promtoolCheck(t, promtool, body)
	}
}
