package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/qmpdash/qmpdash/internal/config"
)

const configUsage = `Usage: qmpdash config [flags] [TARGET...]
       qmpdash config init [PATH]

Prints where the config file is looked for and whether it was found, then
every setting in effect after the defaults, the config file and the flags
given here, with where each value came from (default, file or flag). Flags
and TARGETs given to 'config' are merged as any command would, so you can
check what a command line would run with.

'config init' writes a commented config file holding the defaults to PATH
(default: the file 'config' looks for) and refuses to overwrite one.

Examples:
  qmpdash config
  qmpdash config --interval 500ms --theme light /run/qemu/
  qmpdash config init
  qmpdash config init ./qmpdash.toml

Flags:
`

func runConfig(_ context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "init" {
		return runConfigInit(args[1:], stdout)
	}
	fs := commandFlags("config")
	pos, err := parseFlags(fs, configUsage, args, stdout)
	if err != nil {
		return err
	}
	set, warnings, err := loadSettings(fs, pos)
	if err != nil {
		return err
	}
	printConfig(stdout, set, warnings, fs.Lookup(flagConfig).Value.String())
	return nil
}

// printConfig is 'qmpdash config”s report. explicit is the --config file
// when one was named.
func printConfig(w io.Writer, set config.Settings, warnings []string, explicit string) {
	looked := config.PathHint() + " ($XDG_CONFIG_HOME, else ~/.config)"
	if explicit != "" {
		looked = explicit + " (--config)"
	}
	found := "not found: defaults and flags only"
	if set.File != "" {
		found = "found, read"
	}
	fmt.Fprintf(w, "Config file: %s\n  %s\n", safe(looked), found)
	for _, warn := range warnings {
		fmt.Fprintf(w, "  warning: %s\n", safe(warn))
	}
	fmt.Fprintf(w, "\nSettings in effect (after defaults, file, flags):\n")
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	for _, f := range set.Fields() {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", f.Name, safe(config.FormatValue(f.Value)), sourceNote(f))
	}
	tw.Flush()
}

// sourceNote says where a value came from; an unset setting is the
// program's own default, which some leave to the dashboard to choose.
func sourceNote(f config.Field) string {
	switch {
	case !f.Tracked:
		return "(source not tracked)"
	case f.Source != config.Unset && f.Source != config.Default:
		return f.Source.String()
	}
	switch f.Name {
	case "targets":
		return "default: the usual places are searched"
	case "keys":
		return "default: the dashboard's keys"
	case "columns":
		return "default: the dashboard's columns"
	case "theme":
		return "default: the dashboard picks"
	}
	return "default"
}

const configInitUsage = `Usage: qmpdash config init [PATH]

Writes a commented config file holding the defaults to PATH (default: the
file 'qmpdash config' looks for), making its directory if need be. It
refuses to overwrite an existing file.

Examples:
  qmpdash config init
  qmpdash config init ./qmpdash.toml

`

func runConfigInit(args []string, stdout io.Writer) error {
	fs := newFlagSet("config init")
	pos, err := parseFlags(fs, configInitUsage, args, stdout)
	if err != nil {
		return err
	}
	path := config.DefaultPath()
	switch {
	case len(pos) > 1:
		return usagef("config init: takes one PATH, got %d arguments", len(pos))
	case len(pos) == 1:
		path = pos[0]
	case path == "":
		return usagef("config init: no config directory ($XDG_CONFIG_HOME and $HOME unset); name a PATH")
	}
	if err := writeNew(path, []byte(config.DefaultFile(valid()))); err != nil {
		return fmt.Errorf("config init: %w", err)
	}
	_, err = fmt.Fprintf(stdout, "Wrote %s (the defaults, commented). 'qmpdash config' shows what is in effect.\n", safe(path))
	return err
}

// writeNew writes data to a new file at path; an existing file is an error
// and is left as it was.
func writeNew(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s already exists; not overwriting it (remove it, or name another PATH)", path)
	}
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	return errors.Join(err, f.Close())
}
