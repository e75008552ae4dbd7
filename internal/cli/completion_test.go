package cli

import (
	"flag"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/qmpdash/qmpdash/internal/qemutest"
	"github.com/qmpdash/qmpdash/themes"
)

// completionScript writes 'qmpdash completion SHELL' to a file.
func completionScript(t *testing.T, shell string) string {
	t.Helper()
	out, stderr, code := runCLI(t, "completion", shell)
	if code != exitOK || stderr != "" || out == "" {
		t.Fatalf("completion %s: exit %d, stderr %q", shell, code, stderr)
	}
	path := filepath.Join(t.TempDir(), "qmpdash."+shell)
	if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Each shell parses its script (-n: read, do not run).
func TestCompletionScriptsParse(t *testing.T) {
	for _, sh := range shellNames() {
		t.Run(sh, func(t *testing.T) {
			bin := qemutest.RequirePeer(t, sh, sh)
			if out, err := exec.Command(bin, "-n", completionScript(t, sh)).CombinedOutput(); err != nil {
				t.Fatalf("%s -n: %v\n%s", sh, err, out)
			}
		})
	}
	if _, stderr, code := runCLI(t, "completion", "tcsh"); code != exitUsage || !strings.Contains(stderr, "bash, zsh, fish") {
		t.Errorf("completion tcsh: exit %d, %q", code, stderr)
	}
}

// Every command the table lists answers the --help probe completion and the
// man page read its flags through, and every flag it has is in every script.
func TestCompletionHasEveryCommandAndFlag(t *testing.T) {
	scripts := map[string]string{}
	for _, sh := range shellNames() {
		out, _, _ := runCLI(t, "completion", sh)
		scripts[sh] = out
	}
	for _, c := range append([]command{dashboardCommand}, visibleCommands()...) {
		fs, _, ok := commandHelp(c)
		if !ok {
			if c.name != "help" {
				t.Errorf("command %q: --help did not return its flag set (does it call parseFlags first?)", c.name)
			}
			continue
		}
		for sh, script := range scripts {
			if c.name != "" && !strings.Contains(script, c.name) {
				t.Errorf("%s script lacks command %s", sh, c.name)
			}
			fs.VisitAll(func(f *flag.Flag) {
				if !strings.Contains(script, "--"+f.Name) && !strings.Contains(script, "-l "+f.Name) {
					t.Errorf("%s script lacks %s --%s", sh, c.name, f.Name)
				}
			})
		}
	}
}

// bashComplete sources the bash script, sets the words as bash would for
// the command line typed so far, and returns COMPREPLY.
func bashComplete(t *testing.T, script, dir string, words ...string) []string {
	t.Helper()
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = shellQuote(w)
	}
	prog := "source " + shellQuote(script) + "\nCOMP_WORDS=(" + strings.Join(quoted, " ") + ")\nCOMP_CWORD=" +
		strconv.Itoa(len(words)-1) + "\n_qmpdash\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
	cmd := exec.Command("bash", "--norc", "--noprofile", "-c", prog)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%q: %v\n%s", words, err, out)
	}
	return strings.Fields(string(out))
}

// The bash script completes commands, flags per command, theme names,
// files after a FILE flag and, for TARGETs, sockets and directories.
func TestBashCompletionCompletes(t *testing.T) {
	qemutest.RequirePeer(t, "bash", "bash")
	script := completionScript(t, "bash")
	dir := t.TempDir()
	ln, err := net.Listen("unix", filepath.Join(dir, "vm1.qmp"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	os.Mkdir(filepath.Join(dir, "vms"), 0o755)
	os.WriteFile(filepath.Join(dir, "notes.txt"), nil, 0o644)

	cases := []struct {
		words     []string
		want, not []string
		exactly   bool
	}{
		{words: []string{"qmpdash", "st"}, want: []string{"status"}, exactly: true},
		{words: []string{"qmpdash", ""}, want: append(commandNames(), "vm1.qmp", "vms"), not: []string{"notes.txt", "man"}},
		{words: []string{"qmpdash", "status", "--theme", ""}, want: themes.Names(), exactly: true},
		{words: []string{"qmpdash", "--theme", "="}, want: themes.Names(), exactly: true},
		{words: []string{"qmpdash", "status", "--th"}, want: []string{"--theme"}, exactly: true},
		{words: []string{"qmpdash", "status", "--"}, want: []string{"--json", "--interval", "--read-only"}, not: []string{"--sim", "--listen"}},
		{words: []string{"qmpdash", "demo", "--s"}, want: []string{"--sim"}, exactly: true},
		{words: []string{"qmpdash", "exporter", "--li"}, want: []string{"--listen"}, exactly: true},
		{words: []string{"qmpdash", "status", "v"}, want: []string{"vm1.qmp", "vms"}, exactly: true},
		{words: []string{"qmpdash", "status", "n"}, want: []string{"notes.txt"}, exactly: true}, // no socket: any file
		{words: []string{"qmpdash", "status", "--config", ""}, want: []string{"notes.txt", "vm1.qmp", "vms"}},
		{words: []string{"qmpdash", "completion", ""}, want: shellNames(), exactly: true},
		{words: []string{"qmpdash", "config", "i"}, want: []string{"init"}, exactly: true},
		{words: []string{"qmpdash", "version", ""}, exactly: true},
	}
	for _, c := range cases {
		got := bashComplete(t, script, dir, c.words...)
		for _, w := range c.want {
			if !slices.Contains(got, w) {
				t.Errorf("%q: got %q, want %q in it", c.words, got, w)
			}
		}
		for _, w := range c.not {
			if slices.Contains(got, w) {
				t.Errorf("%q: got %q, which should not hold %q", c.words, got, w)
			}
		}
		if c.exactly && len(got) != len(c.want) {
			t.Errorf("%q: got %q, want exactly %q", c.words, got, c.want)
		}
	}
}

// fish answers 'complete -C' from the script: commands, theme names and
// sockets.
func TestFishCompletionCompletes(t *testing.T) {
	fish := qemutest.RequirePeer(t, "fish", "fish")
	script := completionScript(t, "fish")
	dir := t.TempDir()
	ln, err := net.Listen("unix", filepath.Join(dir, "vm1.qmp"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	os.WriteFile(filepath.Join(dir, "notes.txt"), nil, 0o644)
	for line, want := range map[string][]string{
		"qmpdash st":              {"status"},
		"qmpdash events --theme ": themes.Names(),
		"qmpdash status ":         {"vm1.qmp"},
		"qmpdash completion ":     shellNames(),
	} {
		cmd := exec.Command(fish, "--no-config", "-c", "source "+fishQuote(script)+"; complete -C"+fishQuote(line))
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%q: %v\n%s", line, err, out)
		}
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			got = append(got, strings.Split(l, "\t")[0])
		}
		slices.Sort(got)
		want = slices.Sorted(slices.Values(want))
		if !slices.Equal(got, want) {
			t.Errorf("%q: got %q, want %q", line, got, want)
		}
	}
}
