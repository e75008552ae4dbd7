package cli

import (
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/qmpdash/qmpdash/internal/config"
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/remote"
	"github.com/qmpdash/qmpdash/ui"
)

const dashboardUsage = `Usage: qmpdash [flags] [TARGET...]

Opens the dashboard on the QMP monitors named, or with no TARGET on every
socket found in the usual places (see 'qmpdash help'). A TARGET is a socket
path, unix:PATH, tcp:HOST:PORT, a directory (watched: sockets that appear
are added), a glob, or ssh://[user@]host[:port]/PATH for any of those on
another machine. Press ? inside for keys, : or ctrl+p for actions.

Examples:
  qmpdash /run/qemu/
  qmpdash --read-only --theme high-contrast web.qmp db.qmp
  qmpdash --interval 500ms '/var/run/qemu-server/*.qmp'

Flags:
`

// dashboardFlags is the common set plus what only the dashboard takes.
func dashboardFlags(name string) (fs *flag.FlagSet, noMouse *bool) {
	fs = commandFlags(name)
	noMouse = fs.Bool("no-mouse", false, "start with mouse capture off, so the terminal's copy and paste work")
	return fs, noMouse
}

func runDashboard(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, noMouse := dashboardFlags("qmpdash")
	st, err := startCommand(fs, dashboardUsage, args, stdout, stderr)
	if err != nil {
		return err
	}
	defer st.closeLog()
	return dashboard(ctx, st.specs, st.set, st.warnings, *noMouse, "", st.logger, st.pool)
}

// dashboard runs the fleet and the UI over it until the user quits or ctx
// ends; the fleet is stopped before it returns. noMouse is --no-mouse.
// pool carries ssh:// targets (nil: the fleet makes its own).
func dashboard(ctx context.Context, specs []model.Spec, set config.Settings, warnings []string, noMouse bool, note string, logger *slog.Logger, pool *remote.Pool) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := servePprof(ctx, logger); err != nil {
		return err
	}
	cfg := fleetConfig(set, logger)
	cfg.Remote = pool
	fleet := model.NewFleet(cfg)
	if err := fleet.Watch(ctx, specs); err != nil {
		return err
	}
	stop := fleet.Start(ctx)
	opts := uiOptions(set, warnings, noMouse, logger)
	opts.DemoNote, opts.Watching = note, describeSpecs(specs)
	err := ui.Run(ctx, fleet, opts)
	cancel() // the rescans with the fleet
	return errors.Join(err, stop(fleetStopLimit))
}

// fleetStopLimit is how long a command waits for its fleet to close its
// connections once it is done with it.
const fleetStopLimit = 10 * time.Second

// fleetConfig is what the settings ask of the fleet. The config file's
// [agents] targets were checked when it was read (flags.go's Valid).
func fleetConfig(set config.Settings, logger *slog.Logger) model.Config {
	agents, err := model.AgentSocketsByID(set.Agents.Value)
	if err != nil {
		logger.Warn("config: agents", "err", err)
	}
	return model.Config{
		Interval:     set.Interval.Value,
		Timeout:      set.Timeout.Value,
		ReadOnly:     set.ReadOnly.Value,
		Logger:       logger,
		AgentSockets: agents,
	}
}

// uiOptions is what the settings (defaults, config file, flags) ask of the
// UI; --no-mouse turns the mouse off whatever the file says.
func uiOptions(set config.Settings, warnings []string, noMouse bool, logger *slog.Logger) ui.Options {
	return ui.Options{
		Theme:       set.Theme.Value,
		ReadOnly:    set.ReadOnly.Value,
		NoMouse:     noMouse || !set.Mouse.Value,
		Confirm:     set.Confirm.Value,
		Warnings:    warnings,
		HistoryFile: historyFile(),
		Interval:    set.Interval.Value,
		Keys:        set.Keys.Value,
		Columns:     set.Columns.Value,
		Logger:      logger,
	}
}

// describeSpecs says in a few words where the fleet looks, for the empty
// fleet's message.
func describeSpecs(specs []model.Spec) string {
	parts := make([]string, len(specs))
	for i, s := range specs {
		parts[i] = s.Raw
	}
	return strings.Join(parts, ", ")
}

// historyFile is where the palette remembers recently used actions:
// $XDG_STATE_HOME/qmpdash/history, else ~/.local/state/qmpdash/history.
func historyFile() string {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(home, ".local", "state")
	}
	dir = filepath.Join(dir, "qmpdash")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return ""
	}
	return filepath.Join(dir, "history")
}

// looksLikeTarget tells a TARGET from a mistyped command name, so
// 'qmpdash sttaus' is a usage error while 'qmpdash vm.qmp' opens vm.qmp.
func looksLikeTarget(arg string) bool {
	if strings.HasPrefix(arg, "-") || strings.ContainsAny(arg, "/*?[") ||
		strings.HasPrefix(arg, "unix:") || strings.HasPrefix(arg, "tcp:") {
		return true
	}
	_, err := os.Stat(arg)
	return err == nil
}
