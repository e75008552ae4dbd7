package qmp_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/qemutest"
)

// The query-status round trip against real QEMU. Each benchmark run starts
// its own VM (a monitor serves one client at a time), outside the timer.
// The VM is paused (-S): a running guest with nothing to boot would spend
// CPU in firmware and disturb the figures; query-status costs the same.

func BenchmarkQEMUBareLoop(b *testing.B) {
	conn := benchQEMUConn(b)
	benchBareSerial(b, conn, bareHandshake(b, conn))
}

func BenchmarkQEMUBarePipelined8(b *testing.B) {
	conn := benchQEMUConn(b)
	benchBarePipelined(b, conn, bareHandshake(b, conn), benchWorkers)
}

func BenchmarkQEMUExecuteSerial(b *testing.B) {
	benchExecuteSerial(b, benchClient(b, benchQEMUConn(b)))
}

func BenchmarkQEMUExecutePipelined8(b *testing.B) {
	benchExecutePipelined(b, benchClient(b, benchQEMUConn(b)), benchWorkers)
}

// benchQEMUConn starts a paused VM and returns a connection to its monitor,
// closed when the benchmark run ends (before the VM is killed).
func benchQEMUConn(b *testing.B) net.Conn {
	b.Helper()
	vm := qemutest.Start(b, qemutest.Options{Name: "bench", Paused: true})
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
