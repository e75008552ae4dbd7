package demo

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

func TestSweepStaleRemovesOnlyDirectoriesWhoseOwnerIsGone(t *testing.T) {
	tmp := t.TempDir()
	// A process that has exited: its pid is free (until reused, which a
	// sweep then errs on the side of keeping).
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	dead := cmd.Process.Pid
	mk := func(name, owner string) string {
		d := filepath.Join(tmp, name)
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
		if owner != "" {
			if err := os.WriteFile(filepath.Join(d, ownerFile), []byte(owner), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		return d
	}
	stale := mk(dirPrefix+"stale", strconv.Itoa(dead))
	live := mk(dirPrefix+"live", strconv.Itoa(os.Getpid()))
	noOwner := mk(dirPrefix+"unowned", "")
	other := mk("something-else", strconv.Itoa(dead))
	SweepStale(tmp)
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale demo directory kept: %v", err)
	}
	for _, d := range []string{live, noOwner, other} {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("%s removed: %v", d, err)
		}
	}
}

func TestSimulatedDemoStopsAndRemovesEverything(t *testing.T) {
	f, err := Start(false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !f.Simulated || len(f.PIDs()) != 0 {
		t.Fatalf("simulated %v pids %v", f.Simulated, f.PIDs())
	}
	socks, _ := filepath.Glob(filepath.Join(f.Dir, "*.qmp"))
	if len(socks) != 4 {
		t.Fatalf("sockets %v", socks)
	}
	f.Stop()
	f.Stop()
	if _, err := os.Stat(f.Root()); !os.IsNotExist(err) {
		t.Fatalf("demo directory left behind: %v", err)
	}
}
