package model

import (
	"os/exec"
	"strings"
	"testing"
)

// The batch command run by a real sh against this machine's /proc: every
// file comes back whole, a missing one is absent.
func TestProcReadCommandRoundTrip(t *testing.T) {
	paths := []string{"/proc/self/status", "/proc/stat", "/proc/999999999/stat"}
	out, err := exec.Command("sh", "-c", procReadCommand(paths)).Output()
	if err != nil {
		t.Fatal(err)
	}
	files := parseProcBatch(out)
	if len(files) != 2 || !strings.Contains(string(files["/proc/stat"]), "btime") {
		t.Fatalf("files %q", files)
	}
	if pid, err := procParseTgid(files["/proc/self/status"]); err != nil || pid <= 0 {
		t.Fatalf("Tgid %d, %v", pid, err)
	}
	if _, err := procParseTgid([]byte("Name: x\nTgid:\tabc\n")); err == nil {
		t.Fatal("bad Tgid accepted")
	}
}
