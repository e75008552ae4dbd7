package cli

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
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

// versionString is e.g. "qmpdash v0.3.0 (go1.26.0 linux/amd64)", with the
// VCS revision when the build recorded one.
func versionString() string {
	v, rev, dirty := version, "", false
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v == "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value[:min(12, len(s.Value))]
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if rev != "" && dirty {
		rev += "+dirty"
	}
	if v == "" {
		v = "(devel)"
	}
	s := "qmpdash " + v
	if rev != "" && v == "(devel)" {
		s += " " + rev
	}
	return fmt.Sprintf("%s (%s %s/%s)", s, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
