package model

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The batch command run by a real sh and sed against this machine's /proc:
// every file comes back whole, a missing one is absent.
func TestProcReadCommandRoundTrip(t *testing.T) {
	paths := []string{"/proc/self/status", "/proc/stat", "/proc/999999999/stat", "/proc/1/cmdline", procUptime}
	out, err := exec.Command("sh", "-c", procReadCommand(paths)).Output()
	if err != nil {
		t.Fatal(err)
	}
	files := parseProcBatch(out)
	if len(files) != 4 || !strings.Contains(string(files["/proc/stat"]), "btime") {
		t.Fatalf("files %q", files)
	}
	// cmdline is NUL-separated: escaped by sed, back to the bytes here.
	want, err := os.ReadFile("/proc/1/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	if got := files["/proc/1/cmdline"]; string(got) != string(want)+"\n" {
		t.Fatalf("cmdline %q, want %q", got, want)
	}
	if up, err := procParseUptime(files[procUptime]); err != nil || up <= 0 {
		t.Fatalf("uptime %v, %v from %q", up, err, files[procUptime])
	}
	if argv := procSplitCmdline(files["/proc/1/cmdline"]); len(argv) == 0 || argv[0] != strings.Split(string(want), "\x00")[0] {
		t.Fatalf("argv %q from %q", argv, want)
	}
	if pid, err := procParseTgid(files["/proc/self/status"]); err != nil || pid <= 0 {
		t.Fatalf("Tgid %d, %v", pid, err)
	}
	if _, err := procParseTgid([]byte("Name: x\nTgid:\tabc\n")); err == nil {
		t.Fatal("bad Tgid accepted")
	}
}

func TestUnescapeSedL(t *testing.T) {
	got := string(unescapeSedL(nil, []byte(`a\\b\tc\001x$\n\377`)))
	if want := "a\\b\tc\x01x$\n\xff"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
