package qmp_test

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemutest"
	"github.com/qmpdash/qmpdash/qmp"
)

// The query-status round trip against real QEMU. Each benchmark run starts
// its own VMs (a monitor serves one client at a time), outside the timer.
// The VMs are paused (-S): a running guest with nothing to boot would spend
// CPU in firmware and disturb the figures; query-status costs the same.

func BenchmarkQEMUBareLoop(b *testing.B) {
	benchBareSerial(b, dialBare(b, benchQEMUConn(b, "bench")))
}

func BenchmarkQEMUBarePipelined8(b *testing.B) {
	benchBarePipelined(b, dialBare(b, benchQEMUConn(b, "bench")))
}

func BenchmarkQEMUExecuteSerial(b *testing.B) {
	benchExecuteSerial(b, benchClient(b, benchQEMUConn(b, "bench")))
}

func BenchmarkQEMUExecutePipelined8(b *testing.B) {
	benchExecutePipelined(b, benchClient(b, benchQEMUConn(b, "bench")))
}

// BenchmarkQEMUPaired measures the three shapes side by side instead of one
// after another, because on a shared or virtualised host the round trip
// drifts by more than the differences being judged within the minute a
// -count run takes. Each shape drives its own paused VM (serial and
// pipelined Execute through two clients). The run is cut into rounds, in
// each of which every shape runs one chunk of operations, in the orders of
// pairedOrders; after each pass over the orders the VMs change roles, so
// that every shape runs on every VM. Each shape's time per operation is
// reported as its own metric, with the ratios; ns/op covers all three.
func BenchmarkQEMUPaired(b *testing.B) {
	var vms [3]*qemutest.VM
	for i := range vms {
		vms[i] = qemutest.Start(b, qemutest.Options{Name: fmt.Sprintf("p%d", i), Paused: true})
	}
	var bare *bareConn
	var serial, pipelined *qmp.Client
	connect := func(pass int) {
		bare = dialBare(b, dialVM(b, vms[pass%3]))
		serial = benchClient(b, dialVM(b, vms[(pass+1)%3]))
		pipelined = benchClient(b, dialVM(b, vms[(pass+2)%3]))
	}
	disconnect := func() {
		bare.conn.Close()
		serial.Close()
		pipelined.Close()
	}
	shapes := []struct {
		unit string
		run  func(n int)
	}{
		{"bare-ns/op", func(n int) { bare.serial(b, n) }},
		{"serial-ns/op", func(n int) {
			if err := executeSerial(serial, n); err != nil {
				b.Fatal(err)
			}
		}},
		{"pipelined8-ns/op", func(n int) {
			if err := executePipelined(pipelined, n); err != nil {
				b.Fatal(err)
			}
		}},
	}
	spent := make([]time.Duration, len(shapes))
	rounds := len(vms) * len(pairedOrders)
	b.ResetTimer()
	for round := range rounds {
		if round%len(pairedOrders) == 0 {
			b.StopTimer()
			if round > 0 {
				disconnect()
			}
			connect(round / len(pairedOrders))
			b.StartTimer()
		}
		n := b.N*(round+1)/rounds - b.N*round/rounds
		for _, k := range pairedOrders[round%len(pairedOrders)] {
			start := time.Now()
			shapes[k].run(n)
			spent[k] += time.Since(start)
		}
	}
	b.StopTimer()
	per := make([]float64, len(shapes))
	for i, s := range shapes {
		per[i] = float64(spent[i].Nanoseconds()) / float64(b.N)
		b.ReportMetric(per[i], s.unit)
	}
	b.ReportMetric(per[1]/per[0], "serial/bare")
	b.ReportMetric(per[2]/per[0], "pipelined8/bare")
}

// pairedOrders runs the three shapes (0 bare, 1 serial, 2 pipelined) in
// every order, chained so that each round starts with the shape the round
// before ended with: over the six rounds every shape follows every other
// shape exactly twice. What ran just before changes a chunk's speed on
// this host; a plain rotation let the bare loop follow the pipelined burst
// twice as often as serial Execute did.
var pairedOrders = [][3]int{{0, 1, 2}, {2, 0, 1}, {1, 2, 0}, {0, 2, 1}, {1, 0, 2}, {2, 1, 0}}

