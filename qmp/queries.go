package qmp

import "context"

// Typed queries. The structs hold what qmpdash shows; encoding/json ignores
// fields other QEMU versions add, and fields they drop stay zero.

// query runs a command that takes no arguments and decodes its reply as T.
func query[T any](ctx context.Context, c *Client, command string) (T, error) {
	var r T
	err := c.Execute(ctx, command, nil, &r)
	return r, err
}

// StatusInfo is query-status.
type StatusInfo struct {
	Status  string `json:"status"` // running, paused, prelaunch, shutdown, inmigrate, postmigrate, guest-panicked, ...
	Running bool   `json:"running"`
}

// QueryStatus runs query-status.
func (c *Client) QueryStatus(ctx context.Context) (StatusInfo, error) {
	return query[StatusInfo](ctx, c, "query-status")
}

// QueryName runs query-name; "" when the VM was started without -name.
func (c *Client) QueryName(ctx context.Context) (string, error) {
	var r struct {
		Name string `json:"name"`
	}
	return r.Name, c.Execute(ctx, "query-name", nil, &r)
}

// QueryVersion runs query-version.
func (c *Client) QueryVersion(ctx context.Context) (VersionInfo, error) {
	return query[VersionInfo](ctx, c, "query-version")
}

// KVMInfo is query-kvm.
type KVMInfo struct {
	Enabled bool `json:"enabled"`
	Present bool `json:"present"`
}

// QueryKVM runs query-kvm.
func (c *Client) QueryKVM(ctx context.Context) (KVMInfo, error) {
	return query[KVMInfo](ctx, c, "query-kvm")
}

// QueryUUID runs query-uuid.
func (c *Client) QueryUUID(ctx context.Context) (string, error) {
	var r struct {
		UUID string `json:"UUID"`
	}
	return r.UUID, c.Execute(ctx, "query-uuid", nil, &r)
}

// CPUInfoFast is one entry of query-cpus-fast.
type CPUInfoFast struct {
	CPUIndex int    `json:"cpu-index"`
	ThreadID int    `json:"thread-id"` // host thread of the vCPU
	QOMPath  string `json:"qom-path"`
	Target   string `json:"target"`
	Props    struct {
		SocketID *int `json:"socket-id"`
		CoreID   *int `json:"core-id"`
		ThreadID *int `json:"thread-id"`
	} `json:"props"`
}

// QueryCPUsFast runs query-cpus-fast.
func (c *Client) QueryCPUsFast(ctx context.Context) ([]CPUInfoFast, error) {
	return query[[]CPUInfoFast](ctx, c, "query-cpus-fast")
}

// BlockInfo is one entry of query-block.
type BlockInfo struct {
	Device    string         `json:"device"`
	QDev      string         `json:"qdev"`
	Type      string         `json:"type"`
	Removable bool           `json:"removable"`
	Locked    bool           `json:"locked"`
	TrayOpen  bool           `json:"tray_open"`
	IOStatus  string         `json:"io-status"`
	Inserted  *BlockInserted `json:"inserted"`
}

// BlockInserted is the medium of a BlockInfo.
type BlockInserted struct {
	File     string `json:"file"`
	NodeName string `json:"node-name"`
	ReadOnly bool   `json:"ro"`
	Driver   string `json:"drv"`
	Image    struct {
		Filename    string `json:"filename"`
		Format      string `json:"format"`
		VirtualSize uint64 `json:"virtual-size"`
		ActualSize  uint64 `json:"actual-size"`
	} `json:"image"`
}

// QueryBlock runs query-block.
func (c *Client) QueryBlock(ctx context.Context) ([]BlockInfo, error) {
	return query[[]BlockInfo](ctx, c, "query-block")
}

