package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/model"
)

// device_del is a request: "requested" on QEMU's reply, a note while no
// DEVICE_DELETED has come, "deleted" once the snapshot shows it came.
func TestDeviceDelRequestedUntilDeleted(t *testing.T) {
	h := demo(t, Options{}, 140, 30)
	h.press("G")
	vmID := h.a.fleet.SelectedID()
	setUnplug := func(u model.Unplug) {
		h.src.update(func(s *model.FleetSnapshot) {
			for i := range s.VMs {
				if s.VMs[i].ID == vmID {
					s.VMs[i].Unplugs = []model.Unplug{u}
				}
			}
		})
		h.sync()
	}
	h.palette("delete device")
	h.typeText("net1", "enter")
	setUnplug(model.Unplug{ID: "net1", RequestedAt: t0}) // the fleet records it before the reply
	h.sync()
	if s := h.statusText(); !strings.Contains(s, "device net1 on web-01: requested") || strings.Contains(s, "done") {
		t.Fatalf("status after device_del's reply: %q", s)
	}
	h.fireTicks()
	if s := h.statusText(); !strings.Contains(s, "net1 on web-01: still requested after 10s") {
		t.Fatalf("status with no DEVICE_DELETED after the wait: %q", s)
	}
	setUnplug(model.Unplug{ID: "net1", RequestedAt: t0, DeletedAt: t0.Add(12 * time.Second)})
	if s := h.statusText(); !strings.Contains(s, "device net1 on web-01: deleted") {
		t.Fatalf("status after DEVICE_DELETED: %q", s)
	}
}

func TestPaletteJobActionsComplete(t *testing.T) {
	h := demo(t, Options{Confirm: true}, 140, 30)
	h.press("G")
	for _, c := range []struct{ query, cmd, question string }{
		{"complete block job", "job-complete", "Complete block job drive0 (backup, running) on web-01 (job-complete)?"},
		{"cancel block job", "job-cancel", "Cancel block job drive0 (backup, running) on web-01 (job-cancel)?"},
		{"pause block job", "job-pause", ""},
		{"resume block job", "job-resume", ""},
	} {
		h.palette(c.query)
		h.mustShow("jobs: drive0")
		h.tabComplete("d", "drive0", c.query+" completion")
		h.press("enter")
		if c.question != "" {
			h.mustShow(c.question, "This cannot be undone.")
			h.press("y")
		}
		h.mustSend(c.cmd, `{"id":"drive0"}`)
	}
	h.palette("cancel migration")
	h.confirmUndoable([]string{"Cancel the outgoing migration of web-01 (migrate_cancel)?", "The VM keeps running here."}, "migrate_cancel")
	h.palette("change removable medium")
	h.tabComplete("c", "cd0 ", "device completion")
	h.typeText("/srv/debian.iso", "enter")
	h.confirmUndoable([]string{"Change the medium in cd0 on web-01 (blockdev-change-medium)?", "an old medium can be inserted again"},
		"blockdev-change-medium", `{"device":"cd0","filename":"/srv/debian.iso"}`)
	h.palette("change removable medium")
	h.typeText("cd0", "enter")
	h.mustShow("type the device, then the image file")
}

func TestPaletteBalloonPrompt(t *testing.T) {
	h := demo(t, Options{}, 100, 30)
	h.press("G")
	h.palette("balloon")
	h.mustShow("Set balloon target · web-01", "size:")
	h.typeText("lots", "enter")
	h.mustShow(`"lots" is not a size`)
	h.mustNotSend()
	h.retype("4G", "enter")
	c := h.mustSend("balloon", `{"value":4294967296}`)
	// The fleet records the target it asked, capped as QEMU caps it
	// (model does); the memory pane shows it as a request beside the
	// actual size QEMU reports, with no percentage of anything.
	h.src.update(func(s *model.FleetSnapshot) {
		for i := range s.VMs {
			if s.VMs[i].ID == c.vmID {
				s.VMs[i].Memory.Requested = model.BalloonRequest{Asked: 4 << 30, Target: 2 << 30, At: t0.Add(-5 * time.Second)}
			}
		}
	})
	h.sync()
	h.press("enter", "3")
	h.mustShow("actual 1.5G of 2.0G RAM", "Requested 2.0G (asked 4.0G; QEMU caps it at RAM)  5s ago",
		"not reached: the guest's balloon driver moves actual")
	if v := h.screen(); strings.Contains(v, "of target") || strings.Contains(v, "target —") {
		t.Fatalf("memory pane invents a target figure:\n%s", v)
	}
}

// Two requests that finish in the same snapshot are both said deleted.
func TestDeviceDelTwoFinishTogether(t *testing.T) {
	h := demo(t, Options{}, 160, 30)
	h.press("G")
	vmID := h.a.fleet.SelectedID()
	set := func(deleted time.Time) {
		h.src.update(func(s *model.FleetSnapshot) {
			for i := range s.VMs {
				if s.VMs[i].ID == vmID {
					s.VMs[i].Unplugs = []model.Unplug{{ID: "net0", RequestedAt: t0, DeletedAt: deleted},
						{ID: "net1", RequestedAt: t0, DeletedAt: deleted}}
				}
			}
		})
		h.sync()
	}
	for _, id := range []string{"net0", "net1"} {
		h.palette("delete device")
		h.typeText(id, "enter")
		set(time.Time{})
	}
	set(t0.Add(time.Second))
	if s := h.statusText(); !strings.Contains(s, "device net0 on web-01, device net1 on web-01: deleted") {
		t.Fatalf("status: %q", s)
	}
}
