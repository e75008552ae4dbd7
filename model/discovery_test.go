package model

import (
	"net"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// listenUnix makes a unix socket file at path, open until the test ends.
func listenUnix(t *testing.T, path string) {
	t.Helper()
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
}

// Discovery with no target finds Proxmox's monitors, the *.qmp sockets in
// /var/run/qemu-server/, and nothing else there (the guest agents' *.qga
// sockets, pid files, VNC sockets, a .qmp that is not a socket).
func TestDiscoveryFindsProxmoxMonitorsOnly(t *testing.T) {
	root, err := os.MkdirTemp("", "qd") // short: socket paths have a length limit
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	pve := filepath.Join(root, "var/run/qemu-server")
	run := filepath.Join(root, "run/qemu")
	xdg := filepath.Join(root, "user")
	for _, d := range []string{pve, run, filepath.Join(xdg, "qemu")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []string{"100.qmp", "100.qga", "101.qmp", "101.vnc", "102.qga"} {
		listenUnix(t, filepath.Join(pve, s))
	}
	for _, f := range []string{"100.pid", "103.qmp"} { // 103.qmp: a plain file
		if err := os.WriteFile(filepath.Join(pve, f), []byte("1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	listenUnix(t, filepath.Join(run, "web.qmp"))
	listenUnix(t, filepath.Join(xdg, "qemu", "mine.sock"))

	paths := discoveryPaths(xdg, root)
	want := []string{filepath.Join(xdg, "qemu"), run, filepath.Join(pve, "*.qmp")}
	if !slices.Equal(paths, want) {
		t.Fatalf("discovery paths %v, want %v", paths, want)
	}
	addrs, err := ExpandSpecs(discoverySpecs(paths), nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range addrs {
		got = append(got, a.String())
	}
	want = []string{
		"unix:" + filepath.Join(xdg, "qemu", "mine.sock"),
		"unix:" + filepath.Join(run, "web.qmp"),
		"unix:" + filepath.Join(pve, "100.qmp"),
		"unix:" + filepath.Join(pve, "101.qmp"),
	}
	if !slices.Equal(got, want) {
		t.Fatalf("discovered\n  %v\nwant\n  %v", got, want)
	}

	// On a host with none of these directories, discovery finds nothing
	// and that is no error.
	empty := t.TempDir()
	if addrs, err := ExpandSpecs(discoverySpecs(discoveryPaths(filepath.Join(empty, "u"), empty)), nil); err != nil || len(addrs) != 0 {
		t.Fatalf("empty host: %v, %v", addrs, err)
	}
	// The real paths are these under /.
	t.Setenv("XDG_RUNTIME_DIR", "")
	if p := DiscoveryPaths(); !slices.Equal(p, []string{"/run/qemu", "/var/run/qemu-server/*.qmp"}) {
		t.Fatalf("DiscoveryPaths() = %v", p)
	}
}