// BlockStats are the counters of query-blockstats.
type BlockStats struct {
	RdBytes      uint64 `json:"rd_bytes"`
	WrBytes      uint64 `json:"wr_bytes"`
	RdOperations uint64 `json:"rd_operations"`
	WrOperations uint64 `json:"wr_operations"`
	FlushOps     uint64 `json:"flush_operations"`
	IdleTimeNS   int64  `json:"idle_time_ns"`
	// Cumulative time and failure counters (QEMU 2.5 on).
	RdTotalTimeNS  int64  `json:"rd_total_time_ns"`
	WrTotalTimeNS  int64  `json:"wr_total_time_ns"`
	FailedRdOps    uint64 `json:"failed_rd_operations"`
	FailedWrOps    uint64 `json:"failed_wr_operations"`
	FailedFlushOps uint64 `json:"failed_flush_operations"`
}

// BlockStatsEntry is one entry of query-blockstats.
type BlockStatsEntry struct {
	Device   string     `json:"device"`
	QDev     string     `json:"qdev"`
	NodeName string     `json:"node-name"`
	Stats    BlockStats `json:"stats"`
}

// QueryBlockStats runs query-blockstats.
func (c *Client) QueryBlockStats(ctx context.Context) ([]BlockStatsEntry, error) {
	return query[[]BlockStatsEntry](ctx, c, "query-blockstats")
}

// BlockJobInfo is one entry of query-block-jobs.
type BlockJobInfo struct {
	Type     string `json:"type"`
	Device   string `json:"device"` // the job id for jobs started with job-id
	Len      uint64 `json:"len"`
	Offset   uint64 `json:"offset"`
	Busy     bool   `json:"busy"`
	Paused   bool   `json:"paused"`
	Speed    uint64 `json:"speed"`
	IOStatus string `json:"io-status"`
	Ready    bool   `json:"ready"`
	Status   string `json:"status"`
	Error    string `json:"error"`
}

// QueryBlockJobs runs query-block-jobs.
func (c *Client) QueryBlockJobs(ctx context.Context) ([]BlockJobInfo, error) {
	return query[[]BlockJobInfo](ctx, c, "query-block-jobs")
}

// JobInfo is one entry of query-jobs.
type JobInfo struct {
	ID              string `json:"id"`
	Type            string `json:"type"`
	Status          string `json:"status"`
	CurrentProgress uint64 `json:"current-progress"`
	TotalProgress   uint64 `json:"total-progress"`
	Error           string `json:"error"`
}

// QueryJobs runs query-jobs.
func (c *Client) QueryJobs(ctx context.Context) ([]JobInfo, error) {
	return query[[]JobInfo](ctx, c, "query-jobs")
}

// MemorySizeSummary is query-memory-size-summary.
type MemorySizeSummary struct {
	BaseMemory    uint64 `json:"base-memory"`
	PluggedMemory uint64 `json:"plugged-memory"`
}

// QueryMemorySizeSummary runs query-memory-size-summary.
func (c *Client) QueryMemorySizeSummary(ctx context.Context) (MemorySizeSummary, error) {
	return query[MemorySizeSummary](ctx, c, "query-memory-size-summary")
}

// BalloonInfo is query-balloon.
type BalloonInfo struct {
	Actual uint64 `json:"actual"`
}

// QueryBalloon runs query-balloon. A VM without a balloon device answers
// with a ResponseError of class DeviceNotActive (IsClass tells).
func (c *Client) QueryBalloon(ctx context.Context) (BalloonInfo, error) {
	return query[BalloonInfo](ctx, c, "query-balloon")
}

// MigrationInfo is query-migrate; Status is "" when no migration has run.
type MigrationInfo struct {
	Status           string        `json:"status"`
	RAM              *MigrationRAM `json:"ram"`
	TotalTime        int64         `json:"total-time"`        // ms
	ExpectedDowntime int64         `json:"expected-downtime"` // ms
	Downtime         int64         `json:"downtime"`          // ms
	SetupTime        int64         `json:"setup-time"`        // ms
	ErrorDesc        string        `json:"error-desc"`
	// SocketAddress is where an incoming migration listens (the
	// destination reports it while it waits).
	SocketAddress []SocketAddress `json:"socket-address"`
}

