package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/qmpdash/qmpdash/internal/config"
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/remote"
	"github.com/qmpdash/qmpdash/themes"
	"github.com/qmpdash/qmpdash/ui"
)

// The names of the shared flags, which flagLayer looks up again.
const (
	flagInterval = "interval"
	flagTimeout  = "timeout"
	flagReadOnly = "read-only"
	flagTheme    = "theme"
	flagConfig   = "config"
	flagLog      = "log"
)

// commandFlags makes a command's flag set with the flags every command
// takes. Their values are read back by flagLayer, for config.Load to merge
// over the config file.
func commandFlags(name string) *flag.FlagSet {
	fs := newFlagSet(name)
	fs.Duration(flagInterval, config.DefaultInterval, "poll each VM every `D` (100ms to 1h)")
	fs.Duration(flagTimeout, config.DefaultTimeout, "give up on a connection or command after `D`")
	fs.Bool(flagReadOnly, false, "only look: refuse commands that change a VM")
	fs.String(flagTheme, "", "use the colour theme `NAME`: "+strings.Join(themes.Names(), ", "))
	fs.String(flagConfig, "", "read settings from `FILE` (default "+config.PathHint()+")")
	fs.String(flagLog, "", "append a debug log (protocol traffic included) to `FILE`")
	remoteFlags(fs)
	return fs
}

// valid is what settings are checked against, from the packages that own
// the names.
func valid() config.Valid {
	return config.Valid{
		Actions:     ui.KeyActions(),
		Columns:     ui.ColumnNames(),
		Themes:      themes.Names(),
		MinInterval: ui.MinInterval,
		MaxInterval: ui.MaxInterval,
		Target:      func(t string) error { _, err := model.MonitorID(t); return err },
	}
}

// flagLayer is the settings layer of the common flags the user set (so a
// file's value is not undone by a flag's default), checked, plus the
// positional targets; and the --config file, "" when not given.
func flagLayer(fs *flag.FlagSet, targets []string, v config.Valid) (_ config.Settings, configFile string, err error) {
	var l config.Settings
	if len(targets) > 0 {
		l.Targets = config.From(targets, config.Flag)
	}
	fs.Visit(func(f *flag.Flag) {
		g, ok := f.Value.(flag.Getter)
		if !ok || err != nil {
			return
		}
		switch val := g.Get(); f.Name {
		case flagInterval:
			if err = v.CheckInterval(val.(time.Duration)); err != nil {
				err = usagef("%s: --interval %v", fs.Name(), err)
			}
			l.Interval = config.From(val.(time.Duration), config.Flag)
		case flagTimeout:
			if err = v.CheckTimeout(val.(time.Duration)); err != nil {
				err = usagef("%s: --timeout %v", fs.Name(), err)
			}
			l.Timeout = config.From(val.(time.Duration), config.Flag)
		case flagTheme:
			var name string
			if name, err = v.CheckTheme(val.(string)); err != nil {
				err = usagef("%s: --theme: %v", fs.Name(), err)
			}
			l.Theme = config.From(name, config.Flag)
		case flagReadOnly:
			l.ReadOnly = config.From(val.(bool), config.Flag)
		case flagLog:
			l.LogFile = config.From(val.(string), config.Flag)
		case flagConfig:
			configFile = val.(string)
		}
	})
	return l, configFile, err
}

// newFlagSet makes a command's flag set. It prints nothing itself:
// parseFlags reports errors once, through the usage error path.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseFlags parses args, allowing flags after positional arguments too
// ("qmpdash events /run/qemu --json"); "--" ends flag parsing. It returns
// the positional arguments. --help prints usage (the text before the flag
// list) and the flags to stdout and returns errHelpShown.
func parseFlags(fs *flag.FlagSet, usage string, args []string, stdout io.Writer) ([]string, error) {
	var pos []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			printUsage(fs, usage, stdout)
			return nil, helpShown{fs: fs, usage: usage}
		}
		if err != nil {
			if fs.Name() == "qmpdash" { // the dashboard: "qmpdash: qmpdash: ..." says it twice
				return nil, usagef("%v", err)
			}
			return nil, usagef("%s: %v", fs.Name(), err)
		}
		rest := fs.Args()
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// printUsage prints a command's usage text and its flags, spelt with two
// dashes as the examples use them (the flag package accepts either).
func printUsage(fs *flag.FlagSet, usage string, w io.Writer) {
	fmt.Fprint(w, usage)
	printFlags(fs, w)
}

