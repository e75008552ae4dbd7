// Package cli is qmpdash's command line: one file per command (run.go
// dispatches and turns errors into exit codes), the flags every command
// shares, logging, and terminal-safe output. It is the wiring: it may import
// ui, model, qmp, themes, internal/config, internal/termsafe, internal/sim
// and internal/demo, and nothing imports it but the main package. It keeps
// no rules of its own that belong elsewhere: settings are checked and merged
// by internal/config, text from VMs is cleaned by internal/termsafe.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Exit codes shared by every command.
const (
	exitOK    = 0
	exitFail  = 1 // the command ran and something it asked about failed
	exitUsage = 2 // bad flags or arguments
)

// usageError marks an error as the user's: printed with a usage hint, exit 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// Run runs qmpdash with args (os.Args[1:]): it dispatches to a subcommand
// and turns its error into an exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmd, rest := "", args
	if len(args) > 0 {
		cmd, rest = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "status":
		err = runStatus(ctx, rest, stdout, stderr)
	case "events":
		err = runEvents(ctx, rest, stdout, stderr)
	case "exec":
		err = runExec(ctx, rest, stdout, stderr)
	case "version":
		err = runVersion(ctx, rest, stdout, stderr)
	case "--version", "-version", "-V":
		fmt.Fprintln(stdout, versionString())
		return exitOK
	case "demo":
		err = runDemo(ctx, rest, stdout, stderr)
	case "exporter":
		err = runExporter(ctx, rest, stdout, stderr)
	case "sim":
		err = runSim(ctx, rest, stdout, stderr)
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, mainUsage)
		return exitOK
	default:
		if cmd != "" && !looksLikeTarget(cmd) {
			err = usagef("unknown command %q (a TARGET must be a path, unix:PATH or tcp:HOST:PORT)", cmd)
			break
		}
		err = runDashboard(ctx, args, stdout, stderr)
	}
	return exitCode(err, stderr)
}

func exitCode(err error, stderr io.Writer) int {
	var ue *usageError
	var fe failedError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errHelpShown):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "qmpdash: %s\nRun '%s' for usage.\n", ue.msg, helpHint(ue.msg))
		return exitUsage
	case errors.As(err, &fe):
		return exitFail // the command already reported what failed
	}
	fmt.Fprintf(stderr, "qmpdash: %v\n", err)
	return exitFail
}

// helpHint points at the help of the command a usage error is about: its
// message starts with the command's name ("status: ..."), else the list.
func helpHint(msg string) string {
	for _, cmd := range []string{"status", "events", "exec", "demo", "exporter", "version"} {
		if strings.HasPrefix(msg, cmd+": ") || strings.HasPrefix(msg, cmd+" ") {
			return "qmpdash " + cmd + " --help"
		}
	}
	return "qmpdash help"
}

// failedError: the command printed its results, some of which are failures.
type failedError struct{}

func (failedError) Error() string { return "some targets failed" }

var errHelpShown = errors.New("help shown")

const mainUsage = `qmpdash watches and steers local QEMU virtual machines over QMP.

Usage:
  qmpdash [TARGET...]                                the dashboard (keys: ? inside)
  qmpdash demo [--sim]                               the dashboard on a throwaway fleet
  qmpdash status [--json] [TARGET...]                one snapshot per VM, then exit
  qmpdash events [--json] [TARGET...]                print events as they happen, until Ctrl-C
  qmpdash exec TARGET COMMAND [ARGS-JSON]            run one QMP command, print the reply
  qmpdash exporter [--listen ADDR] [TARGET...]       serve Prometheus metrics of every VM
  qmpdash version                                    print the version (also --version)
  qmpdash sim [--count N] DIR                        serve N simulated monitors in DIR, until Ctrl-C

A TARGET is a QMP monitor socket: a path, unix:PATH or tcp:HOST:PORT, or a
directory or glob of sockets (exec takes exactly one monitor). With no
TARGET, the config file's targets or the usual places are used.

Flags every command takes:
  --interval D    poll interval, 100ms to 1h (default 1s)
  --timeout D     how long a connection or command may take (default 5s)
  --read-only     only look: refuse commands that change a VM
  --theme NAME    colour theme
  --config FILE   config file (default $XDG_CONFIG_HOME/qmpdash/config.toml)
  --log FILE      append a debug log, protocol traffic included
The dashboard and demo also take --no-mouse.

Places searched when no TARGET is given: $XDG_RUNTIME_DIR/qemu/, /run/qemu/,
/var/run/qemu-server/*.qmp (Proxmox).

Run 'qmpdash COMMAND --help' for a command's flags and examples.
`
