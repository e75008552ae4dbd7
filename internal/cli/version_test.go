package cli

import (
	"regexp"
	"runtime"
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	want := regexp.MustCompile(`^qmpdash \S+( [0-9a-f]{12}(\+dirty)?)? \(go\S+ \S+/\S+\)\n$`)
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
