package ui

import (
	"strings"
	"testing"

	"github.com/qmpdash/qmpdash/ui/panes"
)

func TestDetailEnterEscAndPanes(t *testing.T) {
	h := demo(t, Options{}, 80, 24)
	h.press("G", "enter")
	if h.a.focus != focusDetail || h.a.pane != panes.OverviewPane {
		t.Fatalf("enter: focus %v pane %v", h.a.focus, h.a.pane)
	}
	h.mustShow("Overview · web-01", "7.2.22", "Debian 1:7.2+dfsg-7", "4242", "6f1c2f3e-1d2b-4c5a-9e8f-0a1b2c3d4e5f",
		"KVM      yes", "▶ running", "since 08:56:00 (3h04m)")
	h.press("tab")
	h.mustShow("vCPUs · web-01", "4250", "4251", "42.0%", "7.5%")
	h.press("tab")
	h.mustShow("Memory · web-01", "Base      2.0G", "actual 1.5G of 2.0G RAM")
	if strings.Contains(h.screen(), "target") {
		t.Fatal("memory pane shows a target nobody asked for")
	}
	h.press("4")
	h.mustShow("Block · web-01", "drive0", "node disk0", "qcow2", "20G", "/var/lib/vm/web-01.qcow2",
		"1.5M/s", "120 IOPS", "256K/s", "31 IOPS", "cd0", "tray closed, empty",
		"backup drive0 running", "45.0%", "64M/s ETA 3m00s")
	h.press("shift+tab")
	if h.a.pane != panes.MemoryPane {
		t.Fatalf("shift+tab went to %v", h.a.pane)
	}
	h.press("6")
	h.mustShow("serial0", "pty:/dev/pts/3", "open")
	h.press("tab") // guest
	h.mustShow("Guest · web-01", "no agent")
	h.press("tab") // events
	h.mustShow("Events · web-01", "BALLOON_CHANGE")
	h.press("tab") // wraps to overview
	if h.a.pane != panes.OverviewPane {
		t.Fatalf("tab did not wrap: %v", h.a.pane)
	}
	h.press("esc")
	if h.a.focus != focusFleet {
		t.Fatal("esc did not go back to the fleet")
	}
	h.mustShow("NAME")
	// enter toggles too.
	h.press("enter", "enter")
	if h.a.focus != focusFleet {
		t.Fatal("enter in detail did not go back")
	}
}

func TestDetailMigrationAndDisconnected(t *testing.T) {
	h := demo(t, Options{}, 80, 24)
	h.press("enter", "5") // build-runner, migration pane
	h.mustShow("Migration · build-runner", "outgoing → tcp:10.0.0.2:4444", "active", "75.0% of RAM", "4.0G total, 1.0G left", "112M/s", "ETA          ~9s", "expected 300ms")
	h.press("esc", "j", "j", "enter", "1") // legacy: retrying
	h.mustShow("↻ retry 3", "next try 12:00:04", "[CONNECT]", "connection refused")
	h.press("5")
	h.mustShow("no migration started")
}

func TestDetailWideShowsPanesTogether(t *testing.T) {
	h := demo(t, Options{}, 160, 48)
	h.press("G")
	h.mustShow("Fleet", "1 Overview · web-01", "2 vCPUs", "3 Memory", "4 Block", "5 Migration", "6 Chardevs",
		"Events · web-01", "BALLOON_CHANGE", "backup drive0")
	h.press("enter", "4")
	if h.a.focus != focusDetail || h.a.pane != panes.BlockPane {
		t.Fatalf("wide: focus %v pane %v", h.a.focus, h.a.pane)
	}
	// Focus is drawn with different frame glyphs, so it shows without colour.
	h.mustShow("┏━ 4 Block")
}

func TestDetailPaneScrolls(t *testing.T) {
	vms := demoVMs()
	for i := 0; i < 40; i++ {
		vms[3].VCPUs = append(vms[3].VCPUs, vms[3].VCPUs[0])
		vms[3].VCPUs[len(vms[3].VCPUs)-1].Index = i + 2
		vms[3].VCPUs[len(vms[3].VCPUs)-1].ThreadID = 9000 + i
	}
	h := newHarness(t, newFakeSource(vms...), Options{}, 80, 24)
	h.press("G", "enter", "2")
	h.mustShow("4250", "more")
	h.mustNotShow("9039")
	h.press("G") // bottom
	h.mustShow("9039")
	h.mustNotShow("4250")
	h.press("g")
	h.mustShow("4250")
}

// TestDetailWideOverviewUncut: at 160x48 Overview shows the demo VM's
// whole target, UUID and QEMU version, also when they are as long as the
// real demo's (a socket under a temporary directory, a Debian package
// with a security suffix): the left column widens for them, and what
// still does not fit wraps rather than being cut.
func TestDetailWideOverviewUncut(t *testing.T) {
	const uuid = "6f1c2f3e-1d2b-4c5a-9e8f-0a1b2c3d4e5f"
	for _, tc := range []struct{ target, pkg string }{
		{"/run/qemu/web-01.qmp", "Debian 1:7.2+dfsg-7"},
		{"unix:/tmp/qmpdash-demo-2400176973/vms/web-01.qmp", "Debian 1:7.2+dfsg-7+deb12u18+b3"},
		{"unix:/srv/virtual-machines/production/web-tier/web-01/monitor.qmp", "Debian 1:7.2+dfsg-7+deb12u18+b3"},
	} {
		vms := demoVMs()
		vms[3].Target, vms[3].VersionPackage = tc.target, tc.pkg
		h := newHarness(t, newFakeSource(vms...), Options{}, 160, 48)
		h.press("G", "enter")
		ov := overviewValues(h.screen())
		for k, want := range map[string]string{"Target": tc.target, "UUID": uuid, "QEMU": "7.2.22  " + tc.pkg} {
			if ov[k] != want {
				t.Errorf("Overview %s = %q, want %q:\n%s", k, ov[k], want, h.screen())
			}
		}
		// The vCPUs column keeps its minimum.
		h.mustShow("2 vCPUs", "42.0%", "7.5%")
	}
}

// overviewValues reads the wide Overview box's key/value lines from a
// frame, joining a wrapped value's lines.
func overviewValues(screen string) map[string]string {
	out := map[string]string{}
	key := ""
	in := false
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, "Overview · ") {
			in = true
			continue
		}
		if !in {
			continue
		}
		r := []rune(l)
		if r[0] != '┃' && r[0] != '│' {
			break
		}
		end := 1
		for end < len(r) && r[end] != '┃' && r[end] != '│' {
			end++
		}
		cell := string(r[1:end])
		k, v := strings.TrimSpace(cell[:min(8, len(cell))]), strings.TrimSpace(cell[min(9, len(cell)):])
		if k != "" {
			key = k
			out[key] = v
		} else if key != "" {
			out[key] += v
		}
	}
	return out
}
