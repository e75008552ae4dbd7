package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/qmpdash/qmpdash/internal/demo"
	"github.com/qmpdash/qmpdash/internal/qemutest"
)

// The demo must leave no QEMU behind however it ends.
func TestDemoCleansUpEveryWayItEnds(t *testing.T) {
	qemutest.Require(t)
	bin := qmpdashBinary(t)
	ways := map[string]func(s *tmuxSession, pid int){
		"q":      func(s *tmuxSession, _ int) { s.keys("q") },
		"ctrl+c": func(s *tmuxSession, _ int) { s.keys("C-c") },
		"SIGTERM": func(_ *tmuxSession, pid int) {
			_ = syscall.Kill(pid, syscall.SIGTERM)
		},
		"qmpdash killed": func(_ *tmuxSession, pid int) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		},
	}
	for name, end := range ways {
		t.Run(name, func(t *testing.T) {
			s := startTmux(t, 120, 40, bin+" demo")
			s.waitScreen("four real VMs", 60*time.Second, func(scr string) bool {
				return strings.Contains(scr, "demo: real QEMU") && strings.Contains(scr, "4 VMs") &&
					strings.Contains(scr, "flaky") && strings.Contains(scr, "prelaunch")
			})
			qd := childrenNamed(s.panePID(), "qmpdash")
			if len(qd) != 1 {
				t.Fatalf("qmpdash processes under the pane: %v", qd)
			}
			vms := childrenNamed(qd[0], "qemu-system")
			if len(vms) != 4 {
				t.Fatalf("demo QEMUs: %v", vms)
			}
			t.Cleanup(func() {
				for _, p := range vms {
					_ = syscall.Kill(p, syscall.SIGKILL)
				}
			})
			root := demoRoot(t, vms[0])
			end(s, qd[0])
			s.waitExit(30 * time.Second)
			deadline := time.Now().Add(20 * time.Second)
			for _, p := range vms {
				for alive(p) {
					if time.Now().After(deadline) {
						t.Fatalf("QEMU %d outlived qmpdash", p)
					}
					time.Sleep(50 * time.Millisecond)
				}
			}
			if name == "qmpdash killed" {
				// Nothing of its own ran to clean up: the next demo does.
				demo.SweepStale(filepath.Dir(root))
			}
			if _, err := os.Stat(root); !os.IsNotExist(err) {
				t.Fatalf("demo directory %s left behind: %v", root, err)
			}
		})
	}
}

// demoRoot finds the demo's directory in a QEMU's command line.
func demoRoot(t *testing.T, qemuPID int) string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", qemuPID))
	if err != nil {
		t.Fatal(err)
	}
	for _, arg := range strings.Split(string(b), "\x00") {
		if i := strings.Index(arg, "/vms/"); i > 0 && strings.Contains(arg, "qmpdash-demo-") {
			return strings.TrimPrefix(arg[:i], "unix:")
		}
	}
	t.Fatalf("no demo directory in %q", b)
	return ""
}

// 'qmpdash demo --sim', and 'qmpdash demo' on a host without QEMU (none on
// PATH), show the simulated fleet and say so, and why.
func TestDemoSimulatedSaysSo(t *testing.T) {
	bin := qmpdashBinary(t)
	noQEMU := shortDir(t) // an empty directory as qmpdash's whole PATH
	for _, tc := range []struct {
		name, command, what, says string
		width                     int
	}{
		{"sim", bin + " demo --sim", "simulated fleet", "simulated", 100},
		{"without QEMU", "PATH=" + noQEMU + " " + bin + " demo", "simulated fleet, QEMU not installed",
			"demo: simulated VMs (QEMU not installed)", 120},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startTmux(t, tc.width, 30, tc.command)
			// The VMs are dialled after the first frame: wait for one to
			// show running, not just for the fleet to be listed.
			s.waitScreen(tc.what+" with a running VM", 30*time.Second, func(scr string) bool {
				return strings.Contains(scr, tc.says) && strings.Contains(scr, "4 VMs") && strings.Contains(scr, "running")
			})
			s.quit()
		})
	}
}
