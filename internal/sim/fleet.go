package sim

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// Fleet is a set of simulated VMs, each listening on dir/<name>.qmp.
type Fleet struct {
	VMs   []*VM
	Paths []string // socket path of VMs[i]
}

// StartFleet starts one VM per spec. Names must be non-empty, unique and
// usable as file names. On error, VMs already started are closed.
func StartFleet(dir string, specs []Options) (*Fleet, error) {
	f := &Fleet{}
	seen := map[string]bool{}
	for _, spec := range specs {
		if spec.Name == "" || strings.ContainsAny(spec.Name, `/\`) || spec.Name == "." || spec.Name == ".." {
			_ = f.Close()
			return nil, fmt.Errorf("sim: invalid VM name %q", spec.Name)
		}
		if seen[spec.Name] {
			_ = f.Close()
			return nil, fmt.Errorf("sim: duplicate VM name %q", spec.Name)
		}
		seen[spec.Name] = true
		vm := New(spec)
		path := filepath.Join(dir, spec.Name+".qmp")
		if err := vm.ListenUnix(path); err != nil {
			_ = vm.Close()
			_ = f.Close()
			return nil, fmt.Errorf("sim: %s: %w", spec.Name, err)
		}
		f.VMs = append(f.VMs, vm)
		f.Paths = append(f.Paths, path)
	}
	return f, nil
}

// Close stops every VM; their sockets are removed.
func (f *Fleet) Close() error {
	var errs []error
	for _, vm := range f.VMs {
		errs = append(errs, vm.Close())
	}
	return errors.Join(errs...)
}

// DemoFleet is four VMs that between them exercise every panel of the
// dashboard: a plain running server, a -S guest waiting for cont, a busy
// database with two qcow2 disks and a mirror job, and a flaky guest that
// keeps resetting so the event log flows.
func DemoFleet() []Options {
	const img = "/var/lib/qmpdash-demo/"
	return []Options{
		{
			Name: "web-01", VCPUs: 2, MemoryMiB: 2048, Balloon: true,
			Disks: []Disk{
				{ID: "vda", NodeName: "web01-root", File: img + "web-01.qcow2", SizeBytes: 20 * gib},
			},
			IOBytesPerSec: 512 << 10,
		},
		{
			Name: "build-02", Paused: true, VCPUs: 8, MemoryMiB: 8192,
			Disks: []Disk{
				{ID: "vda", NodeName: "build02-root", File: img + "build-02.qcow2", SizeBytes: 40 * gib},
			},
			IOBytesPerSec: 24 << 20,
		},
		{
			Name: "db-03", VCPUs: 4, MemoryMiB: 4096, Balloon: true,
			Disks: []Disk{
				{ID: "vda", NodeName: "db03-root", File: img + "db-03-root.qcow2", SizeBytes: 8 * gib},
				{ID: "vdb", NodeName: "db03-data", File: img + "db-03-data.qcow2", SizeBytes: 64 * gib},
			},
			IOBytesPerSec: 12 << 20,
			MirrorJob:     true,
		},
		{
			Name: "flaky-04", VCPUs: 1, MemoryMiB: 512,
			Disks: []Disk{
				{Device: "drive-virtio0", ID: "vda", File: img + "flaky-04.img", Format: "raw", SizeBytes: 4 * gib},
				{Device: "cd0", ID: "cdrom0", File: img + "installer.iso", Format: "raw", SizeBytes: 700 * mib, ReadOnly: true, Removable: true},
			},
			IOBytesPerSec: 64 << 10,
			ResetEvery:    5 * time.Second,
		},
	}
}

// DemoAgentFacts is what the simulated guest agent of demo VM number i
// (named name) says: a Debian guest called name with one NIC on QEMU's
// user network and a root and a /boot file system.
func DemoAgentFacts(name string, i int) AgentFacts {
	mac := fmt.Sprintf("52:54:00:12:34:%02x", 0x56+i)
	return AgentFacts{
		Version: "7.2.22 (simulated)", HostName: name, PrettyName: "Debian GNU/Linux 12 (bookworm)",
		Kernel: "6.1.0-28-amd64", Zone: "UTC",
		Interfaces: []AgentInterface{
			{Name: "lo", MAC: "00:00:00:00:00:00", Addresses: []string{"127.0.0.1/8", "::1/128"}},
			{Name: "eth0", MAC: mac, Addresses: []string{fmt.Sprintf("10.0.2.%d/24", 15+i), fmt.Sprintf("fe80::5054:ff:fe12:34%02x/64", 0x56+i)}},
		},
		Filesystems: []AgentFilesystem{
			{Mountpoint: "/", Type: "ext4", Used: uint64(3+2*i) << 30, Total: 19 << 30},
			{Mountpoint: "/boot", Type: "ext2", Used: 96 << 20, Total: 470 << 20},
		},
		Users: []string{"root"},
	}
}
