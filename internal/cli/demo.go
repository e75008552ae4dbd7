package cli

import (
	"context"
	"io"

	"github.com/qmpdash/qmpdash/internal/demo"
	"github.com/qmpdash/qmpdash/model"
)

const demoUsage = `Usage: qmpdash demo [--sim] [flags]

Starts a small throwaway fleet and opens the dashboard on it. With QEMU
installed (qemu-system-x86_64) the VMs are real: web (running, 2 vCPUs, a
balloon), build (paused, as with -S), db (a guest doing disk I/O and a
rate-limited block mirror, so rates and a progress bar move) and flaky
(reset every few seconds, so events flow). Without QEMU, or with --sim,
qmpdash simulates them in-process and says so on screen. Every booted demo
VM has a simulated guest agent (NAME.qga beside NAME.qmp), so the Guest
pane, the ip and hostname columns and the guest shutdown and reboot
actions have something to work with. Everything the demo
started is gone when it exits (q, ctrl+c, SIGTERM; a killed qmpdash takes
its QEMUs with it).

Examples:
  qmpdash demo
  qmpdash demo --sim --theme light

Flags:
`

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, noMouse := dashboardFlags("demo")
	simOnly := fs.Bool("sim", false, "simulate the VMs even when QEMU is installed")
	pos, err := parseFlags(fs, demoUsage, args, stdout)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("demo takes no TARGET (got %q)", pos[0])
	}
	set, warnings, logger, closeLog, err := setup(fs, nil, stderr)
	if err != nil {
		return err
	}
	defer closeLog()
	fleet, err := demo.Start(!*simOnly, logger)
	if err != nil {
		return err
	}
	defer fleet.Stop()
	note := "demo: real QEMU VMs with simulated guest agents, gone when you quit"
	if fleet.Simulated {
		note = "demo: simulated VMs (QEMU not installed), gone when you quit"
		if *simOnly {
			note = "demo: simulated VMs (--sim), gone when you quit"
		}
	}
	spec, err := model.ParseSpec(fleet.Dir)
	if err != nil {
		return err
	}
	return dashboard(ctx, []model.Spec{spec}, set, warnings, *noMouse, note, logger, nil)
}
