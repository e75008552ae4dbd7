package model

import (
	"encoding/json"
	"time"

	"github.com/qmpdash/qmpdash/qmp"
)

// The snapshot types are the contract between the fleet and its readers (the
// dashboard and the headless commands). A snapshot is built by the fleet's
// goroutines and never changed after it is published, so readers may keep it
// and read it from any goroutine without locks. Every string in it that came
// from a VM is raw: the UI sanitises at the terminal boundary.

// ConnState is where a VM's monitor connection stands.
type ConnState int

const (
	// ConnConnecting: a dial or handshake is under way.
	ConnConnecting ConnState = iota
	// ConnConnected: negotiated and being polled.
	ConnConnected
	// ConnRetrying: the last attempt failed; another follows at RetryAt.
	ConnRetrying
	// ConnGone: the socket went away (its file was removed); no more retries.
	ConnGone
	// ConnClosed: QEMU ended and said why first (Exit: a quit command, a
	// signal, the guest shutting down). Not an error; its socket is still
	// watched for a new QEMU.
	ConnClosed
)

func (s ConnState) String() string {
	switch s {
	case ConnConnecting:
		return "connecting"
	case ConnConnected:
		return "connected"
	case ConnRetrying:
		return "retrying"
	case ConnGone:
		return "gone"
	case ConnClosed:
		return "closed"
	}
	return "unknown"
}

// KindOther marks an error that did not come from the qmp package (a bug,
// or a local failure such as an unreadable directory). Every other error
// kind is qmp's own (qmp.KindConnect, ...): the fleet classifies with
// qmp.Classify and keeps its answer.
const KindOther qmp.Kind = "other"

// ErrorInfo is an error as the fleet keeps it: classified once, so readers
// never need the error value itself.
type ErrorInfo struct {
	Kind    qmp.Kind
	Class   string // QEMU's class (GenericError, CommandNotFound, ...) when Kind is response
	Message string // what happened, short: "device_del: Device 'nope' not found" (the class is in Class)
	Detail  string // the whole error text, socket included
	Time    time.Time
	// SSHHost is set when the error is the VM's SSH host being down or
	// refusing ([user@]host[:port]): the one cause every VM there shares,
	// which readers say once for the host.
	SSHHost string
}

// IsZero reports whether no error is recorded.
func (e ErrorInfo) IsZero() bool { return e.Kind == "" && e.Message == "" }

// VCPU is one virtual CPU and its host thread.
type VCPU struct {
	Index    int
	ThreadID int
	QOMPath  string
	Target   string
	// CPUPercent is the host CPU the vCPU thread used over the last interval,
	// as % of one core; HasCPU is false until two samples exist or when the
	// VM is not local.
	CPUPercent float64
	HasCPU     bool
	History    []float64
	// CPUSeconds is the host CPU time the vCPU thread has used so far
	// (cumulative, from /proc); HasCPUTime is false when not local.
	CPUSeconds float64
	HasCPUTime bool
}

// BlockDevice joins query-block (what is attached) with query-blockstats
// (counters) and the rates derived from successive counters.
type BlockDevice struct {
	Device    string // legacy device name, often empty with -blockdev
	QDev      string
	NodeName  string
	File      string
	Format    string
	SizeBytes uint64
	ReadOnly  bool
	Removable bool
	Inserted  bool
	TrayOpen  bool
	Locked    bool
	IOStatus  string

	RdBytes, WrBytes uint64
	RdOps, WrOps     uint64
	// FlushOps, FailedOps (failed reads, writes and flushes), ReadTime and
	// WriteTime are query-blockstats' cumulative counters too.
	FlushOps            uint64
	FailedOps           uint64
	ReadTime, WriteTime time.Duration
	Rate                BlockRate
	ReadHistory         []float64 // bytes/s, oldest first
	WriteHistory        []float64
}

