package fleet

import (
	"fmt"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/model"
)

// BenchmarkRowData200Guests is the per-frame work of a 200-VM fleet's
// rows (makeRowData, the row cache's key) when every VM's guest agent
// reported a few interfaces: loopback, eth0 with IPv4 and IPv6, docker0.
func BenchmarkRowData200Guests(b *testing.B) {
	now := time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC)
	vms := make([]model.VMSnapshot, 200)
	for i := range vms {
		g := model.Guest{State: model.GuestOK, HostName: fmt.Sprintf("vm-%03d", i), Interfaces: []model.GuestInterface{
			{Name: "lo", Addresses: []string{"127.0.0.1/8", "::1/128"}},
			{Name: "eth0", Addresses: []string{fmt.Sprintf("fe80::5054:ff:fe12:%x/64", i), fmt.Sprintf("10.0.%d.%d/24", i/250, i%250+1)}},
			{Name: "docker0", Addresses: []string{"172.17.0.1/16"}},
		}}
		setGuestIP(&g)
		vms[i] = model.VMSnapshot{ID: fmt.Sprintf("unix:/run/qemu/vm-%03d.qmp", i), Name: g.HostName,
			Conn: model.ConnConnected, RunState: "running", Guest: g}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for i := range vms {
			_ = makeRowData(&vms[i], vms[i].Name, now)
		}
	}
}
