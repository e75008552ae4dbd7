package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/qmp"
)

// fakeSource is a Source backed by a fixed fleet the test edits. It records
// every command and interval change.
type fakeSource struct {
	mu       sync.Mutex
	snap     model.FleetSnapshot
	events   []model.LoggedEvent
	dropped  uint64
	changed  chan struct{}
	execs    []execCall
	reply    func(vmID, cmd string, args json.RawMessage) model.CommandResult
	interval time.Duration
	names    []string
	args     map[string][]model.ArgSpec
	// schema, when set, is a real QMP schema: ValidateArgs is then the
	// real validator's (qmp.Schema), not the fake one below. schemaErr,
	// when set, is what ValidateArgs answers instead (pending, unavailable).
	schema    *qmp.Schema
	schemaErr error
	kicks     []string // VMs Reconnect was asked for
}

type execCall struct {
	vmID, cmd string
	args      string
}

func newFakeSource(vms ...model.VMSnapshot) *fakeSource {
	f := &fakeSource{changed: make(chan struct{}, 1)}
	f.snap = model.FleetSnapshot{VMs: vms, Interval: time.Second, Version: 1}
	// Every command the palette's actions send, as a QEMU 7.2 offers them
	// (sorted, as Source.CommandNames promises).
	f.names = []string{"balloon", "block-job-cancel", "blockdev-change-medium", "cont", "device_del", "eject",
		"human-monitor-command", "job-cancel", "job-complete", "job-pause", "job-resume", "migrate_cancel",
		"query-block", "query-commands", "query-status", "query-version", "quit", "screendump", "stop",
		"system_powerdown", "system_reset"}
	f.args = map[string][]model.ArgSpec{
		"query-status":     {},
		"query-block":      {},
		"block-job-cancel": {{Name: "device", Type: "str"}, {Name: "force", Type: "bool", Optional: true}},
		"eject":            {{Name: "device", Type: "str", Optional: true}, {Name: "id", Type: "str", Optional: true}, {Name: "force", Type: "bool", Optional: true}},
		"device_del":       {{Name: "id", Type: "str"}},
	}
	return f
}

func (f *fakeSource) Snapshot() model.FleetSnapshot {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.snap
}

func (f *fakeSource) Changed() <-chan struct{} { return f.changed }

func (f *fakeSource) EventsSince(seq uint64) []model.LoggedEvent {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []model.LoggedEvent
	for _, e := range f.events {
		if e.Seq > seq {
			out = append(out, e)
		}
	}
	return out
}

// fakeVMLog mirrors the model's per-VM log cap.
const fakeVMLog = 1000

// VMEvents is the VM's own log as the model keeps it: its events only,
// numbered by the VM's own Seq (not the merged one), the newest fakeVMLog.
func (f *fakeSource) VMEvents(vmID string) []model.LoggedEvent {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []model.LoggedEvent
	for _, e := range f.events {
		if e.Source == vmID {
			e.Seq = uint64(len(out) + 1)
			out = append(out, e)
		}
	}
	if over := len(out) - fakeVMLog; over > 0 {
		out = out[over:]
	}
	return out
}

func (f *fakeSource) EventsDropped() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.dropped
}

func (f *fakeSource) Execute(_ context.Context, vmID, command string, args json.RawMessage) model.CommandResult {
	f.mu.Lock()
	f.execs = append(f.execs, execCall{vmID, command, string(args)})
	reply := f.reply
	f.mu.Unlock()
	if reply != nil {
		return reply(vmID, command, args)
	}
	return model.CommandResult{VMID: vmID, Command: command, Reply: json.RawMessage(`{}`)}
}

// ExecuteAgent records the command as "agent:COMMAND", so mustNotSend
// sees it too.
func (f *fakeSource) ExecuteAgent(_ context.Context, vmID, command string, args json.RawMessage) model.CommandResult {
	f.mu.Lock()
	f.execs = append(f.execs, execCall{vmID, "agent:" + command, string(args)})
	f.mu.Unlock()
	return model.CommandResult{VMID: vmID, Command: command}
}

