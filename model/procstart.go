package model

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strconv"
	"time"
)

// ProcStartTime is when process pid started, from /proc: its starttime
// (clock ticks after boot, /proc/PID/stat field 22) added to the boot time
// (btime in /proc/stat, whole seconds, so the result is good to a second).
// procRoot "" means /proc.
func ProcStartTime(procRoot string, pid int) (time.Time, error) {
	if procRoot == "" {
		procRoot = "/proc"
	}
	return procStartTime(procReadFile, procRoot, pid)
}

// procStartTime is ProcStartTime reading through read.
func procStartTime(read procFiles, procRoot string, pid int) (time.Time, error) {
	st, err := procReadStatWith(read, filepath.Join(procRoot, strconv.Itoa(pid), "stat"))
	if err != nil {
		return time.Time{}, err
	}
	btime, err := procBootTime(read, procRoot)
	if err != nil {
		return time.Time{}, err
	}
	hz := UserHZ
	if hz < 1 {
		hz = 100
	}
	after := time.Duration(st.startTime/uint64(hz))*time.Second +
		time.Duration(st.startTime%uint64(hz))*time.Second/time.Duration(hz)
	return btime.Add(after), nil
}

// procBootTime reads btime, the boot time in seconds since the epoch, from
// /proc/stat.
func procBootTime(read procFiles, procRoot string) (time.Time, error) {
	path := filepath.Join(procRoot, "stat")
	b, err := read(path)
	if err != nil {
		return time.Time{}, err
	}
	for line := range bytes.SplitSeq(b, []byte{'\n'}) {
		f := bytes.Fields(line)
		if len(f) == 2 && string(f[0]) == "btime" {
			s, err := procParseUint(f[1], "btime")
			if err != nil || s > 1<<40 {
				return time.Time{}, fmt.Errorf("hostproc: %s: %w: btime %q", path, ErrProcFormat, f[1])
			}
			return time.Unix(int64(s), 0), nil
		}
	}
	return time.Time{}, fmt.Errorf("hostproc: %s: %w: no btime", path, ErrProcFormat)
}
