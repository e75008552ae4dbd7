package model

import (
	"strings"
	"testing"
)

func TestParseUnixLine(t *testing.T) {
	tests := []struct {
		line string
		want unixEntry
		ok   bool
	}{
		{"0000000000000000: 00000002 00000000 00010000 0001 01 31337 /run/qemu/web.qmp", unixEntry{31337, "/run/qemu/web.qmp"}, true},
		{"0000000000000000: 00000002 00000000 00010000 0001 01  1147 /tmp/a dir/b c.sock", unixEntry{1147, "/tmp/a dir/b c.sock"}, true},
		{"0000000000000000: 00000002 00000000 00010000 0001 01 77 rel.qmp", unixEntry{77, "rel.qmp"}, true},
		{"0000000000000000: 00000003 00000000 00000000 0001 03  1148", unixEntry{}, false},
		{"0000000000000000: 00000002 00000000 00010000 0001 01 99 @/abstract", unixEntry{}, false},
		{"Num       RefCount Protocol Flags    Type St Inode Path", unixEntry{}, false},
		{"", unixEntry{}, false},
	}
	for _, tt := range tests {
		got, ok := parseUnixLine(tt.line)
		if ok != tt.ok || got != tt.want {
			t.Errorf("parseUnixLine(%q) = %+v, %v; want %+v, %v", tt.line, got, ok, tt.want, tt.ok)
		}
	}
}

func TestClassifyCmdline(t *testing.T) {
	const p = "/run/qemu/s.sock"
	qemu := func(args ...string) []string { return append([]string{"/usr/bin/qemu-system-x86_64"}, args...) }
	qsd := func(args ...string) []string { return append([]string{"qemu-storage-daemon"}, args...) }
	tests := []struct {
		name string
		argv []string
		qsd  bool
		want sockRole
		why  string // a part of the reason
	}{
		{"-qmp", qemu("-S", "-qmp", "unix:"+p+",server=on,wait=off"), false, roleMonitor, "-qmp"},
		{"-qmp old spelling", qemu("-qmp", "unix:"+p+",server,nowait"), false, roleMonitor, "-qmp"},
		{"-qmp-pretty", qemu("-qmp-pretty", "unix:"+p), false, roleMonitor, "-qmp-pretty"},
		{"--qmp", qemu("--qmp", "unix:"+p+",server=on"), false, roleMonitor, "-qmp"},
		{"-qmp uncleaned path", qemu("-qmp", "unix:/run//qemu/s.sock,server=on"), false, roleMonitor, "-qmp"},
		{"chardev and -mon control", qemu("-chardev", "socket,id=dash,path="+p+",server=on,wait=off", "-mon", "chardev=dash,mode=control"), false, roleMonitor, "id=dash"},
		{"-mon with implied chardev", qemu("-mon", "dash,mode=control", "-chardev", "socket,path="+p+",id=dash,server=on"), false, roleMonitor, "id=dash"},
		{"-mon default is HMP", qemu("-chardev", "socket,id=h,path="+p+",server=on", "-mon", "chardev=h"), false, roleOther, "HMP"},
		{"-mon readline", qemu("-chardev", "socket,id=h,path="+p+",server=on", "-mon", "chardev=h,mode=readline"), false, roleOther, "HMP"},
		{"other chardev's monitor", qemu("-chardev", "socket,id=a,path="+p+",server=on", "-chardev", "socket,id=b,path=/x.qmp,server=on", "-mon", "chardev=b,mode=control"), false, roleOther, "chardev a: no monitor"},
		{"-incoming", qemu("-qmp", "unix:/elsewhere/q.qmp,server=on", "-incoming", "unix:"+p), false, roleOther, "migration"},
		{"-vnc", qemu("-vnc", "unix:"+p), false, roleOther, "VNC"},
		{"-serial", qemu("-serial", "unix:"+p+",server=on,wait=off"), false, roleOther, "serial"},
		{"-monitor is HMP", qemu("-monitor", "unix:"+p+",server,nowait"), false, roleOther, "HMP"},
		{"guest agent", qemu("-chardev", "socket,id=ga,path="+p+",server=on,wait=off", "-device", "virtio-serial", "-device", "virtserialport,chardev=ga,name=org.qemu.guest_agent.0"), false, roleOther, "guest agent"},
		{"serial chardev", qemu("-chardev", "socket,id=c,path="+p+",server=on", "-serial", "chardev:c"), false, roleOther, "-serial"},
		{"vhost-user chardev", qemu("-chardev", "socket,id=v,path="+p, "-netdev", "vhost-user,id=n,chardev=v"), false, roleOther, "-netdev"},
		{"device on chardev", qemu("-chardev", "socket,id=c,path="+p+",server=on", "-device", "isa-serial,chardev=c"), false, roleOther, "device isa-serial"},
		{"JSON mention", qemu("-blockdev", `{"driver":"nbd","server":{"type":"unix","path":"`+p+`"}}`), false, roleOther, "-blockdev"},
		{"a longer path is not this one", qemu("-qmp", "unix:"+p+".old,server=on", "-D", p+".log"), false, roleOther, "not on the command line"},
		{"made at run time", qemu("-incoming", "defer", "-qmp", "unix:/q.qmp,server=on"), false, roleOther, "run time"},
		{"-readconfig", qemu("-readconfig", "/etc/vm.cfg"), false, roleUnknown, "readconfig"},
		{"qsd --monitor", qsd("--chardev", "socket,path="+p+",server=on,wait=off,id=m", "--monitor", "chardev=m"), true, roleMonitor, "id=m"},
		{"qsd --monitor implied", qsd("--chardev=socket,path="+p+",server=on,id=m", "--monitor=m"), true, roleMonitor, "id=m"},
		{"qsd --nbd-server", qsd("--nbd-server", "addr.type=unix,addr.path="+p), true, roleOther, "NBD"},
		{"qsd --export", qsd("--export", "type=vhost-user-blk,id=e,node-name=d,addr.type=unix,addr.path="+p), true, roleOther, "export"},
		{"qsd unused chardev", qsd("--chardev", "socket,path="+p+",server=on,id=m"), true, roleOther, "no monitor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := classifyCmdline(tt.argv, p, tt.qsd)
			if got.role != tt.want || !strings.Contains(got.why, tt.why) {
				t.Errorf("got %+v, want role %d with %q", got, tt.want, tt.why)
			}
		})
	}
}

