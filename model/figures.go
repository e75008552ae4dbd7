package model

import (
	"cmp"
	"sort"
	"time"

	"github.com/qmpdash/qmpdash/qmp"
)

// figures is the derived state of one connection: previous counters for
// rates, history rings for sparklines, the /proc sampler. It starts over on
// every connection, so a restarted QEMU never yields rates against the old
// one's counters. Owned by the watcher goroutine.
type figures struct {
	histLen int
	proc    *ProcSampler   // nil when the pid is unknown (TCP, not local)
	remote  *remoteSampler // an ssh:// VM's host figures (remoteproc.go); nil otherwise
	cpuHist *Ring[float64]

	vcpuHist map[int]*Ring[float64] // by host thread id
	cpus     []qmp.CPUInfoFast      // the last query-cpus-fast answer (pollgates.go); never changed in place

	blockInfo []qmp.BlockInfo
	stats     map[string]blockSample // by blockKey
	jobs      map[string]jobSample   // by job id

	inmigrate bool   // RunState "inmigrate" was seen: the receiving side
	listened  string // the last address an incoming migration listened on
}

type blockSample struct {
	entry   qmp.BlockStatsEntry
	at      time.Time
	rate    BlockRate
	rdHist  *Ring[float64]
	wrHist  *Ring[float64]
	hasRate bool
}

type jobSample struct {
	offset uint64
	at     time.Time
}

func newFigures(histLen int, procRoot string, pid int) *figures {
	f := &figures{
		histLen:  histLen,
		cpuHist:  NewRing[float64](histLen),
		vcpuHist: map[int]*Ring[float64]{},
		stats:    map[string]blockSample{},
		jobs:     map[string]jobSample{},
	}
	if pid > 0 {
		f.proc = NewProcSampler(procRoot, pid)
	}
	return f
}

func (f *figures) updateVCPUs(cpus []qmp.CPUInfoFast, host HostFigures) []VCPU {
	out := make([]VCPU, len(cpus))
	live := make(map[int]bool, len(cpus))
	for i, c := range cpus {
		live[c.ThreadID] = true
		v := VCPU{Index: c.CPUIndex, ThreadID: c.ThreadID, QOMPath: c.QOMPath, Target: c.Target}
		hist := f.vcpuHist[c.ThreadID]
		if hist == nil {
			hist = NewRing[float64](f.histLen)
			f.vcpuHist[c.ThreadID] = hist
		}
		if pct, ok := host.VCPUPercent[c.ThreadID]; ok && host.Valid {
			v.CPUPercent, v.HasCPU = pct, true
			if !host.repeat {
				hist.Push(pct)
			}
		}
		if secs, ok := host.VCPUSeconds[c.ThreadID]; ok {
			v.CPUSeconds, v.HasCPUTime = secs, true
		}
		v.History = hist.Values()
		out[i] = v
	}
	for tid := range f.vcpuHist {
		if !live[tid] {
			delete(f.vcpuHist, tid)
		}
	}
	return out
}

// blockKey names a device the same way in query-block and query-blockstats:
// by qdev path when it has one, else by legacy name, else by node name.
func blockKey(qdev, device, node string) string {
	switch {
	case qdev != "":
		return "q:" + qdev
	case device != "":
		return "d:" + device
	}
	return "n:" + node
}

func (f *figures) updateStats(stats []qmp.BlockStatsEntry, at time.Time) {
	seen := make(map[string]bool, len(stats))
	for _, e := range stats {
		key := blockKey(e.QDev, e.Device, e.NodeName)
		seen[key] = true
		prev, ok := f.stats[key]
		cur := blockSample{entry: e, at: at, rdHist: prev.rdHist, wrHist: prev.wrHist}
		if !ok {
			cur.rdHist, cur.wrHist = NewRing[float64](f.histLen), NewRing[float64](f.histLen)
		} else {
			cur.rate = ComputeBlockRate(counters(prev.entry.Stats), counters(e.Stats), at.Sub(prev.at))
			cur.hasRate = true
			cur.rdHist.Push(cur.rate.ReadBps)
			cur.wrHist.Push(cur.rate.WriteBps)
		}
		f.stats[key] = cur
	}
	for k := range f.stats {
		if !seen[k] {
			delete(f.stats, k)
		}
	}
}

