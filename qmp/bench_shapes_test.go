package qmp_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	goqemu "github.com/digitalocean/go-qemu/qmp"

	"github.com/qmpdash/qmpdash/internal/qemutest"
)

// BenchmarkQEMUShapes runs every way of making a query-status round trip
// side by side in one invocation, against real QEMU, each on its own
// paused VM and connection:
//
//	bare        hand-written write/read loop, no oob negotiated, no ids: the baseline
//	id          the same, "id":N in each request
//	oob         the bare loop after negotiating oob
//	oob-id      ... with ids
//	goqemu      go-qemu's SocketMonitor.Run (no oob, no ids)
//	qmpdash     qmp.Client.QueryStatus, one at a time
//	qmpdash8    qmp.Client.QueryStatus from 8 goroutines (8 in flight)
//
// As in QEMUInterleaved, the serial shapes take turns one round trip at a
// time, so that load from other work on the host falls on every shape
// alike: a cycle is shapesBurst rounds of one round trip per serial shape
// (going through them forwards, then backwards, from a start that moves on
// every round), and one burst of shapesBurst round trips with 8 in flight,
// before the rounds or after them in alternate cycles. The run is cut into
// passes; between passes the connections close and the shapes move on to
// the next VM, so each shape meets every VM. Each shape's time per round
// trip is reported, and its speed relative to the baseline (bare time /
// shape time: above 1 is faster), and the CPU time its QEMU spent per round
// trip (cpuTime), which a loaded host disturbs much less than wall time.
func BenchmarkQEMUShapes(b *testing.B) { runShapes(b, benchShapes, 1) }

// BenchmarkQEMUShapesBlocks is QEMUShapes with each serial shape running
// shapesBlock round trips in a row before the next takes its turn, the way
// the first table was measured (rounds of thousands per client):
// a shape then runs with its QEMU's threads warm from its own last round
// trip rather than from another shape's.
func BenchmarkQEMUShapesBlocks(b *testing.B) { runShapes(b, benchShapes, shapesBlock) }

// shapesBlock is how many serial round trips one turn of
// QEMUShapesBlocks runs per shape (a few hundred ms).
const shapesBlock = 1000

// runShapes runs shapes as BenchmarkQEMUShapes describes; the first is the
// baseline, the last the pipelined one.
func runShapes(b *testing.B, benchShapes []benchShape, block int) {
	vms := make([]*qemutest.VM, len(benchShapes))
	for i := range vms {
		vms[i] = qemutest.Start(b, qemutest.Options{Name: fmt.Sprintf("s%d", i), Paused: true})
	}
	spent := make([]time.Duration, len(benchShapes))
	qemuCPU := make([]time.Duration, len(benchShapes)) // each shape's QEMU's, see cpuTime
	timed := func(i int, run func(int), n int) {
		start := time.Now()
		run(n)
		spent[i] += time.Since(start)
	}
	serial := len(benchShapes) - 1 // the last shape is the pipelined one
	passes := len(vms)
	b.ResetTimer()
	for pass := range passes {
		b.StopTimer()
		runs := make([]func(n int), len(benchShapes))
		var closers []func()
		for i, s := range benchShapes {
			run, closer := s.connect(b, vms[(i+pass)%len(vms)])
			runs[i] = run
			closers = append(closers, closer)
		}
		cpuBefore := make([]time.Duration, len(benchShapes))
		for i := range benchShapes {
			cpuBefore[i] = cpuTime(b, vms[(i+pass)%len(vms)].PID())
		}
		b.StartTimer()
		n := b.N*(pass+1)/passes - b.N*pass/passes
		for done, cycle := 0, 0; done < n; cycle++ {
			if block > 1 {
				k := min(block, n-done)
				for j := range serial + 1 {
					i := j
					if cycle%2 == 1 {
						i = serial - j
					}
					timed(i, runs[i], k)
				}
				done += k
				continue
			}
			k := min(shapesBurst, n-done)
			if cycle%2 == 0 {
				timed(serial, runs[serial], k)
			}
			for round := range k {
				for j := range serial {
					i := (round + j) % serial
					if round%2 == 1 {
						i = (round + serial - 1 - j) % serial
					}
					timed(i, runs[i], 1)
				}
			}
			if cycle%2 == 1 {
				timed(serial, runs[serial], k)
			}
			done += k
		}
		b.StopTimer()
		for i := range benchShapes {
			qemuCPU[i] += cpuTime(b, vms[(i+pass)%len(vms)].PID()) - cpuBefore[i]
		}
		for _, c := range closers {
			c()
		}
		b.StartTimer()
	}
	b.StopTimer()
	base := float64(spent[0].Nanoseconds()) / float64(b.N)
	for i, s := range benchShapes {
		per := float64(spent[i].Nanoseconds()) / float64(b.N)
		b.ReportMetric(per, s.name+"-ns/op")
		b.ReportMetric(float64(qemuCPU[i].Nanoseconds())/float64(b.N), s.name+"-qemu-cpu-ns/op")
		if i > 0 {
			b.ReportMetric(base/per, s.name+"-speed")
		}
	}
}

