package main

import (
	"errors"
	"flag"
	"fmt"
	"github.com/qmpdash/qmpdash/model"
	"io"
	"log/slog"
	"text/tabwriter"
	"time"
)

// Defaults for the flags every command shares. A config file may change
// them; a flag the user sets beats both.
const (
	defaultInterval = time.Second
	defaultTimeout  = 5 * time.Second
)

// The names of the shared flags, which loadSettings looks up again.
const (
	flagInterval = "interval"
	flagTimeout  = "timeout"
	flagReadOnly = "read-only"
	flagTheme    = "theme"
	flagConfig   = "config"
	flagLog      = "log"
)

// addCommonFlags registers the flags every command takes. Their values are
// read back by loadSettings, which merges them over the config file.
func addCommonFlags(fs *flag.FlagSet) {
	fs.Duration(flagInterval, defaultInterval, "poll each VM every `D` (100ms to 1h)")
	fs.Duration(flagTimeout, defaultTimeout, "give up on a connection or command after `D`")
	fs.Bool(flagReadOnly, false, "only look: refuse commands that change a VM")
	fs.String(flagTheme, "", "use the colour theme `NAME`: "+themeList())
	fs.String(flagConfig, "", "read settings from `FILE` (default "+defaultConfigHint()+")")
	fs.String(flagLog, "", "append a debug log (protocol traffic included) to `FILE`")
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
			return nil, errHelpShown
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

// setup is the common start of a command: settings from the config file
// and flags (warnings go to stderr), and the logger --log asks for. The
// returned close function flushes and closes the log file.
func setup(fs *flag.FlagSet, targets []string, stderr io.Writer) (Settings, *slog.Logger, func(), error) {
	set, warnings, err := loadSettings(fs, targets)
	if err != nil {
		return Settings{}, nil, nil, err
	}
	for _, w := range warnings {
		fmt.Fprintf(stderr, "qmpdash: warning: %s\n", w)
	}
	logger, closeLog, err := openLog(set.LogFile)
	if err != nil {
		return Settings{}, nil, nil, err
	}
	logger.Info("qmpdash: start", "command", fs.Name(), "version", versionString(), "config", set.ConfigFile)
	return set, logger, closeLog, nil
}

// commandStart is what every command that watches VMs has after its flags:
// the merged settings, the logger (close it with closeLog) and the parsed
// target specs.
type commandStart struct {
	set      Settings
	logger   *slog.Logger
	closeLog func()
	specs    []model.Spec
}

// startCommand parses flags, loads settings and parses the targets. A bad
// target is a usage error prefixed with the command's name.
func startCommand(fs *flag.FlagSet, usage string, args []string, stdout, stderr io.Writer) (commandStart, error) {
	pos, err := parseFlags(fs, usage, args, stdout)
	if err != nil {
		return commandStart{}, err
	}
	set, logger, closeLog, err := setup(fs, pos, stderr)
	if err != nil {
		return commandStart{}, err
	}
	specs, err := model.ParseSpecs(set.Targets)
	if err != nil {
		closeLog()
		return commandStart{}, usagef("%s: %v", fs.Name(), err)
	}
	return commandStart{set: set, logger: logger, closeLog: closeLog, specs: specs}, nil
}