func counters(s qmp.BlockStats) BlockCounters {
	return BlockCounters{RdBytes: s.RdBytes, WrBytes: s.WrBytes, RdOps: s.RdOperations, WrOps: s.WrOperations}
}

// buildBlocks joins what is attached (query-block) with the counters and
// rates (query-blockstats). A device known to only one side still shows.
func (f *figures) buildBlocks() []BlockDevice {
	out := make([]BlockDevice, 0, len(f.blockInfo))
	used := map[string]bool{}
	counted := make([]bool, 0, len(f.blockInfo)) // out[i] has counters of its own
	for _, b := range f.blockInfo {
		d := BlockDevice{Device: b.Device, QDev: b.QDev, Removable: b.Removable, TrayOpen: b.TrayOpen,
			Locked: b.Locked, IOStatus: b.IOStatus}
		if in := b.Inserted; in != nil {
			d.Inserted = true
			d.NodeName = in.NodeName
			d.File = in.File
			d.Format = in.Image.Format
			if d.Format == "" {
				d.Format = in.Driver
			}
			d.SizeBytes = in.Image.VirtualSize
			d.ReadOnly = in.ReadOnly
		}
		key := blockKey(b.QDev, b.Device, d.NodeName)
		used[key] = true
		_, ok := f.stats[key]
		f.fillStats(&d, key)
		out = append(out, d)
		counted = append(counted, ok)
	}
	var extra []string
	for k := range f.stats {
		if !used[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		e := f.stats[k].entry
		// Counters named differently from the device they belong to (a
		// stats-only node on a device's node, or a device query-block and
		// query-blockstats name differently while a hot-plug settles) are
		// that device's: shown once, not as a second device with the same
		// name and node (which would also be a duplicate series for
		// Prometheus).
		if i := countsFor(out[:len(counted)], counted, e); i >= 0 {
			f.fillStats(&out[i], k)
			counted[i] = true
			continue
		}
		d := BlockDevice{Device: e.Device, QDev: e.QDev, NodeName: e.NodeName}
		f.fillStats(&d, k)
		out = append(out, d)
	}
	return out
}

// countsFor is the device without counters of its own that stats entry
// e counts for: on the same node, and named as it is or not at all. -1
// when none.
func countsFor(devs []BlockDevice, counted []bool, e qmp.BlockStatsEntry) int {
	if e.NodeName == "" {
		return -1
	}
	name := cmp.Or(e.Device, e.QDev)
	for i, d := range devs {
		if !counted[i] && d.NodeName == e.NodeName && (name == "" || name == cmp.Or(d.Device, d.QDev)) {
			return i
		}
	}
	return -1
}

func (f *figures) fillStats(d *BlockDevice, key string) {
	s, ok := f.stats[key]
	if !ok {
		return
	}
	st := s.entry.Stats
	d.RdBytes, d.WrBytes, d.RdOps, d.WrOps = st.RdBytes, st.WrBytes, st.RdOperations, st.WrOperations
	d.FlushOps = st.FlushOps
	d.FailedOps = st.FailedRdOps + st.FailedWrOps + st.FailedFlushOps
	d.ReadTime, d.WriteTime = time.Duration(st.RdTotalTimeNS), time.Duration(st.WrTotalTimeNS)
	if d.NodeName == "" {
		d.NodeName = s.entry.NodeName
	}
	d.Rate = s.rate
	d.ReadHistory = s.rdHist.Values()
	d.WriteHistory = s.wrHist.Values()
}

func (f *figures) updateJobs(jobs []qmp.BlockJobInfo, at time.Time) []BlockJob {
	out := make([]BlockJob, len(jobs))
	seen := make(map[string]bool, len(jobs))
	for i, j := range jobs {
		seen[j.Device] = true
		prev, ok := f.jobs[j.Device]
		var p JobProgress
		if ok {
			p = ComputeJobProgress(prev.offset, j.Offset, j.Len, at.Sub(prev.at))
		} else {
			p = ComputeJobProgress(j.Offset, j.Offset, j.Len, 0)
		}
		f.jobs[j.Device] = jobSample{offset: j.Offset, at: at}
		out[i] = BlockJob{Device: j.Device, Type: j.Type, Status: j.Status, Len: j.Len, Offset: j.Offset,
			Speed: j.Speed, Paused: j.Paused, Ready: j.Ready, Progress: p}
	}
	for k := range f.jobs {
		if !seen[k] {
			delete(f.jobs, k)
		}
	}
	return out
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
