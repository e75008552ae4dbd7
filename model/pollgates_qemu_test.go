package model

import (
	"bufio"
	"context"
	"io"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemutest"
	"github.com/qmpdash/qmpdash/qmp"
)

// countingLink passes a client's connections through to a real monitor
// socket and counts the commands the client sends, by name.
type countingLink struct {
	mu    sync.Mutex
	sends map[string]int
}

func (l *countingLink) serve(t *testing.T, sock, upstream string) {
	t.Helper()
	l.sends = map[string]int{}
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	var conns sync.WaitGroup
	t.Cleanup(func() { ln.Close(); conns.Wait() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			u, err := net.Dial("unix", upstream)
			if err != nil {
				c.Close()
				continue
			}
			conns.Add(2)
			go func() { defer conns.Done(); _, _ = io.Copy(c, u); c.Close() }()
			go func() {
				defer conns.Done()
				defer u.Close()
				// The client writes one request per line (qmp/command.go).
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadBytes('\n')
					if len(line) > 0 {
						l.note(string(line))
						if _, werr := u.Write(line); werr != nil {
							return
						}
					}
					if err != nil {
						return
					}
				}
			}()
		}
	}()
}

func (l *countingLink) note(line string) {
	_, rest, ok := strings.Cut(line, `"execute":"`)
	if !ok {
		return
	}
	name, _, _ := strings.Cut(rest, `"`)
	l.mu.Lock()
	l.sends[name]++
	l.mu.Unlock()
}

func (l *countingLink) count(name string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sends[name]
}

// The poll asks the run state, vCPUs, block jobs and the balloon only
// when an event says they may have changed, or at a sweep (every 10 s);
// everything stays true against a real QEMU that another client changes:
// a block job that client starts shows, and its progress (which no event
// announces) moves at every poll until it ends; its stop shows and is
// confirmed; a balloon device it hot-plugs (no event at all) shows within
// a sweep.
func TestPollAsksAnnouncedFactsOnlyWhenTheyMayHaveChanged(t *testing.T) {
	dir := qemutest.Dir(t)
	img := qemutest.Image(t, dir, "d0.qcow2", "64M")
	other := filepath.Join(dir, "other.qmp")
	vm := qemutest.Start(t, qemutest.Options{Name: "gated", Dir: dir, Disks: []string{img}, Extra: []string{
		"-qmp", "unix:" + other + ",server=on,wait=off",
		"-device", "pcie-root-port,id=rp1,bus=pcie.0,chassis=1",
	}})
	link := &countingLink{}
	proxied := filepath.Join(dir, "proxied.qmp")
	link.serve(t, proxied, vm.Socket)

	cfg := testConfig()
	cfg.Interval = 50 * time.Millisecond
	f := startFleet(t, cfg, proxied)
	s := waitFor(t, f, 60*time.Second, "25 polls", func(s FleetSnapshot) bool { return s.VMs[0].Polls >= 25 })
	if v := s.VMs[0]; v.Memory.HasBalloon || len(v.Jobs) != 0 || len(v.VCPUs) != 1 {
		t.Fatalf("before: balloon %v, jobs %+v, %d vCPUs; want none, none, 1", v.Memory.HasBalloon, v.Jobs, len(v.VCPUs))
	}
	polls := int(s.VMs[0].Polls)
	// At most one poll more than the snapshot counts may be on the wire.
	for _, q := range []string{"query-blockstats", "query-migrate"} {
		if n := link.count(q); n < polls || n > polls+1 {
			t.Fatalf("%s sent %d times in %d polls, want one a poll", q, n, polls)
		}
	}
	for _, q := range []string{"query-status", "query-cpus-fast", "query-block-jobs", "query-balloon"} {
		if n, most := link.count(q), (polls+1)/sweepEvery(cfg.Interval)+1; n < 1 || n > most {
			t.Errorf("%s sent %d times in %d polls, want 1 to %d (the first poll and the sweeps)", q, n, polls, most)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := qmp.Dial(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	send := func(command, args string) {
		t.Helper()
		var raw []byte
		if args != "" {
			raw = []byte(args)
		}
		if _, err := c.ExecuteRaw(ctx, command, raw); err != nil {
			t.Fatalf("%s %s: %v", command, args, err)
		}
	}

	// A job started by the other client: announced, then polled while it
	// runs. 1 MiB/s over 64 MiB runs for a minute: its offset moves with
	// no event to say so.
	send("blockdev-add", `{"driver":"null-co","node-name":"t0","size":67108864}`)
	send("blockdev-backup", `{"job-id":"job0","device":"disk0","target":"t0","sync":"full","speed":1048576}`)
	s = waitFor(t, f, 30*time.Second, "job0 running with progress", func(s FleetSnapshot) bool {
		j := s.VMs[0].Jobs
		return len(j) == 1 && j[0].Device == "job0" && j[0].Status == "running" && j[0].Offset > 0
	})
	first := s.VMs[0].Jobs[0].Offset
	polls, jobsAsked := int(s.VMs[0].Polls), link.count("query-block-jobs")
	s = waitFor(t, f, 30*time.Second, "job0's offset moving over 10 polls", func(s FleetSnapshot) bool {
		j := s.VMs[0].Jobs
		return len(j) == 1 && j[0].Offset > first && int(s.VMs[0].Polls) >= polls+10
	})
	if n := link.count("query-block-jobs") - jobsAsked; n < 9 {
		t.Fatalf("query-block-jobs sent %d times in 10 polls while a job ran, want every poll", n)
	}
	send("block-job-cancel", `{"device":"job0"}`)
	s = waitFor(t, f, 30*time.Second, "job0 gone", func(s FleetSnapshot) bool { return len(s.VMs[0].Jobs) == 0 })

	// Once no job is left, the poll stops asking.
	polls, jobsAsked = int(s.VMs[0].Polls), link.count("query-block-jobs")
	s = waitFor(t, f, 60*time.Second, "20 more polls", func(s FleetSnapshot) bool { return int(s.VMs[0].Polls) >= polls+20 })
	if n := link.count("query-block-jobs") - jobsAsked; n > 20/sweepEvery(cfg.Interval)+2 {
		t.Fatalf("query-block-jobs sent %d times in the 20 polls after the job ended", n)
	}

	// The run state: the other client's stop shows through STOP, and the
	// next poll confirms it with query-status.
	statusAsked := link.count("query-status")
	send("stop", "")
	s = waitFor(t, f, 30*time.Second, "paused", func(s FleetSnapshot) bool {
		return s.VMs[0].RunState == "paused" && !s.VMs[0].Running
	})
	waitFor(t, f, 30*time.Second, "query-status asked after STOP", func(FleetSnapshot) bool {
		return link.count("query-status") > statusAsked
	})
	send("cont", "")
	waitFor(t, f, 30*time.Second, "running again", func(s FleetSnapshot) bool {
		return s.VMs[0].RunState == "running" && s.VMs[0].Running
	})

	// A balloon hot-plugged by the other client: QEMU says nothing; the
	// sweep finds it.
	send("device_add", `{"driver":"virtio-balloon-pci","id":"bal0","bus":"rp1"}`)
	s = waitFor(t, f, 60*time.Second, "the hot-plugged balloon (found by a sweep, every 10 s)", func(s FleetSnapshot) bool {
		return s.VMs[0].Memory.HasBalloon && s.VMs[0].Memory.BalloonBytes == 64<<20
	})
}
