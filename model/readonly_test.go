package model

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemutest"
	"github.com/qmpdash/qmpdash/qmp"
)

func TestReadOnlyAllowsReadsOnly(t *testing.T) {
	for _, c := range []string{"query-status", "query-block", "query-qmp-schema", "query-cpus-fast",
		"qom-get", "qom-list", "qom-list-types", "qom-list-properties"} {
		if !ReadOnlyAllows(c) {
			t.Errorf("ReadOnlyAllows(%q) = false; it only reads", c)
		}
	}
	for _, c := range []string{"stop", "cont", "quit", "system_reset", "system_powerdown", "balloon",
		"device_del", "eject", "blockdev-change-medium", "job-cancel", "migrate_cancel", "screendump",
		"human-monitor-command", "qom-set", "qmp_capabilities", "x-exit-preconfig",
		"query-", "query", "", " query-status", "Query-status", "qom-list-x", "qom-getx"} {
		if ReadOnlyAllows(c) {
			t.Errorf("ReadOnlyAllows(%q) = true; read-only mode must not send it", c)
		}
	}
	if !strings.Contains(ReadOnlyRule, "query-*") || !strings.Contains(ReadOnlyRule, "qom-get") {
		t.Errorf("ReadOnlyRule %q does not name what is allowed", ReadOnlyRule)
	}
}

// The fleet's own guard holds even when no UI is in front of it: a
// read-only fleet refuses stop (and stop through HMP) sent straight to
// Execute, and the VM keeps running.
func TestFleetReadOnlyRefusesMutatingCommandsQEMU(t *testing.T) {
	dir := qemutest.Dir(t)
	ctl := filepath.Join(dir, "ctl.qmp") // the test's own monitor, to ask QEMU
	vm := qemutest.Start(t, qemutest.Options{Name: "ro", Dir: dir,
		Extra: []string{"-qmp", "unix:" + ctl + ",server=on,wait=off"}})
	cfg := testConfig()
	cfg.Timeout = 10 * time.Second
	cfg.ReadOnly = true
	f := startFleet(t, cfg, vm.Socket)
	id := "unix:" + vm.Socket
	waitFor(t, f, 30*time.Second, "ro connected and running", func(s FleetSnapshot) bool {
		v, _ := s.VM(id)
		return v.Conn == ConnConnected && v.RunState == "running"
	})

	ctx := context.Background()
	for _, c := range []struct {
		command string
		args    string
	}{
		{"stop", ""},
		{"human-monitor-command", `{"command-line": "stop"}`},
		{"quit", ""},
	} {
		res := f.Execute(ctx, id, c.command, json.RawMessage(c.args))
		if res.Err.Message == "" || !strings.Contains(res.Err.Message, "read-only") || res.Reply != nil {
			t.Errorf("read-only fleet ran %s: reply %s, err %+v", c.command, res.Reply, res.Err)
		}
	}
	if res := f.Execute(ctx, id, "query-status", nil); res.Err.Message != "" || !strings.Contains(string(res.Reply), `"running"`) {
		t.Fatalf("query-status refused or wrong: reply %s, err %+v", res.Reply, res.Err)
	}
	if res := f.Execute(ctx, id, "qom-list", json.RawMessage(`{"path": "/machine"}`)); res.Err.Message != "" || len(res.Reply) == 0 {
		t.Fatalf("qom-list refused: reply %s, err %+v", res.Reply, res.Err)
	}

	c, err := qmp.Dial(ctx, ctl)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	qctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	st, err := c.QueryStatus(qctx)
	if err != nil || st.Status != "running" {
		t.Fatalf("QEMU says %+v, %v after the refused commands; want running", st, err)
	}
	select {
	case <-vm.Exited():
		t.Fatal("QEMU exited: the refused quit was sent")
	default:
	}
}
