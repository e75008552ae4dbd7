package palette

import (
	"testing"

	"github.com/qmpdash/qmpdash/model"
)

// "This cannot be undone" only where it is so, and every question names
// its target.
func TestQuestionsAreHonest(t *testing.T) {
	vm := &model.VMSnapshot{
		Blocks:  []model.BlockDevice{{Device: "cd0", Removable: true, Inserted: true, File: "/srv/a.iso"}},
		Devices: []model.Device{{ID: "net1", Type: "virtio-net-pci"}},
		Jobs:    []model.BlockJob{{Device: "m0", Type: "mirror", Status: "ready"}},
	}
	for _, c := range []struct {
		id           ActionID
		target       string
		irreversible bool
		text         string
	}{
		{ActReset, "", true, "Reset VM on web (system_reset)"},
		{ActQuitVM, "", true, "Quit VM (terminate QEMU) on web (quit)"},
		{ActPowerdown, "", false, "Power down VM (ACPI) on web (system_powerdown)"},
		{ActEject, "cd0", false, "Eject the medium in cd0 on web (eject)"},
		{ActMedium, "cd0", false, "Change the medium in cd0 on web (blockdev-change-medium)"},
		{ActDeviceDel, "net1", false, "Delete device net1 (virtio-net-pci) on web (device_del)"},
		{ActJobDone, "m0", true, "Complete block job m0 (mirror, ready) on web (job-complete)"},
		{ActJobCancel, "m0", true, "Cancel block job m0 (mirror, ready) on web (job-cancel)"},
		{ActMigCancel, "", false, "Cancel the outgoing migration of web (migrate_cancel)"},
	} {
		act := findAction(c.id)
		if !act.destructive {
			t.Errorf("%s does not ask first", c.id)
		}
		pd := Pending{Title: act.title, VMName: "web", Command: act.command, Target: c.target}
		q := question(act, &pd, vm)
		if q.Irreversible != c.irreversible || q.Text != c.text || q.Note == "" {
			t.Errorf("%s: %+v, want %q irreversible=%v", c.id, q, c.text, c.irreversible)
		}
	}
	pd := Pending{VMName: "web", Target: "cd0"}
	if q := question(findAction(ActEject), &pd, vm); q.Note != "The guest loses /srv/a.iso until a medium is inserted again (Change removable medium)." {
		t.Errorf("eject note: %q", q.Note)
	}
}
