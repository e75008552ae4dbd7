package model

import (
	"slices"
	"strings"
	"time"

	"github.com/qmpdash/qmpdash/qmp"
)

// Device removal is a request: device_del returns as soon as QEMU has
// asked the guest to release the device, and the device stays until the
// guest does (QEMU then sends DEVICE_DELETED). A guest without an OS, or
// one that refuses, never releases it. The fleet keeps each request it
// sent until that event arrives, so readers can say "requested" (with its
// age) rather than "done".

// Unplug is one device_del sent through the fleet.
type Unplug struct {
	ID          string
	RequestedAt time.Time
	// DeletedAt is when DEVICE_DELETED for ID arrived; zero while the
	// request is still pending.
	DeletedAt time.Time
}

// Pending reports whether the device is still there as far as QEMU said.
func (u Unplug) Pending() bool { return u.DeletedAt.IsZero() }

// Bounds on the unplugs a VM keeps: the newest, and finished ones only
// for a while (long enough for readers to see them finish).
const (
	maxUnplugs    = 16
	unplugKeepFor = 5 * time.Minute
)

// Device lists from QOM: devices created with an id live under
// /machine/peripheral, as children typed "child<TYPE>".
const peripheralPath = "/machine/peripheral"

// Device is a device the user created with an id (-device or device_add).
type Device struct {
	ID   string
	Type string // e.g. virtio-net-pci
}

func devicesFrom(props []qmp.ObjectProperty) []Device {
	var out []Device
	for _, p := range props {
		t, ok := strings.CutPrefix(p.Type, "child<")
		if !ok {
			continue
		}
		out = append(out, Device{ID: p.Name, Type: strings.TrimSuffix(t, ">")})
	}
	slices.SortFunc(out, func(a, b Device) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// requestUnplug records a device_del about to be sent; the returned
// function forgets it again if QEMU refused the request.
func (v *vmWatcher) requestUnplug(id string, at time.Time) (refused func()) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.unplugs = slices.DeleteFunc(slices.Clone(v.unplugs), func(u Unplug) bool { return u.ID == id })
	v.unplugs = append(v.unplugs, Unplug{ID: id, RequestedAt: at})
	if over := len(v.unplugs) - maxUnplugs; over > 0 {
		v.unplugs = v.unplugs[over:]
	}
	return func() {
		v.mu.Lock()
		defer v.mu.Unlock()
		v.unplugs = slices.DeleteFunc(slices.Clone(v.unplugs), func(u Unplug) bool {
			return u.ID == id && u.RequestedAt.Equal(at) && u.Pending()
		})
	}
}

// deviceDeleted marks a pending request done (DEVICE_DELETED arrived).
func (v *vmWatcher) deviceDeleted(id string, at time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	i := slices.IndexFunc(v.unplugs, func(u Unplug) bool { return u.ID == id && u.Pending() })
	if i < 0 {
		return
	}
	v.unplugs = slices.Clone(v.unplugs)
	v.unplugs[i].DeletedAt = at
}

// unplugList is the VM's requests as readers see them now: finished ones
// older than unplugKeepFor are dropped. The slice is never changed after
// it is returned.
func (v *vmWatcher) unplugList(now time.Time) []Unplug {
	v.mu.Lock()
	defer v.mu.Unlock()
	if slices.ContainsFunc(v.unplugs, func(u Unplug) bool { return !u.Pending() && now.Sub(u.DeletedAt) > unplugKeepFor }) {
		v.unplugs = slices.DeleteFunc(slices.Clone(v.unplugs), func(u Unplug) bool {
			return !u.Pending() && now.Sub(u.DeletedAt) > unplugKeepFor
		})
	}
	return v.unplugs
}

// clearUnplugs forgets the requests of a past connection (a new QEMU has
// none of those devices pending).
func (v *vmWatcher) clearUnplugs() {
	v.mu.Lock()
	v.unplugs = nil
	v.mu.Unlock()
}