// Label is the name a person knows the device by.
func (b BlockDevice) Label() string {
	switch {
	case b.Device != "":
		return b.Device
	case b.NodeName != "":
		return b.NodeName
	default:
		return b.QDev
	}
}

// BlockJob is one entry of query-block-jobs with its derived progress.
type BlockJob struct {
	Device   string
	Type     string
	Status   string
	Len      uint64
	Offset   uint64
	Speed    uint64
	Paused   bool
	Ready    bool
	Progress JobProgress
}

// Memory joins query-memory-size-summary and query-balloon.
type Memory struct {
	BaseBytes    uint64
	PluggedBytes uint64
	HasBalloon   bool
	// BalloonBytes is the balloon's "actual": the guest's memory as QEMU
	// reports it (query-balloon, BALLOON_CHANGE).
	BalloonBytes uint64
	// Requested is the last balloon target asked through this fleet on
	// this connection. QEMU never reports a target, so it is a request,
	// not a figure QEMU confirmed; zero when none was asked.
	Requested BalloonRequest
}

// BalloonRequest is a balloon target as asked and as QEMU applies it.
type BalloonRequest struct {
	Asked uint64 // the value sent
	// Target is Asked as QEMU's virtio-balloon applies it: capped at the
	// VM's RAM (base plus plugged) and rounded to whole 4 KiB pages.
	Target uint64
	At     time.Time
}

// IsZero reports whether no target was asked.
func (r BalloonRequest) IsZero() bool { return r.Asked == 0 }

// BalloonTargetFor is value as QEMU's virtio-balloon applies it to a VM
// with ram bytes of RAM: capped at ram, then the difference counted in
// whole 4 KiB pages (the balloon's unit). ram 0 (unknown) leaves value.
func BalloonTargetFor(value, ram uint64) uint64 {
	if ram == 0 {
		return value
	}
	if value > ram {
		value = ram
	}
	return ram - (ram-value)>>12<<12
}

// Chardev is one entry of query-chardev.
type Chardev struct {
	Label        string
	Filename     string
	FrontendOpen bool
}

// Host is what /proc says about the VM's process (this machine's /proc
// for a local VM, the SSH host's for a remote one): never figures of a
// process that has gone (Valid is false once the pid no longer exists or
// the connection dropped).
type Host struct {
	Valid      bool
	CPUPercent float64
	RSSBytes   uint64
	Threads    int
	CPUHistory []float64
	// CPUSeconds is the process's host CPU time so far (cumulative);
	// HasCPUTime says it is known (the process is local and readable).
	CPUSeconds float64
	HasCPUTime bool
	// At is when the figures (these and the VCPUs' CPU figures) were read:
	// the poll's time for a local VM, the start of the host's /proc batch
	// fetch for a remote one. Zero when there are none.
	At time.Time
	// Stale is true when At was more than two poll intervals before the
	// latest poll: the remote host's batch stopped arriving (its command
	// hangs or fails slowly, or the SSH session is slow), and the figures
	// are last known, as of At, not true now. Never true of a local VM.
	Stale bool
}