func TestClassifyCmdlineEscapedAndRelative(t *testing.T) {
	// ",," is a comma inside a QemuOpts value.
	argv := []string{"qemu-system-x86_64", "-chardev", "socket,id=m,path=/tmp/a,,b.qmp,server=on", "-mon", "chardev=m,mode=control"}
	if c := classifyCmdline(argv, "/tmp/a,b.qmp", false); c.role != roleMonitor {
		t.Errorf("escaped comma: %+v", c)
	}
	// A socket bound relative to QEMU's working directory is matched as
	// given on the command line.
	argv = []string{"qemu-system-x86_64", "-qmp", "unix:vm.qmp,server=on", "-incoming", "unix:mig.sock"}
	if c := classifyCmdline(argv, "vm.qmp", false); c.role != roleMonitor {
		t.Errorf("relative monitor: %+v", c)
	}
	if c := classifyCmdline(argv, "mig.sock", false); c.role != roleOther {
		t.Errorf("relative migration: %+v", c)
	}
}

func TestQemuKind(t *testing.T) {
	tests := []struct {
		argv0, exe  string
		system, qsd bool
	}{
		{"/usr/bin/qemu-system-x86_64", "", true, false},
		{"whatever", "qemu-system-aarch64", true, false},
		{"/usr/bin/kvm", "", true, false},
		{"qemu-kvm", "", true, false},
		{"/usr/bin/qemu-storage-daemon", "", false, true},
		{"socat", "socat", false, false},
		{"qemu-img", "qemu-img", false, false},
	}
	for _, tt := range tests {
		sys, qsd := qemuKind([]string{tt.argv0}, tt.exe)
		if sys != tt.system || qsd != tt.qsd {
			t.Errorf("qemuKind(%q, %q) = %v, %v", tt.argv0, tt.exe, sys, qsd)
		}
	}
}