// cpuTime is the CPU time QEMU process pid has used so far, in all its
// threads, from the scheduler's nanosecond counters (/proc/PID/task/*/
// schedstat). Unlike wall time it hardly depends on what else the host
// runs, so it shows what each shape costs QEMU even on a loaded machine.
// Threads that ended are not counted: a paused VM keeps its threads.
func cpuTime(b *testing.B, pid int) time.Duration {
	b.Helper()
	paths, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	if err != nil || len(paths) == 0 {
		b.Fatalf("schedstat of %d: %v", pid, err)
	}
	var total time.Duration
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			continue // the thread ended
		}
		f := strings.Fields(string(raw))
		if len(f) == 0 {
			continue
		}
		ns, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			b.Fatalf("%s: %q", p, raw)
		}
		total += time.Duration(ns)
	}
	return total
}

// shapesBurst is how many round trips the pipelined shape runs in one go:
// enough to keep 8 in flight for most of it, short (a few ms) so that host
// drift hits every shape alike.
const shapesBurst = 16

type benchShape struct {
	name string
	// connect opens the shape's connection to vm (outside the timer) and
	// returns what runs n round trips, and what closes the connection.
	connect func(b *testing.B, vm *qemutest.VM) (run func(n int), close func())
}

func bareShape(name string, oob, ids bool) benchShape {
	return benchShape{name, func(b *testing.B, vm *qemutest.VM) (func(int), func()) {
		conn := dialVM(b, vm)
		bc := dialBareWith(b, conn, oob, ids)
		return func(n int) { bc.serial(b, n) }, func() { conn.Close() }
	}}
}

var benchShapes = []benchShape{
	bareShape("bare", false, false),
	bareShape("id", false, true),
	bareShape("oob", true, false),
	bareShape("oob-id", true, true),
	{"goqemu", func(b *testing.B, vm *qemutest.VM) (func(int), func()) {
		mon, err := goqemu.NewSocketMonitor("unix", vm.Socket, 10*time.Second)
		if err != nil {
			b.Fatal(err)
		}
		if err := mon.Connect(); err != nil {
			b.Fatal(err)
		}
		cmd := []byte(`{"execute":"query-status"}`)
		return func(n int) {
			for range n {
				out, err := mon.Run(cmd)
				if err != nil || len(out) == 0 {
					b.Fatalf("go-qemu: %q %v", out, err)
				}
			}
		}, func() { _ = mon.Disconnect() }
	}},
	{"qmpdash", func(b *testing.B, vm *qemutest.VM) (func(int), func()) {
		c := benchClient(b, dialVM(b, vm))
		return func(n int) {
			if err := executeSerial(c, n); err != nil {
				b.Fatal(err)
			}
		}, func() { c.Close() }
	}},
	{"qmpdash8", func(b *testing.B, vm *qemutest.VM) (func(int), func()) {
		c := benchClient(b, dialVM(b, vm))
		return func(n int) {
			if err := executePipelined(c, n); err != nil {
				b.Fatal(err)
			}
		}, func() { c.Close() }
	}},
}
