package model

import (
	"bytes"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// unixTable builds /proc/net/unix from inode → bound path.
type unixTable struct {
	b strings.Builder
}

func (u *unixTable) add(inode int, path string) {
	if u.b.Len() == 0 {
		u.b.WriteString("Num       RefCount Protocol Flags    Type St Inode Path\n")
	}
	fmt.Fprintf(&u.b, "0000000000000000: 00000002 00000000 00010000 0001 01 %5d %s\n", inode, path)
}

// owner makes pid a process with argv that holds the socket inodes.
func (p *fakeProc) owner(pid int, argv []string, inodes ...int) {
	p.t.Helper()
	p.write(fmt.Sprintf("%d/cmdline", pid), strings.Join(argv, "\x00")+"\x00")
	fd := filepath.Join(p.root, fmt.Sprint(pid), "fd")
	if err := os.MkdirAll(fd, 0o755); err != nil {
		p.t.Fatal(err)
	}
	links := []string{"/dev/null", "pipe:[5]"}
	for _, ino := range inodes {
		links = append(links, fmt.Sprintf("socket:[%d]", ino))
	}
	for i, l := range links {
		if err := os.Symlink(l, filepath.Join(fd, fmt.Sprint(i))); err != nil {
			p.t.Fatal(err)
		}
	}
}

// discoveryProc is a fake host: QEMUs, a storage daemon and other
// processes listening on sockets in dir.
func discoveryProc(t *testing.T, dir string) *fakeProc {
	p := newFakeProc(t)
	var u unixTable
	in := func(name string) string { return filepath.Join(dir, name) }
	for ino, name := range map[int]string{
		101: "web.qmp", 102: "web-dash", 103: "web.qga", 104: "web.vnc", 105: "web.serial.sock",
		201: "mig.sock", 301: "nbd.sock", 302: "qsd.qmp",
		401: "sim.qmp", 402: "sim.ctl", 501: "theirs.sock", 502: "theirs.ctl",
	} {
		u.add(ino, in(name))
	}
	u.add(601, "rel.qmp") // bound relative to QEMU's directory
	p.write("net/unix", u.b.String())
	p.owner(100, []string{"/usr/bin/qemu-system-x86_64", "-name", "web",
		"-qmp", "unix:" + in("web.qmp") + ",server=on,wait=off",
		"-chardev", "socket,id=dash,path=" + in("web-dash") + ",server=on,wait=off", "-mon", "chardev=dash,mode=control",
		"-chardev", "socket,id=ga,path=" + in("web.qga") + ",server=on,wait=off",
		"-device", "virtio-serial", "-device", "virtserialport,chardev=ga,name=org.qemu.guest_agent.0",
		"-vnc", "unix:" + in("web.vnc"), "-serial", "unix:" + in("web.serial.sock") + ",server=on,wait=off",
	}, 101, 102, 103, 104, 105)
	p.owner(200, []string{"qemu-system-x86_64", "-qmp", "unix:/elsewhere/in.qmp,server=on,wait=off",
		"-incoming", "unix:" + in("mig.sock")}, 201)
	p.owner(300, []string{"/usr/bin/qemu-storage-daemon", "--nbd-server", "addr.type=unix,addr.path=" + in("nbd.sock"),
		"--chardev", "socket,path=" + in("qsd.qmp") + ",server=on,wait=off,id=m", "--monitor", "chardev=m"}, 301, 302)
	p.owner(400, []string{"./simulator", "--dir", dir}, 401, 402)
	p.owner(600, []string{"qemu-system-x86_64", "-daemonize", "-qmp", "unix:rel.qmp,server=on,wait=off"}, 601)
	// 501 and 502 are held by no process we can see (another user's).
	return p
}

func TestSocketJudgeOverFakeProc(t *testing.T) {
	dir := "/run/qemu"
	p := discoveryProc(t, dir)
	var log bytes.Buffer
	j := NewSocketJudge(p.root, slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug})))
	want := map[string]bool{
		"web.qmp": true, "web-dash": true, "qsd.qmp": true, "rel.qmp": true,
		"web.qga": false, "web.vnc": false, "web.serial.sock": false, "mig.sock": false, "nbd.sock": false,
		// Not QEMU, or an owner we cannot see: the name decides.
		"sim.qmp": true, "sim.ctl": false, "theirs.sock": true, "theirs.ctl": false,
		// Nobody listens (a dead VM's socket): the name decides.
		"stale.qmp": true, "stale": false,
	}
	var paths []string
	for name := range want {
		paths = append(paths, filepath.Join(dir, name))
	}
	got := j.Judge(paths)
	for name, dial := range want {
		v := got[filepath.Join(dir, name)]
		if v.Dial != dial {
			t.Errorf("%s: %+v, want dial=%v", name, v, dial)
		}
	}
	for name, why := range map[string]string{
		"mig.sock": "migration listener (-incoming)", "web.qga": "guest agent", "nbd.sock": "NBD server",
		"sim.ctl": "owner is not QEMU (simulator)", "theirs.ctl": "owner not visible", "web.serial.sock": "serial",
	} {
		if v := got[filepath.Join(dir, name)]; !strings.Contains(v.Reason, why) {
			t.Errorf("%s: reason %q, want it to say %q", name, v.Reason, why)
		}
	}
	if v := got[filepath.Join(dir, "mig.sock")]; v.Owner != 200 {
		t.Errorf("mig.sock owner %d, want 200", v.Owner)
	}
	if !strings.Contains(log.String(), "not dialled") || !strings.Contains(log.String(), "mig.sock") {
		t.Errorf("skips not logged:\n%s", log.String())
	}

	// A verdict with a known owner holds while the socket file is the
	// same: /proc is not read again (here: the owner's cmdline changed).
	p.write("200/cmdline", "qemu-system-x86_64\x00-qmp\x00unix:"+filepath.Join(dir, "mig.sock")+"\x00")
	log.Reset()
	if v := j.Judge([]string{filepath.Join(dir, "mig.sock")})[filepath.Join(dir, "mig.sock")]; v.Dial {
		t.Errorf("cached verdict changed: %+v", v)
	}
	if log.Len() != 0 {
		t.Errorf("a remembered verdict was logged again:\n%s", log.String())
	}
}

