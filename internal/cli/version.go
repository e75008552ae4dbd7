package cli

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
)

// version is set by release builds: go build -ldflags
// "-X github.com/qmpdash/qmpdash/internal/cli.version=v1.2.3".
// Otherwise the module version the binary was built from is used (as
// "go install ...@v1.2.3" records it), else "(devel)".
var version = ""

const versionUsage = `Usage: qmpdash version

Prints qmpdash's version, the Go version it was built with and the
platform. 'qmpdash --version' does the same.

Examples:
  qmpdash version
  qmpdash --version

`

func runVersion(_ context.Context, args []string, stdout, _ io.Writer) error {
	fs := newFlagSet("version")
	pos, err := parseFlags(fs, versionUsage, args, stdout)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("version: takes no arguments, got %q", pos[0])
	}
	_, err = fmt.Fprintln(stdout, versionString())
	return err
}

// versionString is e.g. "qmpdash v0.3.0 (go1.26.0 linux/amd64)", or for
// a build from a checkout "qmpdash (devel) rev 1c72320a9f0b 2026-01-02T03:04:05Z
// modified (go1.26.0 linux/amd64)": the VCS revision, its commit time and
// whether the tree had changes, as Go's build info records them. A build
// made with -buildvcs=false (or outside a checkout) has none, and says so.
func versionString() string {
	bi, _ := debug.ReadBuildInfo()
	return formatVersion(version, bi)
}

func formatVersion(v string, bi *debug.BuildInfo) string {
	var rev, when, dirty string
	if bi != nil {
		if v == "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value[:min(12, len(s.Value))]
			case "vcs.time":
				when = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					dirty = "modified"
				}
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	parts := []string{"qmpdash", v}
	switch {
	case rev != "":
		parts = append(parts, "rev", rev)
		for _, p := range []string{when, dirty} {
			if p != "" {
				parts = append(parts, p)
			}
		}
	case v == "(devel)":
		parts = append(parts, "no VCS revision recorded (built with -buildvcs=false or outside a checkout)")
	}
	return fmt.Sprintf("%s (%s %s/%s)", strings.Join(parts, " "), runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
