package ui

import (
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/qmpdash/qmpdash/internal/termsafe"
	"github.com/qmpdash/qmpdash/model"
)

// Following a device_del in the status bar. QEMU's reply only says the
// request was accepted: the device goes when the guest releases it, which
// QEMU reports with DEVICE_DELETED (the fleet marks the request in the
// VM's snapshot, model.Unplug). So the status bar says "requested" on the
// reply, "deleted" when a snapshot shows the request done, and a note if
// it is still pending after unplugWait. The Overview pane keeps showing
// every pending request with its age.

// unplugWait is how long a request may stay pending before the status bar
// says so.
const unplugWait = 10 * time.Second

// unplugKey names one device of one VM.
type unplugKey struct{ vm, id string }

// unplugRequested reports an accepted device_del and starts following it.
func (a *app) unplugRequested(m resultMsg) tea.Cmd {
	k := unplugKey{vm: m.vmID, id: m.target}
	if u, ok := a.unplugState(k); ok && !u.Pending() {
		// DEVICE_DELETED came before the reply did.
		return a.setStatus(statusOK, a.unplugText(k)+": deleted")
	}
	a.unplugs[k] = true
	return tea.Batch(
		a.setStatus(statusInfo, a.unplugText(k)+": requested; it stays until the guest releases it (DEVICE_DELETED)"),
		a.tick(unplugWait, func(time.Time) tea.Msg { return unplugCheckMsg(k) }))
}

// unplugState is the VM's request for device k.id in the last snapshot.
func (a *app) unplugState(k unplugKey) (model.Unplug, bool) {
	v, _, ok := a.findVM(k.vm)
	if !ok {
		return model.Unplug{}, false
	}
	for _, u := range v.Unplugs {
		if u.ID == k.id {
			return u, true
		}
	}
	return model.Unplug{}, false
}

// followUnplugs says "deleted" for each followed request a new snapshot
// shows done, and stops following requests whose VM or entry is gone.
func (a *app) followUnplugs() tea.Cmd {
	var done []string
	for k := range a.unplugs {
		u, ok := a.unplugState(k)
		switch {
		case !ok:
			delete(a.unplugs, k)
		case !u.Pending():
			delete(a.unplugs, k)
			done = append(done, a.unplugText(k))
		}
	}
	if len(done) == 0 {
		return nil
	}
	// Several can finish in one snapshot: one line says them all.
	slices.Sort(done)
	return a.setStatus(statusOK, strings.Join(done, ", ")+": deleted")
}

// unplugText names a followed device and its VM, made safe to show (the
// id may come from a raw QMP command's JSON).
func (a *app) unplugText(k unplugKey) string {
	return "device " + termsafe.Line(termsafe.Clip(k.id, 128)) + " on " + a.vmName(k.vm)
}

// checkUnplug notes a request still pending unplugWait after the reply.
func (a *app) checkUnplug(m unplugCheckMsg) tea.Cmd {
	k := unplugKey(m)
	if !a.unplugs[k] {
		return nil
	}
	if u, ok := a.unplugState(k); !ok || !u.Pending() {
		return nil
	}
	return a.setStatus(statusInfo, a.unplugText(k)+
		": still requested after "+unplugWait.String()+"; the guest has not released it (no DEVICE_DELETED)")
}
