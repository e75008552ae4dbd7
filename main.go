// Command qmpdash is a terminal dashboard for local QEMU virtual machines,
// spoken to over QMP, plus headless commands for scripts. The commands live
// in internal/cli; this file only wires up signals and the exit code.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/qmpdash/qmpdash/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
