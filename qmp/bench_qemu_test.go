package qmp_test

import (
	"context"
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

// BenchmarkQEMUPaired measures the shapes above side by side instead of one
// after another, because on a shared or virtualised host the round trip
// drifts by more than the 3% being judged within the minute a -count run
// takes. Two paused VMs: one driven by hand, one by a qmp.Client; the shapes
// take turns in chunks of pairedChunk operations (rotating who goes first),
// and the VMs swap roles halfway. Each shape's time per operation is
// reported as its own metric, with the ratios; ns/op covers all three.
func BenchmarkQEMUPaired(b *testing.B) {
	vms := [2]*qemutest.VM{
		qemutest.Start(b, qemutest.Options{Name: "pa", Paused: true}),
		qemutest.Start(b, qemutest.Options{Name: "pb", Paused: true}),
	}
	var bare *bareConn
	var client *qmp.Client
	connect := func(bareVM, clientVM *qemutest.VM) {
		bare = dialBare(b, dialVM(b, bareVM))
		client = benchClient(b, dialVM(b, clientVM))
	}
	connect(vms[0], vms[1])

	shapes := []struct {
		unit string
		run  func(n int)
	}{
		{"bare-ns/op", func(n int) { bare.serial(b, n) }},
		{"serial-ns/op", func(n int) {
			if err := executeSerial(client, n); err != nil {
				b.Fatal(err)
			}
		}},
		{"pipelined8-ns/op", func(n int) {
			if err := executePipelined(client, n); err != nil {
				b.Fatal(err)
			}
		}},
	}
	spent := make([]time.Duration, len(shapes))
	swapped := false
	b.ResetTimer()
	for done, round := 0, 0; done < b.N; round++ {
		if !swapped && done > 0 && done >= b.N/2 {
			b.StopTimer()
			bare.conn.Close()
			client.Close()
			connect(vms[1], vms[0])
			swapped = true
			b.StartTimer()
		}
		n := min(pairedChunk, b.N-done)
		for i := range shapes {
			k := (round + i) % len(shapes)
			start := time.Now()
			shapes[k].run(n)
			spent[k] += time.Since(start)
		}
		done += n
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

// pairedChunk is long enough that filling and draining the pipeline at the
// ends of a chunk costs the pipelined shape little, short enough (a few tens
// of milliseconds) that the host does not drift within a turn.
const pairedChunk = 200

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
