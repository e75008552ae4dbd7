package panes

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemutest"
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/qmp"
)

// A real qemu-storage-daemon with a node, an export and a running job, as
// the panes draw it: its kind, its nodes, export and job, and no error
// (it is never asked for what it does not have).
func TestStoragePanesAgainstARealDaemon(t *testing.T) {
	sd := qemutest.StartStorageDaemon(t, qemutest.StorageOptions{Name: "store"})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := qmp.Dial(ctx, sd.Socket)
	if err != nil {
		t.Fatalf("dial the storage daemon: %v", err)
	}
	for _, cmd := range qemutest.StorageJob {
		if err := c.Execute(ctx, cmd[0], json.RawMessage(cmd[1]), nil); err != nil {
			t.Fatalf("%s: %v", cmd[0], err)
		}
	}
	c.Close()

	f := startFleet(t, sd.Socket)
	v := waitVM(t, f, 20*time.Second, "store", "three polls with the job", func(v *model.VMSnapshot) bool {
		return v.Polls >= 3 && len(v.Jobs) == 1 && len(v.Exports) == 1
	})
	block := draw(BlockPane, &v, 120)
	for _, want := range []string{"▪ null0 (null-co, 1.0G, rw)", "exp0 nbd → ", "backup job0 running", "not counted"} {
		if !strings.Contains(block, want) {
			t.Errorf("Block pane lacks %q:\n%s", want, block)
		}
	}
	ov := draw(OverviewPane, &v, 120)
	if !strings.Contains(ov, "◇ storage-daemon") || strings.Contains(ov, "Error") || strings.Contains(ov, "KVM") {
		t.Errorf("Overview:\n%s", ov)
	}
	if got := draw(VCPUsPane, &v, 80); !strings.Contains(got, "no vCPUs") {
		t.Errorf("vCPUs pane: %s", got)
	}
}
