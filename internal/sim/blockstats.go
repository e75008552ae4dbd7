package sim

// Block IO counters are pure functions of accumulated running time, not
// timers: the same clock readings always give the same numbers, and they
// only grow while the guest runs.

type ioCounters struct {
	rdBytes, wrBytes, rdOps, wrOps, flushOps uint64
	rdNs                                     uint64
}

func (v *VM) ioFor(d *disk) ioCounters {
	total := float64(v.opts.IOBytesPerSec) * d.ioShare * v.runTime().Seconds()
	rd := uint64(total*0.6) &^ 511 // whole sectors, 60% reads
	wr := uint64(total*0.4) &^ 511
	rdOps := (rd + 16383) / 16384 // ~16 KiB requests
	return ioCounters{
		rdBytes:  d.bootRead + rd,
		rdNs:     d.bootNs + rdOps*120_000,
		wrBytes:  wr,
		rdOps:    d.bootReads + rdOps,
		wrOps:    (wr + 32767) / 32768, // ~32 KiB requests
		flushOps: wr / (4 * mib),
	}
}

// blockStats is QEMU 7.2's BlockDeviceStats in the recorded key order.
type blockStats struct {
	UnmapOperations        uint64  `json:"unmap_operations"`
	UnmapMerged            uint64  `json:"unmap_merged"`
	FlushTotalTimeNs       uint64  `json:"flush_total_time_ns"`
	WrHighestOffset        uint64  `json:"wr_highest_offset"`
	WrTotalTimeNs          uint64  `json:"wr_total_time_ns"`
	FailedWrOperations     uint64  `json:"failed_wr_operations"`
	FailedRdOperations     uint64  `json:"failed_rd_operations"`
	WrMerged               uint64  `json:"wr_merged"`
	WrBytes                uint64  `json:"wr_bytes"`
	TimedStats             []any   `json:"timed_stats"`
	FailedUnmapOperations  uint64  `json:"failed_unmap_operations"`
	FailedFlushOperations  uint64  `json:"failed_flush_operations"`
	AccountInvalid         bool    `json:"account_invalid"`
	RdTotalTimeNs          uint64  `json:"rd_total_time_ns"`
	InvalidUnmapOperations uint64  `json:"invalid_unmap_operations"`
	FlushOperations        uint64  `json:"flush_operations"`
	WrOperations           uint64  `json:"wr_operations"`
	UnmapBytes             uint64  `json:"unmap_bytes"`
	RdMerged               uint64  `json:"rd_merged"`
	RdBytes                uint64  `json:"rd_bytes"`
	UnmapTotalTimeNs       uint64  `json:"unmap_total_time_ns"`
	InvalidFlushOperations uint64  `json:"invalid_flush_operations"`
	AccountFailed          bool    `json:"account_failed"`
	IdleTimeNs             *uint64 `json:"idle_time_ns,omitempty"` // QEMU omits it until the first request
	RdOperations           uint64  `json:"rd_operations"`
	InvalidWrOperations    uint64  `json:"invalid_wr_operations"`
	InvalidRdOperations    uint64  `json:"invalid_rd_operations"`
}

type fileDriverStats struct {
	DiscardBytesOk  uint64 `json:"discard-bytes-ok"`
	DiscardNbOk     uint64 `json:"discard-nb-ok"`
	Driver          string `json:"driver"`
	DiscardNbFailed uint64 `json:"discard-nb-failed"`
}

type parentStats struct {
	Stats          blockStats      `json:"stats"`
	NodeName       string          `json:"node-name"`
	DriverSpecific fileDriverStats `json:"driver-specific"`
}

type blockStatsEntry struct {
	Device   string       `json:"device"`
	Parent   *parentStats `json:"parent,omitempty"`
	Stats    blockStats   `json:"stats"`
	NodeName string       `json:"node-name,omitempty"`
	Qdev     string       `json:"qdev"`
}

func (v *VM) statsFor(d *disk) blockStats {
	io := v.ioFor(d)
	s := blockStats{
		TimedStats:       []any{},
		AccountInvalid:   true,
		AccountFailed:    true,
		RdBytes:          io.rdBytes,
		RdOperations:     io.rdOps,
		RdTotalTimeNs:    io.rdOps * 120_000,
		WrBytes:          io.wrBytes,
		WrOperations:     io.wrOps,
		WrTotalTimeNs:    io.wrOps * 250_000,
		FlushOperations:  io.flushOps,
		FlushTotalTimeNs: io.flushOps * 1_000_000,
	}
	if io.wrBytes > 0 && d.SizeBytes > 512 {
		s.WrHighestOffset = min(d.SizeBytes-512, (io.wrBytes*5)&^4095)
	}
	if io.rdOps+io.wrOps > 0 {
		idle := v.idleNs(d)
		s.IdleTimeNs = &idle
	}
	return s
}

// idleNs is the time since the disk's last request: under a steady IO load
// about a millisecond at most, otherwise since the guest stopped or booted.
func (v *VM) idleNs(d *disk) uint64 {
	busy := v.opts.IOBytesPerSec > 0 && d.ioShare > 0
	switch {
	case busy && v.running():
		return uint64(v.now.UnixNano()%1_000_000) + 1000
	case busy && v.runAccum > 0:
		return uint64(v.now.Sub(v.stoppedAt).Nanoseconds())
	default:
		return uint64(v.now.Sub(v.booted).Nanoseconds()) + 500_000_000
	}
}

func cmdQueryBlockstats(v *VM, _ *conn, _ args) (any, *qmpError) {
	out := []blockStatsEntry{}
	for _, d := range v.disks {
		e := blockStatsEntry{Device: d.Device, Stats: v.statsFor(d), Qdev: d.qdev()}
		if d.medium {
			e.NodeName = d.NodeName
			e.Parent = &parentStats{
				// Only the BlockBackend accounts requests; the protocol node
				// just tracks its highest write offset.
				Stats:          blockStats{TimedStats: []any{}, WrHighestOffset: e.Stats.WrHighestOffset},
				NodeName:       d.fileNode,
				DriverSpecific: fileDriverStats{Driver: "file"},
			}
		}
		out = append(out, e)
	}
	return out, nil
}