// Reconnect kicks a VM that is not connected, as the fleet does.
func (f *fakeSource) Reconnect(vmID string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.kicks = append(f.kicks, vmID)
	v, ok := f.snap.VM(vmID)
	if !ok {
		return false, fmt.Errorf("%s: %w", vmID, model.ErrUnknownVM)
	}
	return v.Conn != model.ConnConnected, nil
}

func (f *fakeSource) reconnects() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.kicks...)
}

func (f *fakeSource) SetInterval(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.interval = d
	f.snap.Interval = d
}

func (f *fakeSource) CommandNames(string) []string { return f.names }

func (f *fakeSource) CommandArgs(_, command string) ([]model.ArgSpec, bool) {
	a, ok := f.args[command]
	return a, ok
}

// ValidateArgs knows the fake schema: unknown members and missing required
// ones are errors, like the real validator.
func (f *fakeSource) ValidateArgs(_, command string, args json.RawMessage) error {
	f.mu.Lock()
	s, serr := f.schema, f.schemaErr
	f.mu.Unlock()
	if serr != nil {
		return serr
	}
	if s != nil {
		return s.ValidateArgs(command, args)
	}
	specs, ok := f.args[command]
	if !ok {
		return nil
	}
	var obj map[string]json.RawMessage
	if len(args) > 0 {
		if err := json.Unmarshal(args, &obj); err != nil {
			return err
		}
	}
	known := map[string]bool{}
	for _, s := range specs {
		known[s.Name] = true
		if _, ok := obj[s.Name]; !ok && !s.Optional {
			return fmt.Errorf("missing member %q", s.Name)
		}
	}
	for k := range obj {
		if !known[k] {
			return fmt.Errorf("unknown member %q", k)
		}
	}
	return nil
}

// update edits the fleet and signals a change, as the real fleet does.
func (f *fakeSource) update(fn func(s *model.FleetSnapshot)) {
	f.mu.Lock()
	fn(&f.snap)
	f.snap.Version++
	f.mu.Unlock()
	select {
	case f.changed <- struct{}{}:
	default:
	}
}

func (f *fakeSource) addEvents(evs ...model.LoggedEvent) {
	f.mu.Lock()
	for _, e := range evs {
		e.Seq = uint64(len(f.events) + 1)
		f.events = append(f.events, e)
	}
	f.mu.Unlock()
	select {
	case f.changed <- struct{}{}:
	default:
	}
}

func (f *fakeSource) calls() []execCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]execCall(nil), f.execs...)
}

// t0 is the fixture's "now": every time in it is relative to t0, and tests
// give the app a clock stopped at t0.
var t0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

func hist(vals ...float64) []float64 { return vals }

