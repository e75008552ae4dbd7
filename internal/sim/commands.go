package sim

import (
	"encoding/json"
	"fmt"
	"sort"
)

// handler runs one command with VM.mu held and arguments already checked
// against the QEMU 7.2 schema. Events it emits precede its reply.
type handler func(v *VM, c *conn, a args) (any, *qmpError)

// handlers is every command the simulator implements; anything else is
// CommandNotFound, as on a QEMU built without it.
var handlers map[string]handler

func init() {
	handlers = map[string]handler{
		"qmp_capabilities":          cmdQmpCapabilities,
		"query-status":              cmdQueryStatus,
		"query-name":                cmdQueryName,
		"query-version":             cmdQueryVersion,
		"query-kvm":                 cmdQueryKVM,
		"query-uuid":                cmdQueryUUID,
		"query-vnc":                 cmdQueryVNC,
		"query-iothreads":           cmdQueryIOThreads,
		"query-cpus-fast":           cmdQueryCPUsFast,
		"query-hotpluggable-cpus":   cmdQueryHotpluggableCPUs,
		"query-block":               cmdQueryBlock,
		"query-blockstats":          cmdQueryBlockstats,
		"query-named-block-nodes":   cmdQueryNamedBlockNodes,
		"query-block-jobs":          cmdQueryBlockJobs,
		"query-jobs":                cmdQueryJobs,
		"query-memory-size-summary": cmdQueryMemorySizeSummary,
		"query-balloon":             cmdQueryBalloon,
		"query-migrate":             cmdQueryMigrate,
		"query-chardev":             cmdQueryChardev,
		"query-commands":            cmdQueryCommands,
		"query-qmp-schema":          cmdQueryQmpSchema,
		"stop":                      cmdStop,
		"cont":                      cmdCont,
		"system_reset":              cmdSystemReset,
		"system_powerdown":          cmdSystemPowerdown,
		"quit":                      cmdQuit,
		"balloon":                   cmdBalloon,
		"eject":                     cmdEject,
		"device_del":                cmdDeviceDel,
		"screendump":                cmdScreendump,
		"human-monitor-command":     cmdHumanMonitorCommand,
		"blockdev-add":              cmdBlockdevAdd,
		"blockdev-mirror":           cmdBlockdevMirror,
		"block-job-cancel":          cmdBlockJobCancel,
		"migrate-pause":             cmdMigratePause,
	}
}

func cmdQmpCapabilities(_ *VM, c *conn, a args) (any, *qmpError) {
	if c.negotiated {
		return nil, errorf(classCommandNotFound, "Capabilities negotiation is already complete, command ignored")
	}
	var enable []string
	_ = json.Unmarshal(a["enable"], &enable) // the schema allows only "oob", which we offer
	c.negotiated = true
	for _, capability := range enable {
		if capability == "oob" {
			c.oob = true
		}
	}
	return empty{}, nil
}

// ---- run state ----

type statusInfo struct {
	Status     string `json:"status"`
	Singlestep bool   `json:"singlestep"`
	Running    bool   `json:"running"`
}

func cmdQueryStatus(v *VM, _ *conn, _ args) (any, *qmpError) {
	return statusInfo{Status: v.status, Running: v.running()}, nil
}

// stop pauses a running guest (STOP); on a guest that is not running it
// changes nothing, but QEMU still drains the block layer.
func cmdStop(v *VM, _ *conn, _ args) (any, *qmpError) {
	if v.running() {
		v.setStatus("paused")
		v.emit("STOP", nil)
	}
	v.drainJobs(v.now)
	return empty{}, nil
}

// cont starts a paused or -S (prelaunch) guest; on a running one it is a
// no-op without RESUME, as in QEMU.
func cmdCont(v *VM, _ *conn, _ args) (any, *qmpError) {
	if !v.running() {
		v.setStatus("running")
		v.emit("RESUME", nil)
	}
	return empty{}, nil
}

func cmdSystemReset(v *VM, _ *conn, _ args) (any, *qmpError) {
	v.reset(v.now, false)
	return empty{}, nil
}

// system_powerdown only presses the ACPI button; the simulated guest, like
// the recorded one, has no OS listening, so nothing else happens.
func cmdSystemPowerdown(v *VM, _ *conn, _ args) (any, *qmpError) {
	v.emit("POWERDOWN", nil)
	return empty{}, nil
}

func cmdQuit(v *VM, _ *conn, _ args) (any, *qmpError) {
	v.emit("SHUTDOWN", resetData{Guest: false, Reason: "host-qmp-quit"})
	v.quitting = true
	return empty{}, nil
}

// ---- identity ----

type nameInfo struct {
	Name string `json:"name,omitempty"`
}

func cmdQueryName(v *VM, _ *conn, _ args) (any, *qmpError) {
	return nameInfo{Name: v.opts.Name}, nil
}

func cmdQueryVersion(v *VM, _ *conn, _ args) (any, *qmpError) {
	return versionInfo{Qemu: qemuVersion, Package: v.packageString()}, nil
}

type kvmInfo struct {
	Enabled bool `json:"enabled"`
	Present bool `json:"present"`
}

func cmdQueryKVM(*VM, *conn, args) (any, *qmpError) {
	return kvmInfo{Enabled: false, Present: true}, nil
}

type uuidInfo struct {
	UUID string `json:"UUID"`
}

