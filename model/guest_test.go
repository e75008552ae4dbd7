package model

import (
	"net"
	"path/filepath"
	"testing"
)

func TestAgentBeside(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"a.qga", "b.qga", "c.qga"} {
		ln, err := net.Listen("unix", filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
	}
	for mon, want := range map[string]string{
		"a.qmp": "a.qga", "b.sock": "b.qga", "c": "c.qga", "d.qmp": "", "a.qga": "",
	} {
		w := ""
		if want != "" {
			w = filepath.Join(dir, want)
		}
		if got := AgentBeside(filepath.Join(dir, mon)); got != w {
			t.Errorf("AgentBeside(%s) = %q, want %q", mon, got, w)
		}
	}
}

func TestAgentPortOpen(t *testing.T) {
	chardevs := []Chardev{
		{Label: "compat_monitor0", Filename: "unix:/d/vm.qmp,server=on"},
		{Label: "qga0", Filename: "disconnected:unix:/d/vm.qga,server=on", FrontendOpen: false},
		{Label: "qga1", Filename: "unix:/d/other.qga,server=on", FrontendOpen: true},
	}
	for path, want := range map[string][2]bool{
		"/d/vm.qga": {false, true}, "/d/other.qga": {true, true}, "/d/none.qga": {false, false}, "": {false, false},
	} {
		open, known := agentPortOpen(chardevs, path)
		if open != want[0] || known != want[1] {
			t.Errorf("%q: open=%v known=%v, want %v", path, open, known, want)
		}
	}
}

func TestGuestFirstIP(t *testing.T) {
	g := Guest{Interfaces: []GuestInterface{
		{Name: "lo", Addresses: []string{"127.0.0.1/8", "::1/128"}},
		{Name: "eth0", Addresses: []string{"fe80::1/64", "2001:db8::5/64", "10.0.2.15/24"}},
	}}
	if got := g.FirstIP(); got != "10.0.2.15" {
		t.Fatalf("FirstIP = %q", got)
	}
	g.Interfaces[1].Addresses = g.Interfaces[1].Addresses[:2]
	if got := g.FirstIP(); got != "2001:db8::5" {
		t.Fatalf("FirstIP v6 = %q", got)
	}
	if got := (Guest{}).FirstIP(); got != "" {
		t.Fatalf("FirstIP none = %q", got)
	}
}

// Only a unix socket QEMU serves, named by an absolute path, is one qmpdash
// can dial as the agent's client; a chardev that connects out, a pty, a
// TCP socket or a relative path is not.
func TestUnixServerPath(t *testing.T) {
	for in, want := range map[string]string{
		"unix:/d/a.sock,server=on":              "/d/a.sock",
		"disconnected:unix:/d/a.sock,server=on": "/d/a.sock",
		"unix:/d/a.sock":                        "",
		"unix:/d/a.sock,server=off":             "",
		"pty:/dev/pts/3":                        "",
		"tcp:127.0.0.1:4444,server=on":          "",
		// Relative to QEMU's working directory, not ours: dialled from
		// here it could be another VM's agent.
		"unix:qga.sock,server=on":              "",
		"disconnected:unix:qga.sock,server=on": "",
	} {
		got, ok := unixServerPath(in)
		if got != want || ok != (want != "") {
			t.Errorf("unixServerPath(%q) = %q, %v", in, got, ok)
		}
	}
}
