package model

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/qmpdash/qmpdash/qmp"
)

// applyEvent logs an event and folds it into the snapshot at once, without
// waiting for the next poll. It reports whether slow facts (query-block,
// memory, chardevs) should be fetched again.
func (v *vmWatcher) applyEvent(ev qmp.Event) (refreshSlow bool) {
	now := v.env.now()
	at := ev.Time
	if at.IsZero() {
		at = now
	}
	le := LoggedEvent{Source: v.id, Name: ev.Name, Data: boundedData(ev.Data), Time: at}
	v.env.merged.Append(le)
	v.log.Append(le)
	v.cur.EventsSeen++
	v.cur.EventCounts = countEvent(v.cur.EventCounts, ev.Name)
	if ev.Name == "SHUTDOWN" {
		// QEMU says why before it exits (or stops, with -no-shutdown).
		var d struct {
			Reason string `json:"reason"`
		}
		_ = json.Unmarshal(ev.Data, &d)
		v.exit = cmp.Or(d.Reason, "shutdown")
	}
	if ev.Name == "DEVICE_DELETED" {
		var d struct {
			Device string `json:"device"`
		}
		if json.Unmarshal(ev.Data, &d) == nil && d.Device != "" {
			v.deviceDeleted(d.Device, at)
		}
	}
	if ev.Name == "VSERPORT_CHANGE" {
		v.poke(v.guestKick) // a guest agent may have started or stopped
	}
	return applyEventToSnapshot(&v.cur, ev.Name, ev.Data, at)
}

// MaxEventData bounds what the logs keep of one event's data: the logs
// count events, and a peer may send up to the message size limit in each.
const MaxEventData = 2 << 10

// boundedData keeps small data as it is and replaces larger data with a
// valid JSON note of its size, so every reader can still parse it.
func boundedData(d json.RawMessage) json.RawMessage {
	if len(d) <= MaxEventData {
		return d
	}
	return json.RawMessage(fmt.Sprintf(`{"qmpdash-truncated-bytes":%d}`, len(d)))
}

// The run states QMP events imply (QEMU's RunState names).
var eventRunState = map[string]struct {
	state   string
	running bool
}{
	"STOP":           {"paused", false},
	"RESUME":         {"running", true},
	"SHUTDOWN":       {"shutdown", false},
	"SUSPEND":        {"suspended", false},
	"WAKEUP":         {"running", true},
	"GUEST_PANICKED": {"guest-panicked", false},
}

// Events after which slow facts are stale.
var slowRefreshEvents = map[string]bool{
	"DEVICE_TRAY_MOVED":         true,
	"DEVICE_DELETED":            true,
	"BLOCK_IMAGE_CORRUPTED":     true,
	"MEMORY_DEVICE_SIZE_CHANGE": true,
	"MEM_UNPLUG_ERROR":          true,
}

// applyEventToSnapshot is the pure part of applyEvent. It replaces slices
// rather than changing them: published snapshots share them.
func applyEventToSnapshot(s *VMSnapshot, name string, data json.RawMessage, at time.Time) (refreshSlow bool) {
	if rs, ok := eventRunState[name]; ok {
		setRunState(s, rs.state, rs.running, at)
		return false
	}
	switch name {
	case "VSERPORT_CHANGE":
		return true // the chardevs' frontend-open changed
	case "JOB_STATUS_CHANGE":
		var d struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		}
		if json.Unmarshal(data, &d) != nil || d.ID == "" {
			return false
		}
		s.Jobs = withJob(s.Jobs, d.ID, func(j *BlockJob) bool {
			if d.Status == "null" || d.Status == "concluded" {
				return false
			}
			j.Status = d.Status
			j.Paused = d.Status == "paused" || d.Status == "standby"
			return true
		})
	case "BLOCK_JOB_COMPLETED", "BLOCK_JOB_CANCELLED":
		var d struct {
			Device string `json:"device"`
		}
		if json.Unmarshal(data, &d) == nil {
			s.Jobs = withJob(s.Jobs, d.Device, func(*BlockJob) bool { return false })
		}
	case "BLOCK_JOB_READY":
		var d struct {
			Device string `json:"device"`
			Offset uint64 `json:"offset"`
			Len    uint64 `json:"len"`
		}
		if json.Unmarshal(data, &d) == nil {
			s.Jobs = withJob(s.Jobs, d.Device, func(j *BlockJob) bool {
				j.Ready, j.Status = true, "ready"
				return true
			})
		}
	case "BLOCK_JOB_ERROR":
		var d struct {
			Device string `json:"device"`
		}
		if json.Unmarshal(data, &d) == nil {
			s.Jobs = withJob(s.Jobs, d.Device, func(j *BlockJob) bool {
				j.Status = "error"
				return true
			})
		}
	case "MIGRATION":
		var d struct {
			Status string `json:"status"`
		}
		if json.Unmarshal(data, &d) == nil && d.Status != "" {
			s.Migration.Status = d.Status
		}
	case "BALLOON_CHANGE":
		var d struct {
			Actual uint64 `json:"actual"`
		}
		if json.Unmarshal(data, &d) == nil {
			s.Memory.HasBalloon, s.Memory.BalloonBytes = true, d.Actual
		}
	default:
		return slowRefreshEvents[name]
	}
	return false
}

// withJob returns a copy of jobs with the job id changed by edit (added
// first if missing); edit returning false removes it.
func withJob(jobs []BlockJob, id string, edit func(*BlockJob) bool) []BlockJob {
	out := slices.Clone(jobs)
	i := slices.IndexFunc(out, func(j BlockJob) bool { return j.Device == id })
	if i < 0 {
		j := BlockJob{Device: id}
		if !edit(&j) {
			return jobs
		}
		return append(out, j)
	}
	if !edit(&out[i]) {
		return slices.Delete(out, i, i+1)
	}
	return out
}

// Bounds on EventCounts: a peer names its events, so it could make the map
// (and the exporter's series) grow without end. QEMU 7.2 has about 70.
const (
	maxEventNames   = 128
	maxEventNameLen = 64
	// OtherEvents counts events past the first maxEventNames names, and
	// names longer than maxEventNameLen.
	OtherEvents = "(other)"
)

// countEvent returns a copy of counts with name counted once more (a copy:
// published snapshots share the old map).
func countEvent(counts map[string]uint64, name string) map[string]uint64 {
	if _, known := counts[name]; !known && (len(counts) >= maxEventNames || len(name) > maxEventNameLen) {
		name = OtherEvents
	}
	out := maps.Clone(counts)
	if out == nil {
		out = map[string]uint64{}
	}
	out[name]++
	return out
}
