package exporter

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/qmpdash/qmpdash/internal/termsafe"
	"github.com/qmpdash/qmpdash/model"
)

// The guest agent's facts (model.Guest) as metrics. qemu_guest_agent_up
// is there for every VM with an agent channel; the facts only while the
// agent answers (the latest round confirmed them), never last-known
// values. Every label value from the guest is untrusted: made valid,
// control-free and bounded (guestLabel), and a label set the guest
// repeats (two mounts on one mount point, one address on two lines) is
// sent once, since a duplicate series fails the whole scrape.

var (
	descGuestUp    = desc("qemu_guest_agent_up", "1 when the VM's guest agent answered its latest round, 0 when not (not answering, the guest has not opened the port, or not asked yet); absent when no agent channel is known.", "vm")
	descGuestInfo  = desc("qemu_guest_info", "What the guest agent says of the guest, always 1.", "vm", "agent_version", "os", "kernel", "hostname")
	descGuestFSUse = desc("qemu_guest_filesystem_used_bytes", "Bytes used on a mounted guest file system (guest-get-fsinfo).", "vm", "mountpoint", "type")
	descGuestFSSz  = desc("qemu_guest_filesystem_size_bytes", "Size of a mounted guest file system (guest-get-fsinfo).", "vm", "mountpoint", "type")
	descGuestAddr  = desc("qemu_guest_network_address_info", "An address of a guest network interface, with its prefix, always 1.", "vm", "interface", "mac", "address")
	descGuestUsers = desc("qemu_guest_users", "Users logged in to the guest (guest-get-users).", "vm")
)

// maxGuestLabel bounds a label value from the guest, in bytes.
const maxGuestLabel = 256

// guestLabel makes a string from the guest fit for a label value.
func guestLabel(s string) string { return termsafe.Line(termsafe.Clip(s, maxGuestLabel)) }

// collectGuest sends one VM's guest agent metrics.
// What the agent said stands only beside a monitor that answers (up):
// with QEMU gone or silent the agent is not confirmed, and its facts are
// not sent as if they were.
func collectGuest(ch chan<- prometheus.Metric, g *model.Guest, vm string, up bool) {
	if g.State == model.GuestNone {
		return
	}
	gauge(ch, descGuestUp, b2f(up && g.State == model.GuestOK), vm)
	if !up || g.State != model.GuestOK {
		return
	}
	gauge(ch, descGuestInfo, 1, vm, guestLabel(g.AgentVersion), guestLabel(g.OSName), guestLabel(g.Kernel), guestLabel(g.HostName))
	if g.UsersKnown {
		gauge(ch, descGuestUsers, float64(len(g.Users)), vm)
	}
	seen := map[[3]string]bool{}
	for _, f := range g.Filesystems {
		if !f.Sized {
			continue
		}
		k := [3]string{guestLabel(f.Mountpoint), guestLabel(f.Type)}
		if seen[k] {
			continue
		}
		seen[k] = true
		gauge(ch, descGuestFSUse, float64(f.Used), vm, k[0], k[1])
		gauge(ch, descGuestFSSz, float64(f.Total), vm, k[0], k[1])
	}
	clear(seen)
	for _, i := range g.Interfaces {
		for _, a := range i.Addresses {
			k := [3]string{guestLabel(i.Name), guestLabel(i.MAC), guestLabel(a)}
			if seen[k] {
				continue
			}
			seen[k] = true
			gauge(ch, descGuestAddr, 1, vm, k[0], k[1], k[2])
		}
	}
}