// benchQEMUConn starts a paused VM and returns a connection to its monitor.
func benchQEMUConn(b *testing.B, name string) net.Conn {
	b.Helper()
	return dialVM(b, qemutest.Start(b, qemutest.Options{Name: name, Paused: true}))
}

// dialVM connects to vm's monitor; the connection is closed when the
// benchmark run ends, before the VM is killed.
func dialVM(b *testing.B, vm *qemutest.VM) net.Conn {
	b.Helper()
	var d net.Dialer
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := d.DialContext(ctx, "unix", vm.Socket)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close() })
	return conn
}

// BenchmarkQEMUInterleaved compares serial Execute with the bare loop one
// round trip at a time: each iteration runs one of each, on two paused
// VMs, alternating which goes first, and the VMs swap roles halfway. Host
// drift cancels out within an iteration and both shapes always follow each
// other, which makes this the measure of serial/bare (BenchmarkQEMUPaired
// is not precise enough to judge 3%). "control" runs a second bare loop in
// Execute's place: its ratio shows what the harness reads for two
// identical shapes. "execute-blocks" alternates blocks of 200 round trips
// instead: work the client leaves behind to run later (garbage collection,
// its idle timer) then mostly lands in its own block rather than being
// shared with the bare loop's round trips.
func BenchmarkQEMUInterleaved(b *testing.B) {
	execute := func(b *testing.B) func(net.Conn) func() {
		return func(conn net.Conn) func() {
			c := benchClient(b, conn)
			return func() {
				if err := executeSerial(c, 1); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.Run("execute", func(b *testing.B) { interleaved(b, 1, execute(b)) })
	b.Run("execute-blocks", func(b *testing.B) { interleaved(b, 200, execute(b)) })
	b.Run("control", func(b *testing.B) {
		interleaved(b, 1, func(conn net.Conn) func() {
			bc := dialBare(b, conn)
			return func() { bc.serial(b, 1) }
		})
	})
}

// interleaved runs b.N round trips of the bare loop and of the shape that
// connect builds on a connection of its own, alternating in blocks of
// block round trips (the first of each pair of blocks alternates too), and
// reports both and their ratio (shape/bare).
func interleaved(b *testing.B, block int, connect func(net.Conn) func()) {
	vms := [2]*qemutest.VM{
		qemutest.Start(b, qemutest.Options{Name: "ia", Paused: true}),
		qemutest.Start(b, qemutest.Options{Name: "ib", Paused: true}),
	}
	var bare *bareConn
	var shape func()
	var conns [2]net.Conn
	attach := func(bareVM, shapeVM *qemutest.VM) {
		conns = [2]net.Conn{dialVM(b, bareVM), dialVM(b, shapeVM)}
		bare = dialBare(b, conns[0])
		shape = connect(conns[1])
	}
	var spentBare, spentShape time.Duration
	timed := func(spent *time.Duration, op func(), n int) {
		start := time.Now()
		for range n {
			op()
		}
		*spent += time.Since(start)
	}
	bareOp := func() { bare.serial(b, 1) }
	attach(vms[0], vms[1])
	swapped := false
	b.ResetTimer()
	for done, pair := 0, 0; done < b.N; pair++ {
		if !swapped && done >= b.N/2 && done > 0 {
			b.StopTimer()
			// Closing the connection frees the monitor for the next
			// client; a qmp.Client on it notices and ends.
			conns[0].Close()
			conns[1].Close()
			attach(vms[1], vms[0])
			swapped = true
			b.StartTimer()
		}
		n := min(block, b.N-done)
		if pair%2 == 0 {
			timed(&spentBare, bareOp, n)
			timed(&spentShape, shape, n)
		} else {
			timed(&spentShape, shape, n)
			timed(&spentBare, bareOp, n)
		}
		done += n
	}
	b.StopTimer()
	b.ReportMetric(float64(spentBare.Nanoseconds())/float64(b.N), "bare-ns/op")
	b.ReportMetric(float64(spentShape.Nanoseconds())/float64(b.N), "shape-ns/op")
	b.ReportMetric(float64(spentShape)/float64(spentBare), "shape/bare")
}
