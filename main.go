// Command qmpdash is a terminal dashboard for local QEMU virtual machines,
// spoken to over QMP, plus headless commands for scripts.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes shared by every command.
const (
	exitOK    = 0
	exitFail  = 1 // the command ran and something it asked about failed
	exitUsage = 2 // bad flags or arguments
)

// errUsage marks an error as the user's: printed with a usage hint, exit 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches to a subcommand and turns its error into an exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmd, rest := "", args
	if len(args) > 0 {
		cmd, rest = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "status":
		err = runStatus(ctx, rest, stdout, stderr)
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, mainUsage)
		return exitOK
	default:
		err = usagef("unknown command %q", cmd)
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
		fmt.Fprintf(stderr, "qmpdash: %s\nRun 'qmpdash help' for usage.\n", ue.msg)
		return exitUsage
	case errors.As(err, &fe):
		return exitFail // the command already reported what failed
	}
	fmt.Fprintf(stderr, "qmpdash: %v\n", err)
	return exitFail
}

// failedError: the command printed its results, some of which are failures.
type failedError struct{}

func (failedError) Error() string { return "some targets failed" }

var errHelpShown = errors.New("help shown")

const mainUsage = `qmpdash watches and steers local QEMU virtual machines over QMP.

Usage:
  qmpdash status [--json] [--timeout D] TARGET...   one snapshot per VM, then exit

A TARGET is a QMP monitor socket: a path, unix:PATH or tcp:HOST:PORT.
Run 'qmpdash COMMAND --help' for a command's flags and examples.
`
