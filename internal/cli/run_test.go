package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

// TestMain points the default config file at an empty directory, so a
// developer's own ~/.config/qmpdash/config.toml cannot change any test,
// and checks that no test leaves goroutines behind.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "qmpdash-config")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("XDG_CONFIG_HOME", dir)
	code := m.Run()
	os.RemoveAll(dir)
	if code == 0 {
		// Bar x/crypto/ssh's lost channel open (see remote's openOn).
		if err := goleak.Find(goleak.IgnoreTopFunction("golang.org/x/crypto/ssh.(*mux).openChannel")); err != nil {
			fmt.Fprintf(os.Stderr, "goroutine leak: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// runCLI runs qmpdash with args to completion.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), code
}

func TestHelpForEveryCommand(t *testing.T) {
	for _, cmd := range []string{"status", "events", "exec", "version"} {
		out, stderr, code := runCLI(t, cmd, "--help")
		if code != exitOK || stderr != "" {
			t.Errorf("%s --help: exit %d stderr %q", cmd, code, stderr)
		}
		if !strings.HasPrefix(out, "Usage: qmpdash "+cmd) || !strings.Contains(out, "Examples:\n  qmpdash "+cmd) {
			t.Errorf("%s --help:\n%s", cmd, out)
		}
		if cmd != "version" {
			for _, f := range []string{"--interval D", "--timeout D", "--read-only", "--theme NAME", "--config FILE", "--log FILE"} {
				if !strings.Contains(out, f) {
					t.Errorf("%s --help lacks %s", cmd, f)
				}
			}
		}
	}
	out, _, code := runCLI(t, "help")
	if code != exitOK || !strings.Contains(out, "qmpdash events") || !strings.Contains(out, "qmpdash exec") {
		t.Errorf("help: %d\n%s", code, out)
	}
}