// SocketAddress is QEMU's SocketAddress (flat union on "type").
type SocketAddress struct {
	Type string `json:"type"` // unix, inet, vsock, fd
	Path string `json:"path"` // unix
	Host string `json:"host"` // inet
	Port string `json:"port"` // inet, vsock
	CID  string `json:"cid"`  // vsock
	Str  string `json:"str"`  // fd
}

// String is the address as a migration URI names it (unix:PATH,
// tcp:HOST:PORT, vsock:CID:PORT, fd:NAME).
func (a SocketAddress) String() string {
	switch a.Type {
	case "unix":
		return "unix:" + a.Path
	case "inet":
		return "tcp:" + a.Host + ":" + a.Port
	case "vsock":
		return "vsock:" + a.CID + ":" + a.Port
	case "fd":
		return "fd:" + a.Str
	}
	return a.Type
}

// MigrationRAM is the "ram" member of query-migrate.
type MigrationRAM struct {
	Transferred    uint64  `json:"transferred"`
	Remaining      uint64  `json:"remaining"`
	Total          uint64  `json:"total"`
	Mbps           float64 `json:"mbps"` // megabits per second
	DirtyPagesRate uint64  `json:"dirty-pages-rate"`
	Duplicate      uint64  `json:"duplicate"` // pages found all zero: sent as a marker, not their contents
	Normal         uint64  `json:"normal"`    // pages sent whole
	NormalBytes    uint64  `json:"normal-bytes"`
	PageSize       uint64  `json:"page-size"`
}

// QueryMigrate runs query-migrate.
func (c *Client) QueryMigrate(ctx context.Context) (MigrationInfo, error) {
	return query[MigrationInfo](ctx, c, "query-migrate")
}

// ChardevInfo is one entry of query-chardev.
type ChardevInfo struct {
	Label        string `json:"label"`
	Filename     string `json:"filename"`
	FrontendOpen bool   `json:"frontend-open"`
}

// QueryChardev runs query-chardev.
func (c *Client) QueryChardev(ctx context.Context) ([]ChardevInfo, error) {
	return query[[]ChardevInfo](ctx, c, "query-chardev")
}

// QueryCommands runs query-commands and returns the command names.
func (c *Client) QueryCommands(ctx context.Context) ([]string, error) {
	var r []struct {
		Name string `json:"name"`
	}
	if err := c.Execute(ctx, "query-commands", nil, &r); err != nil {
		return nil, err
	}
	names := make([]string, len(r))
	for i, e := range r {
		names[i] = e.Name
	}
	return names, nil
}

// QueryQMPSchema runs query-qmp-schema and indexes the reply.
func (c *Client) QueryQMPSchema(ctx context.Context) (*Schema, error) {
	raw, err := c.ExecuteRaw(ctx, "query-qmp-schema", nil)
	if err != nil {
		return nil, err
	}
	s, err := ParseSchema(raw)
	if err != nil {
		return nil, protocolErr(c.sock, "reply to query-qmp-schema has an unexpected shape", raw, err)
	}
	return s, nil
}

// ObjectProperty is one entry of qom-list.
type ObjectProperty struct {
	Name string `json:"name"`
	Type string `json:"type"` // e.g. "child<virtio-net-pci>", "link<...>", "string"
}

// QOMList runs qom-list on a QOM path.
func (c *Client) QOMList(ctx context.Context, path string) ([]ObjectProperty, error) {
	var out []ObjectProperty
	err := c.Execute(ctx, "qom-list", map[string]string{"path": path}, &out)
	return out, err
}

// QOMGetString runs qom-get for a property whose value is a string (a
// device's "chardev" or a virtserialport's "name").
func (c *Client) QOMGetString(ctx context.Context, path, property string) (string, error) {
	var out string
	err := c.Execute(ctx, "qom-get", map[string]string{"path": path, "property": property}, &out)
	return out, err
}
