// Package cli is qmpdash's command line: one file per command (run.go
// dispatches through the command table in commands.go, which help,
// completion and the man page are made from, and turns errors into exit
// codes), the flags every command shares, logging, and terminal-safe output. It is the wiring: it may import
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
	if c, ok := lookup(cmd); ok {
		err = c.run(ctx, rest, stdout, stderr)
	} else if cmd != "" && !looksLikeTarget(cmd) {
		err = usagef("unknown command %q (a TARGET must be a path, unix:PATH or tcp:HOST:PORT)", cmd)
	} else {
		err = dashboardCommand.run(ctx, args, stdout, stderr)
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
	for _, cmd := range commandNames() {
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
