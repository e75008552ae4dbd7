package sim

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDemoFleet(t *testing.T) {
	dir := t.TempDir()
	specs := DemoFleet()
	if len(specs) != 4 {
		t.Fatalf("demo fleet has %d VMs", len(specs))
	}
	f, err := StartFleet(dir, specs)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sawPaused, sawJob, sawResets, sawTwoQcow2 := false, false, false, false
	for i, spec := range specs {
		if f.Paths[i] != filepath.Join(dir, spec.Name+".qmp") {
			t.Fatalf("path %s", f.Paths[i])
		}
		c := dialClient(t, f.Paths[i])
		g := c.read()
		if !strings.Contains(string(g["QMP"]), spec.Name) {
			t.Fatalf("greeting of %s: %s", spec.Name, g["QMP"])
		}
		c.negotiate()
		var name nameInfo
		c.ok("query-name", nil, &name)
		if name.Name != spec.Name {
			t.Fatalf("query-name %q on %s", name.Name, spec.Name)
		}
		var st statusInfo
		c.ok("query-status", nil, &st)
		sawPaused = sawPaused || st.Status == "prelaunch"
		var jobs []blockJobInfo
		c.ok("query-block-jobs", nil, &jobs)
		sawJob = sawJob || len(jobs) == 1
		var blocks []blockInfo
		c.ok("query-block", nil, &blocks)
		qcow2 := 0
		for _, b := range blocks {
			if b.Inserted != nil && b.Inserted.Drv == "qcow2" {
				qcow2++
			}
		}
		sawTwoQcow2 = sawTwoQcow2 || (qcow2 == 2 && spec.IOBytesPerSec > 0)
		sawResets = sawResets || spec.ResetEvery > 0
		c.nc.Close()
	}
	if !sawPaused || !sawJob || !sawResets || !sawTwoQcow2 {
		t.Fatalf("demo fleet lacks a feature: paused %v job %v resets %v two-qcow2 %v", sawPaused, sawJob, sawResets, sawTwoQcow2)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	for _, p := range f.Paths {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Fatalf("socket %s left behind: %v", p, err)
		}
	}
}

func TestStartFleetRejectsBadNames(t *testing.T) {
	dir := t.TempDir()
	for _, specs := range [][]Options{
		{{Name: "a"}, {Name: "a"}},
		{{Name: "ok"}, {Name: "../escape"}},
		{{Name: ""}},
	} {
		if f, err := StartFleet(dir, specs); err == nil {
			f.Close()
			t.Fatalf("StartFleet(%v) succeeded", specs)
		}
		// VMs started before the bad one were closed again.
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Fatalf("left behind %v", entries)
		}
	}
}

func TestListenUnixReplacesStaleSocket(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "stale.qmp")
	// A crashed QEMU leaves its socket file behind with nobody listening.
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	v := New(Options{Name: "fresh"})
	defer v.Close()
	if err := v.ListenUnix(path); err != nil {
		t.Fatalf("stale socket not replaced: %v", err)
	}
	c := dialClient(t, path)
	c.read()
	c.negotiate()
	var name nameInfo
	c.ok("query-name", nil, &name)
	if name.Name != "fresh" {
		t.Fatalf("query-name %+v", name)
	}

	// Anything that is not a socket is left alone.
	regular := filepath.Join(dir, "file.qmp")
	if err := os.WriteFile(regular, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := v.ListenUnix(regular); err == nil {
		t.Fatal("ListenUnix replaced a regular file")
	}
	if b, _ := os.ReadFile(regular); string(b) != "keep" {
		t.Fatal("regular file clobbered")
	}
}
