package palette

import (
	"github.com/qmpdash/qmpdash/internal/termsafe"
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/ui/dialog"
)

// The y/N question of each destructive action: it names the action, the
// VM and what inside it the action touches, says what will follow, and
// says "cannot be undone" only where that is so (a medium can be inserted
// again, a job can not be restarted, a reset guest loses what it had not
// saved).

// question builds pd's y/N question; vm is nil for local actions.
func question(act *action, pd *Pending, vm *model.VMSnapshot) dialog.Question {
	on := " on " + pd.VMName
	cmd := ""
	if pd.Command != "" {
		cmd = " (" + termsafe.Line(termsafe.Clip(pd.Command, 64)) + ")"
	}
	tgt := termsafe.Line(termsafe.Clip(pd.Target, 128))
	switch act.id {
	case ActReset:
		return dialog.Question{Text: pd.Title + on + cmd, Irreversible: true,
			Note: "The guest restarts at once, as with a reset button: what it had not written to disk is lost."}
	case ActPowerdown:
		return dialog.Question{Text: pd.Title + on + cmd,
			Note: "Sends an ACPI power-button press. The guest decides: it may shut down, or ignore it."}
	case ActQuitVM:
		return dialog.Question{Text: pd.Title + on + cmd, Irreversible: true,
			Note: "The VM process exits at once, without a guest shutdown; the guest's memory is lost."}
	case ActEject:
		m := mediumOf(vm, pd.Target)
		if m == "" {
			return dialog.Question{Text: "Eject the medium in " + tgt + on + cmd,
				Note: "The drive reports no medium: this opens its tray."}
		}
		return dialog.Question{Text: "Eject the medium in " + tgt + on + cmd,
			Note: "The guest loses " + m + " until a medium is inserted again (Change removable medium)."}
	case ActMedium:
		m := mediumOf(vm, pd.Target)
		if m == "" {
			m = "nothing (the drive reports no medium)"
		}
		return dialog.Question{Text: "Change the medium in " + tgt + on + cmd,
			Note: "Replaces " + m + "; an old medium can be inserted again the same way."}
	case ActDeviceDel:
		return dialog.Question{Text: "Delete device " + tgt + deviceType(vm, pd.Target) + on + cmd,
			Note: "QEMU asks the guest to release it; it is gone only when the guest does (DEVICE_DELETED), " +
				"and a guest without a driver may never do so. To have it back, add it again with device_add."}
	case ActJobDone:
		return dialog.Question{Text: "Complete block job " + tgt + jobType(vm, pd.Target) + on + cmd, Irreversible: true,
			Note: "A mirror switches the VM's disk over to its target (the source is no longer used); going back takes a new job."}
	case ActJobCancel:
		return dialog.Question{Text: "Cancel block job " + tgt + jobType(vm, pd.Target) + on + cmd, Irreversible: true,
			Note: "The job stops for good and its target is left incomplete (a ready mirror's target stops being kept in sync); " +
				"a cancelled job cannot be resumed, only started again."}
	case ActMigCancel:
		return dialog.Question{Text: "Cancel the outgoing migration of " + pd.VMName + cmd,
			Note: "The VM keeps running here. The destination's incoming migration fails; it must be started again to retry."}
	case ActGuestDown:
		return dialog.Question{Text: "Shut down the guest of " + pd.VMName + " through its agent (guest-shutdown powerdown)",
			Note: "The guest's OS shuts itself down as if told from inside: programs are stopped, then the VM powers off " +
				"(QEMU exits unless run with -no-shutdown). The agent does not confirm: watch the run state."}
	case ActGuestBoot:
		return dialog.Question{Text: "Reboot the guest of " + pd.VMName + " through its agent (guest-shutdown reboot)",
			Note: "The guest's OS restarts itself in order, as a reboot from inside would; the VM keeps running. " +
				"The agent does not confirm: watch for the RESET event."}
	case ActQMP:
		return dialog.Question{Text: "Send " + termsafe.Line(termsafe.Clip(pd.Command, 64)) + on,
			Note: "A raw command: qmpdash cannot tell all it changes. Check its arguments."}
	}
	return dialog.Question{Text: pd.Title + on + cmd}
}

// mediumOf names what is in a drive now, for the questions: "" when the
// drive is known to be empty.
func mediumOf(vm *model.VMSnapshot, dev string) string {
	if vm != nil {
		for _, b := range vm.Blocks {
			if (b.Device == dev || b.QDev == dev) && dev != "" {
				if !b.Inserted || b.File == "" {
					return ""
				}
				return termsafe.Line(termsafe.Clip(b.File, 256))
			}
		}
	}
	return "the medium in it"
}

func deviceType(vm *model.VMSnapshot, id string) string {
	if vm != nil {
		for _, d := range vm.Devices {
			if d.ID == id {
				return " (" + termsafe.Line(termsafe.Clip(d.Type, 64)) + ")"
			}
		}
	}
	return ""
}

func jobType(vm *model.VMSnapshot, id string) string {
	if vm != nil {
		for _, j := range vm.Jobs {
			if j.Device == id && j.Type != "" {
				return " (" + termsafe.Line(termsafe.Clip(j.Type, 32)) + ", " + termsafe.Line(termsafe.Clip(j.Status, 32)) + ")"
			}
		}
	}
	return ""
}
