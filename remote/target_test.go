package remote

import "testing"

func TestParseTarget(t *testing.T) {
	for in, want := range map[string]Target{
		"ssh://h/run/qemu":                 {Host: "h", Path: "/run/qemu"},
		"ssh://root@h:2222/run/q/*.qmp":    {User: "root", Host: "h", Port: 2222, Path: "/run/q/*.qmp"},
		"ssh://[::1]:22/a.qmp":             {Host: "::1", Port: 22, Path: "/a.qmp"},
		"ssh://a@b@h/x?.qmp":               {User: "a@b", Host: "h", Path: "/x?.qmp"},
		"ssh://alias/var/run/qemu-server/": {Host: "alias", Path: "/var/run/qemu-server/"},
	} {
		got, err := ParseTarget(in)
		if err != nil || got != want {
			t.Errorf("ParseTarget(%q) = %+v, %v; want %+v", in, got, err, want)
		}
		if err == nil && got.String() != in {
			t.Errorf("String() = %q, want %q", got.String(), in)
		}
	}
	for _, bad := range []string{"ssh://h", "ssh://h/", "ssh:///x", "ssh://@h/x", "ssh://h:0/x", "ssh://h:99999/x", "h/x"} {
		if _, err := ParseTarget(bad); err == nil {
			t.Errorf("ParseTarget(%q) accepted", bad)
		}
	}
}