// printFlags lists fs's flags, one a line, with their defaults.
func printFlags(fs *flag.FlagSet, w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fs.VisitAll(func(f *flag.Flag) {
		name, text := flag.UnquoteUsage(f)
		if name == "" || name == "value" {
			name = ""
		} else {
			name = " " + name
		}
		switch f.DefValue {
		case "", "false", "0", "0s":
		default:
			text += " (default " + f.DefValue + ")"
		}
		fmt.Fprintf(tw, "  --%s%s\t%s\n", f.Name, name, text)
	})
	tw.Flush()
}

// loadSettings merges defaults, the config file and the flags fs parsed;
// targets are the positional arguments, which replace the file's. Bad flag
// values and a bad or missing (explicit) config file are usage errors;
// unknown keys in the file come back as warnings.
func loadSettings(fs *flag.FlagSet, targets []string) (config.Settings, []string, error) {
	v := valid()
	flags, file, err := flagLayer(fs, targets, v)
	if err != nil {
		return config.Settings{}, nil, err
	}
	set, warnings, err := config.Load(file, flags, v)
	if err != nil {
		return config.Settings{}, nil, usagef("%v", err)
	}
	return set, warnings, nil
}

// setup is the common start of a command: settings from the config file
// and flags (warnings go to stderr), and the logger --log asks for. The
// returned close function flushes and closes the log file.
func setup(fs *flag.FlagSet, targets []string, stderr io.Writer) (config.Settings, []string, *slog.Logger, func(), error) {
	set, warnings, err := loadSettings(fs, targets)
	if err != nil {
		return config.Settings{}, nil, nil, nil, err
	}
	for _, w := range warnings {
		fmt.Fprintf(stderr, "qmpdash: warning: %s\n", w)
	}
	logger, closeLog, err := openLog(set.LogFile.Value)
	if err != nil {
		return config.Settings{}, nil, nil, nil, err
	}
	logger.Info("qmpdash: start", "command", fs.Name(), "version", versionString(), "config", set.File)
	return set, warnings, logger, closeLog, nil
}

// commandStart is what every command that watches VMs has after its flags:
// the merged settings, the logger (close it with closeLog) and the parsed
// target specs.
type commandStart struct {
	set      config.Settings
	warnings []string // the config file's, also on stderr (the dashboard shows them too)
	logger   *slog.Logger
	closeLog func() // closes pool too
	specs    []model.Spec
	pool     *remote.Pool // carries ssh:// targets
}

// startCommand parses flags, loads settings and parses the targets. A bad
// target is a usage error prefixed with the command's name.
func startCommand(fs *flag.FlagSet, usage string, args []string, stdout, stderr io.Writer) (commandStart, error) {
	pos, err := parseFlags(fs, usage, args, stdout)
	if err != nil {
		return commandStart{}, err
	}
	set, warnings, logger, closeLog, err := setup(fs, pos, stderr)
	if err != nil {
		return commandStart{}, err
	}
	if set, err = applyHosts(fs, set); err != nil {
		closeLog()
		return commandStart{}, err
	}
	specs, err := model.ParseSpecs(set.Targets.Value)
	if err != nil {
		closeLog()
		return commandStart{}, usagef("%s: %v", fs.Name(), err)
	}
	pool := newRemotePool(fs, set, logger, stderr)
	closeAll := func() { pool.Close(); closeLog() }
	return commandStart{set: set, warnings: warnings, logger: logger, closeLog: closeAll, specs: specs, pool: pool}, nil
}

// jsonCommand runs a command that takes the common flags, --json
// (described by jsonHelp) and targets, as status and events do: body runs
// with what startCommand gives and whether --json was given.
func jsonCommand(name, usage, jsonHelp string, args []string, stdout, stderr io.Writer, body func(st commandStart, asJSON bool) error) error {
	fs := commandFlags(name)
	asJSON := fs.Bool("json", false, jsonHelp)
	st, err := startCommand(fs, usage, args, stdout, stderr)
	if err != nil {
		return err
	}
	defer st.closeLog()
	return body(st, *asJSON)
}
