package cli

import (
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	want := regexp.MustCompile(`^qmpdash \S+( rev [0-9a-f]{12}( \S+)?( modified)?| no VCS revision recorded \(.*\))? \(go\S+ \S+/\S+\)\n$`)
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out, stderr, code := runCLI(t, args...)
		if code != exitOK || stderr != "" || !want.MatchString(out) {
			t.Errorf("%v: exit %d, %q, stderr %q", args, code, out, stderr)
		}
		if !strings.Contains(out, runtime.Version()) || !strings.Contains(out, runtime.GOOS+"/"+runtime.GOARCH) {
			t.Errorf("%v: %q lacks the Go version or platform", args, out)
		}
	}
	// A test binary has no module version: the fallback shows.
	if out, _, _ := runCLI(t, "version"); !strings.HasPrefix(out, "qmpdash (devel)") {
		t.Errorf("%q", out)
	}
	// A release build's -X .../internal/cli.version wins.
	old := version
	version = "v9.8.7"
	defer func() { version = old }()
	if out, _, _ := runCLI(t, "--version"); !strings.HasPrefix(out, "qmpdash v9.8.7 (go") {
		t.Errorf("%q", out)
	}
}

func TestVersionShowsTheVCSStamps(t *testing.T) {
	bi := &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
		{Key: "vcs", Value: "git"},
		{Key: "vcs.revision", Value: "1c72320a9f0b5e4d3c2b1a0918273645566778899"},
		{Key: "vcs.time", Value: "2026-01-02T03:04:05Z"},
		{Key: "vcs.modified", Value: "true"},
	}}
	want := "qmpdash (devel) rev 1c72320a9f0b 2026-01-02T03:04:05Z modified (" + runtime.Version()
	if got := formatVersion("", bi); !strings.HasPrefix(got, want) {
		t.Errorf("got %q\nwant %q...", got, want)
	}
	// A module version from go install keeps the stamps beside it.
	bi.Main.Version = "v0.0.0-20260102030405-1c72320a9f0b+dirty"
	bi.Settings[3].Value = "false"
	if got := formatVersion("", bi); !strings.HasPrefix(got, "qmpdash v0.0.0-20260102030405-1c72320a9f0b+dirty rev 1c72320a9f0b 2026-01-02T03:04:05Z (") {
		t.Errorf("got %q", got)
	}
	// No stamps: said plainly.
	if got := formatVersion("", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}); !strings.Contains(got, "(devel) no VCS revision recorded") {
		t.Errorf("got %q", got)
	}
}
