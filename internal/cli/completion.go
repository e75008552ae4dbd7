package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/qmpdash/qmpdash/themes"
)

const completionUsage = `Usage: qmpdash completion bash|zsh|fish

Prints a completion script for the shell: commands, each command's flags,
theme names after --theme, files after flags that take a FILE, and for
TARGETs the sockets and directories under the word being completed (any
file when there are none). The script is made from qmpdash's own command
table and flag sets, so regenerate it after upgrading qmpdash.

Examples:
  source <(qmpdash completion bash)          # bash, this shell
  qmpdash completion bash > ~/.local/share/bash-completion/completions/qmpdash
  qmpdash completion zsh > "${fpath[1]}/_qmpdash"
  qmpdash completion fish > ~/.config/fish/completions/qmpdash.fish

`

// shells are the shells completion writes scripts for.
var shells = map[string]func(w io.Writer, s completionSpec){
	"bash": writeBash,
	"zsh":  writeZsh,
	"fish": writeFish,
}

func shellNames() []string { return []string{"bash", "zsh", "fish"} }

func runCompletion(_ context.Context, args []string, stdout, _ io.Writer) error {
	fs := newFlagSet("completion")
	pos, err := parseFlags(fs, completionUsage, args, stdout)
	if err != nil {
		return err
	}
	if len(pos) != 1 || shells[pos[0]] == nil {
		return usagef("completion: name one shell: %s", strings.Join(shellNames(), ", "))
	}
	shells[pos[0]](stdout, newCompletionSpec())
	return nil
}

// valueKind is what a flag's value completes to.
type valueKind int

const (
	noValue   valueKind = iota // a bool flag
	anyValue                   // a value the shell cannot guess (a duration, an address)
	themeName                  // themes.Names
	fileName                   // a flag whose value is a FILE
)

type compFlag struct {
	name string
	kind valueKind
	help string
}

type compCommand struct {
	name    string // "" for the dashboard
	summary string
	flags   []compFlag
	words   []string // first-argument words; nil with targets
	targets bool     // arguments are TARGETs (sockets)
}

// completionSpec is what every script is written from: the command table
// and each command's flags as its --help has them.
type completionSpec struct {
	dashboard compCommand
	commands  []compCommand
	themes    []string
}

func newCompletionSpec() completionSpec {
	s := completionSpec{dashboard: compCommandOf(dashboardCommand), themes: themes.Names()}
	for _, c := range visibleCommands() {
		s.commands = append(s.commands, compCommandOf(c))
	}
	return s
}

func compCommandOf(c command) compCommand {
	cc := compCommand{name: c.name, summary: c.summary, targets: c.words == nil}
	if c.words != nil {
		cc.words = c.words()
	}
	fs, _, ok := commandHelp(c)
	if !ok {
		return cc
	}
	fs.VisitAll(func(f *flag.Flag) {
		argName, help := flag.UnquoteUsage(f)
		cf := compFlag{name: f.Name, kind: anyValue, help: help}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			cf.kind = noValue
		} else if f.Name == flagTheme {
			cf.kind = themeName
		} else if argName == "FILE" {
			cf.kind = fileName
		}
		cc.flags = append(cc.flags, cf)
	})
	return cc
}

// flagNames are the flags of c with two dashes, space separated.
func (c compCommand) flagNames() string {
	names := make([]string, len(c.flags))
	for i, f := range c.flags {
		names[i] = "--" + f.name
	}
	return strings.Join(names, " ")
}

// flagsOfKind are c's flags of one kind, for a shell case pattern: "--a|--b".
func (c compCommand) flagsOfKind(k valueKind) string {
	var names []string
	for _, f := range c.flags {
		if f.kind == k {
			names = append(names, "--"+f.name, "-"+f.name)
		}
	}
	return strings.Join(names, "|")
}

func (s completionSpec) commandNames() []string {
	var names []string
	for _, c := range s.commands {
		names = append(names, c.name)
	}
	return names
}

// shellQuote quotes s for any of the three shells: single quotes, with a
// single quote in s closed, escaped and reopened.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// fishQuote quotes s for fish, where a backslash escapes inside single quotes.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'"
}

func fprintf(w io.Writer, format string, args ...any) { fmt.Fprintf(w, format, args...) }