func TestSocketJudgeWithoutProc(t *testing.T) {
	j := NewSocketJudge(t.TempDir(), nil) // no net/unix
	got := j.Judge([]string{"/d/a.qmp", "/d/b.sock", "/d/mig", "/d/vm.qga"})
	for p, dial := range map[string]bool{"/d/a.qmp": true, "/d/b.sock": true, "/d/mig": false, "/d/vm.qga": false} {
		if got[p].Dial != dial || !strings.Contains(got[p].Reason, "owner unknown") {
			t.Errorf("%s: %+v, want dial=%v by name", p, got[p], dial)
		}
	}
}

// TestExpandJudgesDiscoveredSockets: a directory and a glob list only the
// sockets the judge lets be dialled; a socket named outright is listed
// whatever it is.
func TestExpandJudgesDiscoveredSockets(t *testing.T) {
	dir, err := os.MkdirTemp("", "qdx")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	for _, name := range []string{"web.qmp", "mig.sock"} {
		l, err := net.Listen("unix", filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
	}
	p := discoveryProc(t, dir)
	j := NewSocketJudge(p.root, nil)
	for _, raw := range []string{dir, filepath.Join(dir, "*")} {
		addrs, err := mustSpec(t, raw).Expand(j)
		if err != nil || len(addrs) != 1 || addrs[0].Addr != filepath.Join(dir, "web.qmp") {
			t.Errorf("Expand(%s) = %v, %v; want only web.qmp", raw, addrs, err)
		}
	}
	mig := filepath.Join(dir, "mig.sock")
	for _, raw := range []string{mig, "unix:" + mig} {
		addrs, err := ExpandSpecs([]Spec{mustSpec(t, raw)}, j)
		if err != nil || len(addrs) != 1 || addrs[0].Addr != mig {
			t.Errorf("named %s: %v, %v; want it listed", raw, addrs, err)
		}
	}
}
