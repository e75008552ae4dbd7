package sim

import "time"

// Options describes one simulated QEMU 7.2 VM. The zero value is a running
// one-vCPU, 128 MiB machine (QEMU's defaults) with no disks and no balloon.
type Options struct {
	Name      string // query-name ("" makes query-name return {} like QEMU without -name); also in the package string
	Paused    bool   // start as with -S: status "prelaunch", running false, until cont
	VCPUs     int    // query-cpus-fast entries; <=0 means 1
	MemoryMiB int    // query-memory-size-summary base-memory, query-balloon actual; <=0 means 128
	Balloon   bool   // false: balloon/query-balloon fail with DeviceNotActive like QEMU without virtio-balloon
	Disks     []Disk // query-block / query-blockstats entries, in this order

	// IOBytesPerSec is the guest's total disk throughput while running,
	// spread over the non-removable disks. Counters are computed from
	// accumulated running time, so they only grow while the VM runs.
	IOBytesPerSec uint64

	// MirrorJob starts the VM with a rate-limited "mirror0" block job on the
	// first non-removable disk. It becomes ready (JOB_STATUS_CHANGE +
	// BLOCK_JOB_READY) after about a minute of clock time.
	MirrorJob bool

	// ResetEvery > 0 makes the guest reset itself (RESET, "guest-reset")
	// after every ResetEvery of running time, so event logs have traffic.
	ResetEvery time.Duration

	// Misbehave makes the monitor show a fault on purpose (misbehave.go);
	// the zero value behaves.
	Misbehave Misbehaviour

	// Clock is the time source for timestamps and every rate; tests inject
	// a manual clock. Default time.Now.
	Clock func() time.Time
}

// Disk is one drive. A Device name models "-drive id=NAME" (legacy, named
// BlockBackend); leave it empty for modern "-blockdev" + "-device" setups,
// which QEMU reports with device "" and a qdev path.
type Disk struct {
	Device    string // BlockBackend name; eject's "device" argument
	ID        string // qdev id of the frontend (eject "id", device_del "id"); default vda, vdb... or cdrom0...
	NodeName  string // format node name; default an automatic "#blockNNN" like QEMU
	File      string // image path; "" on a removable drive means no medium
	Format    string // "qcow2" or "raw"; default from File's extension
	SizeBytes uint64 // virtual size; default 10 GiB (disks) or 600 MiB (media)
	ReadOnly  bool
	Removable bool // an ide-cd style drive: tray, ejectable, no guest IO
}
