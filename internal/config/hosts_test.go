package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestHostsTableGivesSSHTargets(t *testing.T) {
	writeConfig(t, `
[hosts.lab1]
ssh = "root@lab1.example.org:2222"
targets = ["/run/qemu", "/srv/vms/*.qmp"]

[hosts.lab2]
ssh = "lab2"
`)
	set, warnings, err := Load("", Settings{}, valid)
	if err != nil || len(warnings) > 0 {
		t.Fatalf("err %v warnings %v", err, warnings)
	}
	got, err := set.HostTargets([]string{"lab2", "lab1"})
	want := []string{"ssh://lab2/run/qemu", "ssh://lab2/var/run/qemu-server/*.qmp",
		"ssh://root@lab1.example.org:2222/run/qemu", "ssh://root@lab1.example.org:2222/srv/vms/*.qmp"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("HostTargets = %q, %v; want %q", got, err, want)
	}
	if _, err := set.HostTargets([]string{"lab3"}); err == nil || !strings.Contains(err.Error(), "lab1, lab2") {
		t.Fatalf("unknown host: err %v, want the known ones listed", err)
	}
}

func TestHostsTableBadValues(t *testing.T) {
	for text, want := range map[string]string{
		"[hosts.a]\ntargets = [\"/x\"]\n":             "no ssh",
		"[hosts.a]\nssh = \"h\"\ntargets = [\"x\"]\n": "not an absolute path",
		"[hosts.a]\nssh = \"h/x\"\n":                  "[user@]host[:port]",
		"[hosts.a]\nssh = \"h\"\nport = 22\n":         `unknown key "port"`,
		"hosts = 1\n":                                 "want tables",
	} {
		writeConfig(t, text)
		if _, _, err := Load("", Settings{}, valid); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err %v, want %q", text, err, want)
		}
	}
}
