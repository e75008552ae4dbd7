package sim

import (
	"time"
)

// job is a mirror block job. Its offset is computed from the clock at the
// rate limit, so progress needs no timer and is exact under a test clock.
type job struct {
	id     string
	src    *disk
	length uint64
	speed  uint64 // as requested; 0 means unlimited
	status string // "running" or "ready"
	done   uint64 // offset at since
	since  time.Time
}

// unlimitedRate stands in for speed 0 (no limit) when computing progress.
const unlimitedRate = 1 * gib

func (j *job) rate() uint64 {
	if j.speed == 0 {
		return unlimitedRate
	}
	return j.speed
}

func (j *job) offset(now time.Time) uint64 {
	if j.status == "ready" {
		return j.length
	}
	o := j.done + uint64(float64(j.rate())*now.Sub(j.since).Seconds())
	return min(o, j.length)
}

func (v *VM) findJob(id string) *job {
	for _, j := range v.jobs {
		if j.id == id {
			return j
		}
	}
	return nil
}

// startDemoMirror creates Options.MirrorJob's job before any client exists,
// so its creation events go nowhere, as they would on a QEMU started with
// the job already running. It is paced to become ready in about a minute.
func (v *VM) startDemoMirror() {
	for _, d := range v.disks {
		if d.Removable || !d.medium {
			continue
		}
		speed := (d.SizeBytes/60 + mib - 1) &^ (mib - 1)
		v.jobs = append(v.jobs, &job{id: "mirror0", src: d, length: d.SizeBytes,
			speed: max(speed, mib), status: "running", since: v.now})
		return
	}
}

type jobStatusData struct {
	Status string `json:"status"`
	ID     string `json:"id"`
}

type blockJobData struct {
	Device string `json:"device"`
	Len    uint64 `json:"len"`
	Offset uint64 `json:"offset"`
	Speed  uint64 `json:"speed"`
	Type   string `json:"type"`
}

func (v *VM) jobStatus(at time.Time, j *job, status string) {
	v.emitAt(at, "JOB_STATUS_CHANGE", jobStatusData{Status: status, ID: j.id})
}

// drainJobs reports what a block-layer drain does to active jobs: a short
// pause and resume (standby and back for ready jobs), as QEMU 7.2 emits on
// stop and reset.
func (v *VM) drainJobs(at time.Time) {
	for _, j := range v.jobs {
		if j.status == "ready" {
			v.jobStatus(at, j, "standby")
			v.jobStatus(at, j, "ready")
		} else {
			v.jobStatus(at, j, "paused")
			v.jobStatus(at, j, "running")
		}
	}
}

func (v *VM) advanceJobs() {
	for _, j := range v.jobs {
		if j.status != "running" || j.offset(v.now) < j.length {
			continue
		}
		secs := float64(j.length-j.done) / float64(j.rate())
		due := j.since.Add(time.Duration(secs * float64(time.Second)))
		j.status, j.done, j.since = "ready", j.length, due
		v.jobStatus(due, j, "ready")
		v.emitAt(due, "BLOCK_JOB_READY", blockJobData{Device: j.id, Len: j.length, Offset: j.length, Speed: j.speed, Type: "mirror"})
	}
}

type blockJobInfo struct {
	AutoFinalize bool   `json:"auto-finalize"`
	IOStatus     string `json:"io-status"`
	Device       string `json:"device"`
	AutoDismiss  bool   `json:"auto-dismiss"`
	Busy         bool   `json:"busy"`
	Len          uint64 `json:"len"`
	Offset       uint64 `json:"offset"`
	Status       string `json:"status"`
	Paused       bool   `json:"paused"`
	Speed        uint64 `json:"speed"`
	Ready        bool   `json:"ready"`
	Type         string `json:"type"`
}

func cmdQueryBlockJobs(v *VM, _ *conn, _ args) (any, *qmpError) {
	return listJobs(v, func(j *job) blockJobInfo {
		return blockJobInfo{AutoFinalize: true, IOStatus: "ok", Device: j.id, AutoDismiss: true,
			Len: j.length, Offset: j.offset(v.now), Status: j.status, Speed: j.speed,
			Ready: j.status == "ready", Type: "mirror"}
	}), nil
}

type jobInfo struct {
	CurrentProgress uint64 `json:"current-progress"`
	Status          string `json:"status"`
	TotalProgress   uint64 `json:"total-progress"`
	Type            string `json:"type"`
	ID              string `json:"id"`
}

func cmdQueryJobs(v *VM, _ *conn, _ args) (any, *qmpError) {
	return listJobs(v, func(j *job) jobInfo {
		return jobInfo{CurrentProgress: j.offset(v.now), Status: j.status,
			TotalProgress: j.length, Type: "mirror", ID: j.id}
	}), nil
}

// listJobs is each of v's jobs as describe has it, for the two query
// commands: [] (never null) when there are none, as QEMU answers.
func listJobs[T any](v *VM, describe func(*job) T) []T {
	out := make([]T, 0, len(v.jobs))
	for _, j := range v.jobs {
		out = append(out, describe(j))
	}
	return out
}

func cmdBlockdevMirror(v *VM, _ *conn, a args) (any, *qmpError) {
	dev, _ := a.str("device")
	target, _ := a.str("target")
	src := v.diskByNode(dev)
	if src == nil {
		return nil, genericf("Cannot find device='%s' nor node-name='%s'", dev, dev)
	}
	if !v.nodeExists(target) {
		return nil, genericf("Cannot find device='%s' nor node-name='%s'", target, target)
	}
	for _, j := range v.jobs {
		if j.src == src {
			return nil, genericf("Node '%s' is busy: block device is in use by block job: mirror", src.NodeName)
		}
	}
	id, ok := a.str("job-id")
	if !ok {
		id = src.Device // QEMU defaults the job id to the device name
	}
	if id == "" {
		return nil, genericf("An explicit job ID is required")
	}
	if v.findJob(id) != nil {
		return nil, genericf("Job ID '%s' already in use", id)
	}
	speed, _ := a.int("speed")
	if speed < 0 {
		return nil, genericf("Parameter 'speed' expects a non-negative value")
	}
	j := &job{id: id, src: src, length: src.SizeBytes, speed: uint64(speed), status: "running", since: v.now}
	v.jobs = append(v.jobs, j)
	v.jobStatus(v.now, j, "created")
	v.jobStatus(v.now, j, "running")
	return empty{}, nil
}

func cmdBlockJobCancel(v *VM, _ *conn, a args) (any, *qmpError) {
	id, _ := a.str("device")
	j := v.findJob(id)
	if j == nil {
		return nil, errorf(classDeviceNotActive, "Block job '%s' not found", id)
	}
	data := blockJobData{Device: j.id, Len: j.length, Offset: j.offset(v.now), Speed: j.speed, Type: "mirror"}
	status := func(s string) { v.emitLater("JOB_STATUS_CHANGE", jobStatusData{Status: s, ID: j.id}) }
	// The job winds down asynchronously, so QEMU reports it after the reply.
	// Cancelling a ready mirror without force completes it (no pivot).
	if j.status == "ready" && !a.boolean("force") {
		status("waiting")
		status("pending")
		v.emitLater("BLOCK_JOB_COMPLETED", data)
	} else {
		status("aborting")
		v.emitLater("BLOCK_JOB_CANCELLED", data)
	}
	status("concluded")
	status("null")
	kept := v.jobs[:0]
	for _, o := range v.jobs {
		if o != j {
			kept = append(kept, o)
		}
	}
	v.jobs = kept
	return empty{}, nil
}
