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
			s := startTmux(t, 120, 40, []string{"XDG_STATE_HOME=" + shortDir(t), "XDG_CONFIG_HOME=" + shortDir(t)}, bin+" demo")
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

func TestDemoSimulatedSaysSo(t *testing.T) {
	bin := qmpdashBinary(t)
	s := startTmux(t, 100, 30, []string{"XDG_STATE_HOME=" + shortDir(t), "XDG_CONFIG_HOME=" + shortDir(t)}, bin+" demo --sim")
	scr := s.waitScreen("simulated fleet", 30*time.Second, func(scr string) bool {
		return strings.Contains(scr, "simulated") && strings.Contains(scr, "4 VMs")
	})
	if !strings.Contains(scr, "running") {
		t.Fatalf("no running VM on screen:\n%s", scr)
	}
	s.keys("q")
	if code := s.waitExit(20 * time.Second); code != 0 {
		t.Fatalf("exit status %d; screen:\n%s", code, s.screen())
	}
}

// 'qmpdash demo' on a host without QEMU (none on PATH) shows the simulated
// fleet and says why.
func TestDemoWithoutQEMUFallsBackToSimulated(t *testing.T) {
	bin := qmpdashBinary(t)
	noQEMU := shortDir(t) // an empty directory as qmpdash's whole PATH
	s := startTmux(t, 120, 30, []string{"XDG_STATE_HOME=" + shortDir(t), "XDG_CONFIG_HOME=" + shortDir(t)},
		"PATH="+noQEMU+" "+bin+" demo")
	scr := s.waitScreen("simulated fleet, QEMU not installed", 30*time.Second, func(scr string) bool {
		return strings.Contains(scr, "demo: simulated VMs (QEMU not installed)") && strings.Contains(scr, "4 VMs")
	})
	if !strings.Contains(scr, "running") {
		t.Fatalf("no running VM on screen:\n%s", scr)
	}
	s.keys("q")
	if code := s.waitExit(20 * time.Second); code != 0 {
		t.Fatalf("exit status %d; screen:\n%s", code, s.screen())
	}
}
