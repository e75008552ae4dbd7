package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
)

// command is one of qmpdash's subcommands. The table below is the one list
// of them: Run dispatches through it, and 'qmpdash help', shell completion
// and the man page are made from it. A command's flags are not listed here:
// they are read from the command's own --help (commandHelp), so a flag
// added to a command shows up everywhere without another edit.
type command struct {
	name     string
	synopsis string // what follows "qmpdash " in 'qmpdash help'
	summary  string // one line
	run      func(ctx context.Context, args []string, stdout, stderr io.Writer) error
	aliases  []string
	words    func() []string // what its first argument completes to; nil: TARGETs (sockets)
	hidden   bool            // left out of help and completion
}

// dashboardCommand is what runs when the first argument is no command.
var dashboardCommand = command{synopsis: "[TARGET...]", summary: "the dashboard (keys: ? inside)", run: runDashboard}

// commands lists qmpdash's subcommands in the order help shows them. It is
// a function, not a variable, because help and completion refer back to it.
func commands() []command {
	return []command{
		{name: "demo", synopsis: "demo [--sim]", summary: "the dashboard on a throwaway fleet", run: runDemo, words: words()},
		{name: "status", synopsis: "status [--json] [TARGET...]", summary: "one snapshot per VM, then exit", run: runStatus},
		{name: "events", synopsis: "events [--json] [TARGET...]", summary: "print events as they happen, until Ctrl-C", run: runEvents},
		{name: "exec", synopsis: "exec TARGET COMMAND [ARGS-JSON]", summary: "run one QMP command, print the reply", run: runExec},
		{name: "exporter", synopsis: "exporter [--listen ADDR] [TARGET...]", summary: "serve Prometheus metrics of every VM", run: runExporter},
		{name: "sim", synopsis: "sim [--count N] [--seed S] [--misbehave LIST] DIR", summary: "serve N simulated QEMU monitors in DIR, until Ctrl-C", run: runSim},
		{name: "config", synopsis: "config [init [PATH]]", summary: "the settings in effect, with their sources", run: runConfig, words: words("init")},
		{name: "completion", synopsis: "completion bash|zsh|fish", summary: "print a shell completion script", run: runCompletion, words: shellNames},
		{name: "version", synopsis: "version", summary: "print the version (also --version)", run: runVersion, aliases: []string{"--version", "-version", "-V"}, words: words()},
		{name: "help", synopsis: "help [COMMAND]", summary: "this list, or a command's help", run: runHelp, aliases: []string{"-h", "--help", "-help"}, words: commandNames},
		{name: "man", synopsis: "man", summary: "print the man page (roff), made from the --help texts", run: runMan, hidden: true, words: words()},
	}
}

// words makes a command's completion words: fixed ones, or none.
func words(w ...string) func() []string { return func() []string { return append([]string{}, w...) } }

// lookup finds the command named name or one of its aliases.
func lookup(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name || slices.Contains(c.aliases, name) {
			return c, true
		}
	}
	return command{}, false
}

// commandNames are the commands help and completion offer.
func commandNames() []string {
	var names []string
	for _, c := range visibleCommands() {
		names = append(names, c.name)
	}
	return names
}

func visibleCommands() []command {
	var cs []command
	for _, c := range commands() {
		if !c.hidden {
			cs = append(cs, c)
		}
	}
	return cs
}

// helpShown is what parseFlags returns after printing a command's --help:
// it is errHelpShown, and carries the flag set and usage text, which is how
// completion and the man page learn a command's flags (commandHelp).
type helpShown struct {
	fs    *flag.FlagSet
	usage string
}

func (helpShown) Error() string        { return errHelpShown.Error() }
func (helpShown) Is(target error) bool { return target == errHelpShown }

// commandHelp runs c with --help, its output discarded, and returns the
// flag set and usage text its --help printed. ok is false for a command
// that has no --help of its own (help). The context is already cancelled:
// a command reads --help before it starts anything.
func commandHelp(c command) (fs *flag.FlagSet, usage string, ok bool) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var hs helpShown
	if errors.As(c.run(ctx, []string{"--help"}, io.Discard, io.Discard), &hs) {
		return hs.fs, hs.usage, true
	}
	return nil, "", false
}

// runHelp prints the command list, or with a COMMAND that command's help.
func runHelp(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		_, err := fmt.Fprint(stdout, mainUsage())
		return err
	}
	c, ok := lookup(args[0])
	if !ok || c.name == "help" {
		return usagef("help: no command %q (commands: %s)", args[0], strings.Join(commandNames(), ", "))
	}
	return c.run(ctx, []string{"--help"}, stdout, stderr)
}

// mainUsage is 'qmpdash help': the commands from the table and the flags
// every command takes from commandFlags.
func mainUsage() string {
	var b strings.Builder
	b.WriteString("qmpdash watches and steers local QEMU virtual machines over QMP.\n\nUsage:\n")
	tw := tabwriter.NewWriter(&b, 0, 8, 3, ' ', 0)
	for _, c := range append([]command{dashboardCommand}, visibleCommands()...) {
		fmt.Fprintf(tw, "  qmpdash %s\t%s\n", c.synopsis, c.summary)
	}
	tw.Flush()
	b.WriteString(`
A TARGET is a QMP monitor socket: a path, unix:PATH or tcp:HOST:PORT, or a
directory or glob of sockets (exec takes exactly one monitor). With no
TARGET, the config file's targets or the usual places are used.

Flags every command that talks to VMs takes:
`)
	printFlags(commandFlags("qmpdash"), &b)
	b.WriteString(`The dashboard and demo also take --no-mouse.

Places searched when no TARGET is given: $XDG_RUNTIME_DIR/qemu/, /run/qemu/,
/var/run/qemu-server/*.qmp (Proxmox).

Run 'qmpdash COMMAND --help' for a command's flags and examples.
`)
	return b.String()
}