// VMSnapshot is everything known about one VM at one moment.
type VMSnapshot struct {
	ID     string // stable key: the target as resolved (e.g. unix:/run/qemu/a.qmp)
	Target string // what the user gave or discovery found
	// RemoteHost is the SSH host ([user@]host[:port]) of an ssh:// target,
	// "" for a local one; RemoteHostConn is that host's connection now
	// (FleetSnapshot.Hosts has the rest).
	RemoteHost     string
	RemoteHostConn RemoteHost

	Conn      ConnState
	Attempt   int       // reconnect attempt number while retrying
	RetryAt   time.Time // when the next attempt starts, while retrying
	LastError ErrorInfo // most recent error; kept after recovery
	// Stale is true when the latest poll failed (e.g. timed out) while
	// the connection is still up: figures are from the last good poll.
	Stale bool

	// Kind is what the server is, from what it offers (query-commands):
	// a VM, a storage daemon, or unknown until it has answered.
	Kind ServerKind

	Name           string // query-name, else the socket's file name
	Version        string // e.g. "7.2.22" and the package string in VersionPackage
	VersionPackage string
	KVM            bool
	PID            int
	UUID           string

	// RunState is QEMU's status (running, paused, prelaunch, shutdown,
	// ...) as last confirmed, at StateAt, by a poll or an event; for a
	// storage daemon, which has none, StorageDaemonState while it answers. While
	// Conn is not ConnConnected it is only the last known state.
	RunState string
	Running  bool
	StateAt  time.Time
	// RunningSince is when RunState was seen to change; zero while it has
	// not changed since qmpdash connected (the state may be far older).
	RunningSince time.Time
	// StartTime is when the QEMU process started (local VMs whose pid is
	// known, from /proc); zero when it cannot be known (TCP, remote).
	StartTime time.Time
	// SeenSince is when qmpdash connected to this QEMU.
	SeenSince time.Time
	// Exit is why QEMU ended, as it said before closing the monitor (the
	// SHUTDOWN event's reason, e.g. "host-qmp-quit", "host-signal",
	// "guest-shutdown"; "host-qmp-quit" too when a quit sent through the
	// fleet was answered). Empty when the connection was simply lost;
	// cleared when a new QEMU answers.
	Exit string

	VCPUs     []VCPU
	Memory    Memory
	Blocks    []BlockDevice
	Jobs      []BlockJob
	Migration Migration
	Chardevs  []Chardev
	Host      Host
	// Guest is what the VM's guest agent says (guest.go); State
	// GuestNone when no agent channel is known.
	Guest Guest
	// Nodes and Exports are a storage daemon's block nodes and exports
	// (storage.go); nil for a VM.
	Nodes   []BlockNode
	Exports []BlockExport
	// Devices are the devices created with an id (QOM's
	// /machine/peripheral), from the slow facts; nil when unknown.
	Devices []Device
	// Unplugs are the device_del requests sent through this fleet on this
	// connection, oldest first (unplug.go).
	Unplugs []Unplug

	EventsSeen uint64
	// EventCounts is EventsSeen by event name. Copied on write: never
	// changed once published.
	EventCounts map[string]uint64
	// ErrorCounts is every error recorded for this VM (each one that
	// became LastError) since qmpdash started watching it, by kind
	// (qmp.KindConnect, ..., KindOther). Copied on write: never changed
	// once published; nil until the first error.
	ErrorCounts map[qmp.Kind]uint64
	Polls       uint64 // completed polls since qmpdash started watching
	// LastPollDuration is how long the latest complete poll took (the
	// fast queries, and /proc for a local VM), on the fleet's clock;
	// zero until a poll completed. A failed poll leaves it as it was.
	LastPollDuration time.Duration
	Updated          time.Time // last time anything in this snapshot changed
}

// FleetSnapshot is the whole fleet at one moment, in a stable order (by ID).
type FleetSnapshot struct {
	VMs      []VMSnapshot
	Interval time.Duration
	// Hosts are the SSH hosts of ssh:// targets, by name; Insecure says
	// their host keys go unchecked (--insecure-ignore-host-key).
	Hosts    []RemoteHost
	Insecure bool
	Version  uint64 // increases on every change; readers compare to skip redraws
}

// VM returns the VM with the given ID.
func (f FleetSnapshot) VM(id string) (VMSnapshot, bool) {
	for _, v := range f.VMs {
		if v.ID == id {
			return v, true
		}
	}
	return VMSnapshot{}, false
}

// CommandResult is the outcome of a command sent through the fleet.
type CommandResult struct {
	VMID    string
	Command string
	Reply   json.RawMessage
	Err     ErrorInfo
}

// ArgSpec is one argument of a QMP command, from the VM's schema.
type ArgSpec struct {
	Name     string
	Type     string
	Optional bool
}
