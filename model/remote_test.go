package model

import (
	"net"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/qmpdash/qmpdash/internal/qemutest"
	"github.com/qmpdash/qmpdash/remote"
)

// The listing command is run here by a real sh against real sockets,
// names with spaces and quotes included: the pattern expands, nothing
// else in it does.
func TestRemoteListCommandListsSocketsByDirAndGlob(t *testing.T) {
	dir := filepath.Join(qemutest.Dir(t), "it's a dir")
	for _, n := range []string{"", "/a.qmp", "/b c.qmp", "/d.sock", "/e.serial"} {
		p := dir + n
		if n == "" {
			if err := exec.Command("mkdir", p).Run(); err != nil {
				t.Fatal(err)
			}
			continue
		}
		l, err := net.Listen("unix", p)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
	}
	tg := remote.Target{Host: "h", Path: dir}
	for _, c := range []struct {
		path string
		want []string
	}{
		{dir, []string{dir + "/a.qmp", dir + "/b c.qmp", dir + "/d.sock"}},
		{dir + "/", []string{dir + "/a.qmp", dir + "/b c.qmp", dir + "/d.sock"}},
		{dir + "/*.qmp", []string{dir + "/a.qmp", dir + "/b c.qmp"}},
		{dir + "/e.serial", []string{dir + "/e.serial"}}, // named outright: kept
		{dir + "/*.serial", nil}, // found by a pattern, not named like a monitor
		{dir + "/none*", nil},
	} {
		out, err := exec.Command("sh", "-c", remoteListCommand(c.path)).Output()
		if err != nil {
			t.Fatalf("%s: %v", c.path, err)
		}
		addrs, err := parseRemoteListing(tg.WithPath(c.path), out)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range addrs {
			rt, err := remote.ParseTarget(a.String())
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, rt.Path)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: listed %q, want %q (output %q)", c.path, got, c.want, out)
		}
	}
}

func TestParseRemoteSpec(t *testing.T) {
	for raw, kind := range map[string]SpecKind{
		"ssh://h/run/qemu/a.qmp":  SpecRemoteMonitor,
		"ssh://h/run/qemu":        SpecRemoteScan,
		"ssh://h/run/qemu/*.qmp":  SpecRemoteScan,
		"ssh://u@h:2/run/x.sock":  SpecRemoteMonitor,
		"ssh://h/run/qemu/vm.mon": SpecRemoteScan,
		"ssh://h/run/q.qmp/":      SpecRemoteScan,
	} {
		s, err := ParseSpec(raw)
		if err != nil || s.Kind != kind {
			t.Errorf("ParseSpec(%q) = kind %v, %v; want %v", raw, s.Kind, err, kind)
		}
	}
	for _, bad := range []string{"ssh://h", "ssh://h/a\nb.qmp", "ssh://h:x/a.qmp"} {
		if _, err := ParseSpec(bad); err == nil {
			t.Errorf("ParseSpec(%q) accepted", bad)
		}
	}
}
