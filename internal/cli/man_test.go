package cli

import (
	"flag"
	"os/exec"
	"strings"
	"testing"

	"github.com/qmpdash/qmpdash/internal/config"
	"github.com/qmpdash/qmpdash/internal/qemutest"
)

// The man page has every command and every flag from the --help texts,
// names no machine's own config path, and groff renders it without a
// warning.
func TestManPage(t *testing.T) {
	page, stderr, code := runCLI(t, "man")
	if code != exitOK || stderr != "" || !strings.HasPrefix(page, ".TH QMPDASH 1") {
		t.Fatalf("exit %d, stderr %q\n%.200s", code, stderr, page)
	}
	if p := config.DefaultPath(); strings.Contains(page, p) {
		t.Errorf("the page names this machine's config path %s", p)
	}
	for _, c := range append([]command{dashboardCommand}, visibleCommands()...) {
		if !strings.Contains(page, roffEscape(c.synopsis)) {
			t.Errorf("no synopsis for %q", c.name)
		}
		if fs, _, ok := commandHelp(c); ok {
			fs.VisitAll(func(f *flag.Flag) {
				if !strings.Contains(page, `\fB\-\-`+roffEscape(f.Name)+`\fR`) {
					t.Errorf("%s: no --%s", c.name, f.Name)
				}
			})
		}
	}
	assertRendersClean(t, page)
}

// assertRendersClean runs groff with all warnings on over a roff page.
func assertRendersClean(t *testing.T, page string) {
	t.Helper()
	groff := qemutest.RequirePeer(t, "groff", "groff-base")
	cmd := exec.Command(groff, "-man", "-ww", "-z", "-Tutf8")
	cmd.Stdin = strings.NewReader(page)
	out, err := cmd.CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("groff: %v\n%s", err, out)
	}
	// A warning is what groff prints for a broken page; check it would.
	bad := exec.Command(groff, "-man", "-ww", "-z", "-Tutf8")
	bad.Stdin = strings.NewReader(".TH X 1\n.SH A\n\\fBunclosed\n.nosuchrequest\n")
	if out, _ := bad.CombinedOutput(); len(out) == 0 {
		t.Error("groff prints no warning for a bad page: the check above proves nothing")
	}
}

// Help lists every command from the table and 'help COMMAND' is its --help.
func TestHelpFromTheTable(t *testing.T) {
	out, _, code := runCLI(t, "help")
	for _, c := range visibleCommands() {
		if !strings.Contains(out, "qmpdash "+c.synopsis) || !strings.Contains(out, c.summary) {
			t.Errorf("help lacks %s:\n%s", c.name, out)
		}
	}
	if code != exitOK || strings.Contains(out, "qmpdash man") {
		t.Errorf("exit %d, or the hidden man listed:\n%s", code, out)
	}
	want, _, _ := runCLI(t, "status", "--help")
	if got, _, code := runCLI(t, "help", "status"); code != exitOK || got != want {
		t.Errorf("help status: exit %d\n%s", code, got)
	}
	if _, stderr, code := runCLI(t, "help", "nope"); code != exitUsage || !strings.Contains(stderr, `no command "nope"`) {
		t.Errorf("help nope: %d %q", code, stderr)
	}
}