// QEMU reports the nil UUID unless started with -uuid.
func cmdQueryUUID(*VM, *conn, args) (any, *qmpError) {
	return uuidInfo{UUID: "00000000-0000-0000-0000-000000000000"}, nil
}

type vncInfo struct {
	Enabled bool `json:"enabled"`
}

func cmdQueryVNC(*VM, *conn, args) (any, *qmpError) { return vncInfo{}, nil }

func cmdQueryIOThreads(*VM, *conn, args) (any, *qmpError) { return []struct{}{}, nil }

// ---- CPUs and memory ----

type cpuProps struct {
	CoreID   int `json:"core-id"`
	ThreadID int `json:"thread-id"`
	SocketID int `json:"socket-id"`
}

type cpuInfoFast struct {
	ThreadID int      `json:"thread-id"`
	Props    cpuProps `json:"props"`
	QomPath  string   `json:"qom-path"`
	CPUIndex int      `json:"cpu-index"`
	Target   string   `json:"target"`
}

// cpuQomPath follows the recorded x86 numbering: device[0], then device[2]
// onwards (device[1] is another boot-time object).
func cpuQomPath(i int) string {
	if i > 0 {
		i++
	}
	return fmt.Sprintf("/machine/unattached/device[%d]", i)
}

func cmdQueryCPUsFast(v *VM, _ *conn, _ args) (any, *qmpError) {
	out := make([]cpuInfoFast, v.opts.VCPUs)
	for i := range out {
		out[i] = cpuInfoFast{ThreadID: v.threadID + i, Props: cpuProps{CoreID: i},
			QomPath: cpuQomPath(i), CPUIndex: i, Target: "x86_64"}
	}
	return out, nil
}

type hotpluggableCPU struct {
	Props      cpuProps `json:"props"`
	VCPUsCount int      `json:"vcpus-count"`
	QomPath    string   `json:"qom-path"`
	Type       string   `json:"type"`
}

func cmdQueryHotpluggableCPUs(v *VM, _ *conn, _ args) (any, *qmpError) {
	out := make([]hotpluggableCPU, 0, v.opts.VCPUs)
	for i := v.opts.VCPUs - 1; i >= 0; i-- { // QEMU lists them last first
		out = append(out, hotpluggableCPU{Props: cpuProps{CoreID: i}, VCPUsCount: 1,
			QomPath: cpuQomPath(i), Type: "qemu64-x86_64-cpu"})
	}
	return out, nil
}

type memorySummary struct {
	BaseMemory    uint64 `json:"base-memory"`
	PluggedMemory uint64 `json:"plugged-memory"`
}

func cmdQueryMemorySizeSummary(v *VM, _ *conn, _ args) (any, *qmpError) {
	return memorySummary{BaseMemory: v.memBytes()}, nil
}

func noBalloon() *qmpError {
	return errorf(classDeviceNotActive, "No balloon device has been activated")
}

func cmdQueryBalloon(v *VM, _ *conn, _ args) (any, *qmpError) {
	if !v.opts.Balloon {
		return nil, noBalloon()
	}
	return balloonData{Actual: v.balloon}, nil
}

// balloon sets a target the guest driver reaches after the reply (see
// guestStep). Like virtio-balloon it cannot exceed RAM and works in 4 KiB
// pages.
func cmdBalloon(v *VM, _ *conn, a args) (any, *qmpError) {
	value, _ := a.int("value")
	if value <= 0 {
		return nil, genericf("Parameter 'target' expects a size")
	}
	if !v.opts.Balloon {
		return nil, noBalloon()
	}
	ram := v.memBytes()
	target := min(uint64(value), ram)
	v.target = ram - ((ram-target)>>12)<<12
	return empty{}, nil
}

// ---- misc ----

func cmdQueryMigrate(*VM, *conn, args) (any, *qmpError) { return empty{}, nil }

func cmdMigratePause(*VM, *conn, args) (any, *qmpError) {
	return nil, genericf("migrate-pause is currently only supported during postcopy-active state")
}

type chardevInfo struct {
	FrontendOpen bool   `json:"frontend-open"`
	Filename     string `json:"filename"`
	Label        string `json:"label"`
}

func cmdQueryChardev(v *VM, _ *conn, _ args) (any, *qmpError) {
	path := v.sockPath
	if path == "" {
		path = v.opts.Name + ".qmp"
	}
	return []chardevInfo{
		{FrontendOpen: true, Filename: "null", Label: "ser0"},
		{FrontendOpen: true, Filename: "unix:" + path + ",server=on", Label: "compat_monitor0"},
	}, nil
}

type commandInfo struct {
	Name string `json:"name"`
}

func cmdQueryCommands(*VM, *conn, args) (any, *qmpError) {
	out := make([]commandInfo, 0, len(handlers))
	for name := range handlers {
		out = append(out, commandInfo{Name: name})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func cmdQueryQmpSchema(*VM, *conn, args) (any, *qmpError) {
	s := loadSchema()
	if s.err != nil {
		return nil, genericf("query-qmp-schema: %v", s.err)
	}
	return s.reply, nil
}

// screendump fails as on the recorded QEMU, which ran with -display none.
func cmdScreendump(_ *VM, _ *conn, a args) (any, *qmpError) {
	if dev, ok := a.str("device"); ok {
		return nil, errorf(classDeviceNotFound, "Device '%s' not found", dev)
	}
	return nil, genericf("There is no console to take a screendump from")
}
