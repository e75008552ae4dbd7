package model

import (
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A directory that has not changed since a trusted listing is not listed
// again; any change to it (a socket added), a listing made right after a
// change, or a socket whose verdict may still change makes the next scan
// list it again.
func TestExpandDirReusesAListingOnlyWhileTheDirectoryStaysTheSame(t *testing.T) {
	dir := t.TempDir()
	listen := func(name string) *net.UnixListener {
		t.Helper()
		ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: filepath.Join(dir, name), Net: "unix"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		return ln
	}
	listen("a.qmp")
	spec, err := ParseSpec(dir)
	if err != nil {
		t.Fatal(err)
	}
	j := NewSocketJudge("", nil)
	later := func() time.Time { // well past the directory's last change
		_, mtime, _ := dirState(dir)
		return mtime.Add(10 * time.Second)
	}
	names := func(l *dirListing) []string {
		var out []string
		for _, a := range l.addrs {
			out = append(out, filepath.Base(a.Addr))
		}
		return out
	}

	_, first, same, err := expandDir(spec, j, nil, later())
	if err != nil || same || first == nil || !first.trusted || len(first.addrs) != 1 {
		t.Fatalf("first listing: %+v same=%v err=%v", first, same, err)
	}
	_, second, same, _ := expandDir(spec, j, first, later())
	if !same || second != first {
		t.Fatal("an unchanged directory was listed again")
	}

	listen("b.qmp")
	_, third, same, _ := expandDir(spec, j, second, time.Now())
	if same || len(third.addrs) != 2 {
		t.Fatalf("after a socket was added: same=%v, %v", same, names(third))
	}
	if third.trusted {
		t.Fatal("a listing made right after a change is trusted")
	}
	_, fourth, same, _ := expandDir(spec, j, third, time.Now())
	if same {
		t.Fatal("an untrusted listing was reused")
	}
	if _, _, same, _ = expandDir(spec, j, fourth, later()); same {
		t.Fatal("an untrusted listing was reused")
	}

	// A socket file nothing listens on: its verdict is not final.
	ln := listen("c.qmp")
	ln.SetUnlinkOnClose(false)
	ln.Close()
	if _, err := os.Stat(filepath.Join(dir, "c.qmp")); err != nil {
		t.Fatal(err)
	}
	_, fifth, _, _ := expandDir(spec, j, nil, later())
	if fifth.trusted {
		t.Fatal("a listing with a verdict still open is trusted")
	}
}
