package ui

import (
	"testing"
	"time"
)

// The whole screen, as a user sees it, of a remote VM whose host's /proc
// batch stopped arriving 8 s ago while its monitor answers: the fleet row
// is up, its CPU and RSS are marked last known with their age, and the
// detail panes say as of when.
func TestStaleHostFiguresOnScreen(t *testing.T) {
	vms := demoVMs()
	web := &vms[3]
	web.RemoteHost = "root@lab1"
	web.Host.Valid, web.Host.CPUPercent, web.Host.RSSBytes = true, 12.5, 300<<20
	web.Host.At, web.Host.Stale = t0.Add(-8*time.Second), true
	h := newHarness(t, newFakeSource(vms...), Options{}, 160, 48)
	h.press("G")
	h.mustShow("? 12.5% 8s", "? 300M 8s", "◐ stale 8s: host /proc read at 11:59:52")
	h.mustNotShow("◐ the latest poll failed")

	web.Host.Stale = false
	h = newHarness(t, newFakeSource(vms...), Options{}, 160, 48)
	h.press("G")
	h.mustShow("12.5%", "300M")
	h.mustNotShow("? 12.5%", "◐ stale")
}
