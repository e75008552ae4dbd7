package model

import (
	"fmt"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemutest"
	"github.com/qmpdash/qmpdash/remote"
)

// BenchmarkFleetPollCycleRemote10 is what a VM costs polled over SSH
// against the same VM polled over its local socket: 10 real VMs, each op
// one poll cycle of all ten (as BenchmarkFleetPollCycle50), "local"
// through their unix sockets, then "ssh" through a real sshd on loopback
// (one SSH connection, ten direct-streamlocal channels, and the host's
// /proc read by one remote command per interval). cpu-ms/cycle is this
// process's CPU; sshd-ms/cycle is sshd's (server and session, read from
// /proc), the host's share. With an hour's interval the ssh cycles do not
// include the host's /proc command: "ssh-proc" is one such command for all
// ten VMs' files, which runs once per interval per host.
func BenchmarkFleetPollCycleRemote10(b *testing.B) {
	const n = 10
	sshd := qemutest.StartSSHD(b)
	o := remote.HomeOptions(sshd.ClientHome(b))
	o.LocalUser = sshd.User
	dir := qemutest.Dir(b)
	sockets := make([]string, n)
	for i := range sockets {
		sockets[i] = qemutest.Start(b, qemutest.Options{Name: fmt.Sprintf("vm%02d", i), Dir: dir}).Socket
	}
	b.Run("local", func(b *testing.B) { benchFleetPoll(b, sockets) })
	b.Run("ssh", func(b *testing.B) {
		pool := remote.NewPool(o)
		defer pool.Close()
		f := NewFleet(Config{Interval: time.Hour, Timeout: 10 * time.Second, Remote: pool})
		for _, s := range sockets {
			spec, err := ParseSpec(sshd.Target(s))
			if err != nil {
				b.Fatal(err)
			}
			f.Add(spec.Monitor)
		}
		stop := f.Start(b.Context())
		defer func() {
			if err := stop(20 * time.Second); err != nil {
				b.Error(err)
			}
		}()
		polls := waitAll(b, f, n, 1)
		b.ResetTimer()
		cpu0, sshd0 := cpuTime(), sshd.CPUTime()
		for i := 0; i < b.N; i++ {
			f.SetInterval(time.Hour)
			polls = waitAll(b, f, n, polls+1)
		}
		b.StopTimer()
		reportCPU(b, cpuTime()-cpu0)
		reportSSHD(b, sshd.CPUTime()-sshd0)
	})
	b.Run("ssh-proc", func(b *testing.B) {
		pool := remote.NewPool(o)
		defer pool.Close()
		var paths []string
		for _, s := range sockets {
			pid := pidOfSocket(b, s)
			paths = append(paths, fmt.Sprintf("/proc/%d/stat", pid), fmt.Sprintf("/proc/%d/statm", pid))
		}
		t, err := remote.ParseTarget(sshd.Target("/proc"))
		if err != nil {
			b.Fatal(err)
		}
		cmd := procReadCommand(paths)
		if _, err := pool.Run(b.Context(), t, cmd); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		cpu0, sshd0 := cpuTime(), sshd.CPUTime()
		for i := 0; i < b.N; i++ {
			out, err := pool.Run(b.Context(), t, cmd)
			if err != nil || len(parseProcBatch(out)) != len(paths) {
				b.Fatalf("batch: %v, %d files", err, len(parseProcBatch(out)))
			}
		}
		b.StopTimer()
		reportCPU(b, cpuTime()-cpu0)
		reportSSHD(b, sshd.CPUTime()-sshd0)
	})
}

func reportSSHD(b *testing.B, cpu time.Duration) {
	b.ReportMetric(float64((cpu/time.Duration(b.N)).Microseconds())/1000, "sshd-ms/cycle")
}

// pidOfSocket is the QEMU listening on a monitor socket, from /proc.
func pidOfSocket(b *testing.B, sock string) int {
	v := NewSocketJudge("", nil).Judge([]string{sock})[sock]
	if v.Owner == 0 {
		b.Fatalf("no owner for %s: %s", sock, v.Reason)
	}
	return v.Owner
}