// demoVMs is a small fleet with one VM in each interesting state.
func demoVMs() []model.VMSnapshot {
	web := model.VMSnapshot{
		ID: "unix:/run/qemu/web-01.qmp", Target: "/run/qemu/web-01.qmp", Conn: model.ConnConnected,
		Name: "web-01", Version: "7.2.22", VersionPackage: "Debian 1:7.2+dfsg-7", KVM: true, PID: 4242,
		UUID: "6f1c2f3e-1d2b-4c5a-9e8f-0a1b2c3d4e5f", RunState: "running", Running: true,
		RunningSince: t0.Add(-3*time.Hour - 4*time.Minute),
		VCPUs: []model.VCPU{
			{Index: 0, ThreadID: 4250, CPUPercent: 42, HasCPU: true, History: hist(10, 20, 30, 42)},
			{Index: 1, ThreadID: 4251, CPUPercent: 7.5, HasCPU: true, History: hist(5, 5, 9, 7.5)},
		},
		Memory: model.Memory{BaseBytes: 2 << 30, HasBalloon: true, BalloonBytes: 1536 << 20},
		Blocks: []model.BlockDevice{
			{Device: "drive0", NodeName: "disk0", File: "/var/lib/vm/web-01.qcow2", Format: "qcow2", SizeBytes: 20 << 30,
				Inserted: true, IOStatus: "ok",
				Rate:        model.BlockRate{ReadBps: 1.5 * (1 << 20), WriteBps: 256 << 10, ReadIOPS: 120, WriteIOPS: 31},
				ReadHistory: hist(1, 2, 3, 4), WriteHistory: hist(4, 3, 2, 1)},
			{Device: "cd0", QDev: "cdrom0", Removable: true, IOStatus: "ok"},
		},
		Devices: []model.Device{{ID: "cdrom0", Type: "ide-cd"}, {ID: "net0", Type: "virtio-net-pci"}, {ID: "net1", Type: "virtio-net-pci"}},
		Jobs: []model.BlockJob{{Device: "drive0", Type: "backup", Status: "running", Len: 20 << 30, Offset: 9 << 30,
			Progress: model.JobProgress{Fraction: 0.45, Rate: 64 << 20, ETA: 3 * time.Minute, ETAKnown: true}}},
		Chardevs: []model.Chardev{{Label: "serial0", Filename: "pty:/dev/pts/3", FrontendOpen: true},
			{Label: "compat_monitor0", Filename: "unix:/run/qemu/web-01.qmp,server=on"}},
		Host: model.Host{Valid: true, CPUPercent: 49.5, RSSBytes: 1300 << 20, Threads: 9, CPUHistory: hist(20, 35, 49.5)},
	}
	db := model.VMSnapshot{
		ID: "unix:/run/qemu/db-primary.qmp", Target: "/run/qemu/db-primary.qmp", Conn: model.ConnConnected,
		Name: "db-primary", Version: "7.2.22", KVM: true, PID: 5151, RunState: "paused",
		RunningSince: t0.Add(-5 * time.Minute),
		VCPUs:        []model.VCPU{{Index: 0, ThreadID: 5160}, {Index: 1, ThreadID: 5161}, {Index: 2, ThreadID: 5162}, {Index: 3, ThreadID: 5163}},
		Memory:       model.Memory{BaseBytes: 8 << 30, PluggedBytes: 1 << 30},
		Host:         model.Host{Valid: true, CPUPercent: 0.5, RSSBytes: 6 << 30, Threads: 12},
	}
	build := model.VMSnapshot{
		ID: "unix:/run/qemu/build.qmp", Target: "/run/qemu/build.qmp", Conn: model.ConnConnected,
		Name: "build-runner", Version: "8.2.0", RunState: "shutdown", RunningSince: t0.Add(-time.Minute),
		Memory:    model.Memory{BaseBytes: 4 << 30},
		Migration: model.Migration{Status: "active", TotalBytes: 4 << 30, TransferredBytes: 3 << 30, RemainingBytes: 1 << 30, Progress: 0.75, HasRAM: true, RateBps: 940.5e6 / 8, ETA: 9 * time.Second, ETAKnown: true, ZeroPages: 1000, NormalPages: 786432, NormalBytes: 3 << 30, PageSize: 4096, URI: "tcp:10.0.0.2:4444", ExpectedDowntime: 300 * time.Millisecond},
	}
	legacy := model.VMSnapshot{
		ID: "unix:/run/qemu/legacy.qmp", Target: "/run/qemu/legacy.qmp", Conn: model.ConnRetrying, Attempt: 3,
		RetryAt: t0.Add(4 * time.Second), Name: "legacy",
		LastError: model.ErrorInfo{Kind: qmp.KindConnect, Message: "dial unix /run/qemu/legacy.qmp: connect: connection refused", Time: t0.Add(-2 * time.Second)},
	}
	return []model.VMSnapshot{build, db, legacy, web}
}

func demoEvents() []model.LoggedEvent {
	web := "unix:/run/qemu/web-01.qmp"
	db := "unix:/run/qemu/db-primary.qmp"
	return []model.LoggedEvent{
		{Source: web, Name: "RESUME", Time: t0.Add(-3 * time.Hour)},
		{Source: db, Name: "STOP", Time: t0.Add(-5 * time.Minute)},
		{Source: web, Name: "BLOCK_JOB_READY", Data: json.RawMessage(`{"device": "drive0", "len": 100, "offset": 100}`), Time: t0.Add(-90 * time.Second)},
		{Source: web, Name: "BALLOON_CHANGE", Data: json.RawMessage(`{"actual": 1610612736}`), Time: t0.Add(-30*time.Second + 123*time.Millisecond)},
	}
}
