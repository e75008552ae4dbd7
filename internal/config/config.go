// Package config owns qmpdash's settings: their defaults, the config file
// (TOML) and the merge of defaults, file and command-line flags into the
// Settings a command runs with. It checks values against names it is given
// (key actions, column names, theme names, interval bounds) by whoever owns
// them, so it imports nothing of qmpdash: never ui, model or themes. The
// command line itself (flag sets, usage text) belongs to internal/cli.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Defaults for the settings that have one other than their zero value.
const (
	DefaultInterval = time.Second
	DefaultTimeout  = 5 * time.Second
)

// Source says where a setting's value came from. A layer of settings (the
// file's, the flags') leaves what it does not set Unset.
type Source uint8

const (
	Unset Source = iota
	Default
	File
	Flag
)

func (s Source) String() string {
	switch s {
	case Default:
		return "default"
	case File:
		return "file"
	case Flag:
		return "flag"
	}
	return "unset"
}

// Setting is one value and where it came from.
type Setting[T any] struct {
	Value  T
	Source Source
}

// From is v as set by src.
func From[T any](v T, src Source) Setting[T] { return Setting[T]{Value: v, Source: src} }

// over replaces *s with o when o was set.
func (s *Setting[T]) over(o Setting[T]) {
	if o.Source != Unset {
		*s = o
	}
}

// Settings is what a command runs with, or one layer of it.
type Settings struct {
	Targets  Setting[[]string]      // positional arguments, else the file's; empty = discovery
	Interval Setting[time.Duration] // poll interval, within Valid's bounds
	Timeout  Setting[time.Duration] // connection and command timeout, > 0
	Theme    Setting[string]        // a canonical theme name; "" = not chosen (the UI picks)
	ReadOnly Setting[bool]
	Mouse    Setting[bool]                // default true
	Confirm  Setting[bool]                // ask y/N before destructive actions; default true
	Keys     Setting[map[string][]string] // action -> key names, from the file; nil when none
	Columns  Setting[[]string]            // visible fleet columns; nil = the UI's default
	LogFile  Setting[string]              // --log; "" = no logging at all
	// Agents names a guest agent socket per target, from the file's
	// [agents] table (target = "socket"); nil when none.
	Agents Setting[map[string]string]
	// Hosts are the SSH hosts --host picks, from the file's [hosts.NAME]
	// tables (hosts.go).
	Hosts Setting[map[string]Host]

	File string // the config file that was read; "" when there was none
}

// Defaults is the bottom layer: what a command runs with when neither the
// file nor a flag says otherwise.
func Defaults() Settings {
	return Settings{
		Interval: From(DefaultInterval, Default),
		Timeout:  From(DefaultTimeout, Default),
		Theme:    From("", Default),
		ReadOnly: From(false, Default),
		Mouse:    From(true, Default),
		Confirm:  From(true, Default),
		LogFile:  From("", Default),
	}
}

// merge lays each layer over the last: what a later layer set wins.
func merge(layers ...Settings) Settings {
	var s Settings
	for _, l := range layers {
		s.Targets.over(l.Targets)
		s.Interval.over(l.Interval)
		s.Timeout.over(l.Timeout)
		s.Theme.over(l.Theme)
		s.ReadOnly.over(l.ReadOnly)
		s.Mouse.over(l.Mouse)
		s.Confirm.over(l.Confirm)
		s.Keys.over(l.Keys)
		s.Columns.over(l.Columns)
		s.LogFile.over(l.LogFile)
		s.Agents.over(l.Agents)
		s.Hosts.over(l.Hosts)
		if l.File != "" {
			s.File = l.File
		}
	}
	return s
}

// Load merges the defaults, the config file and flags, in that order of
// strength. path is the file --config named (it must exist), or "" for
// DefaultPath (which need not). flags is the command line's layer: only what
// the user set, with Source Flag, already checked with valid's methods
// (positional targets count as flags). A file that cannot be read or holds a
// bad value is an error naming the file, and for a value its line and key;
// unknown keys in it come back as warnings.
func Load(path string, flags Settings, valid Valid) (Settings, []string, error) {
	explicit := path != ""
	if !explicit {
		path = DefaultPath()
	}
	var file Settings
	var warnings []string
	if path != "" {
		data, err := os.ReadFile(path)
		switch {
		case err == nil:
			file, warnings, err = parseFile(path, string(data), valid)
			if err != nil {
				return Settings{}, nil, err
			}
			file.File = path
		case explicit || !errors.Is(err, fs.ErrNotExist):
			return Settings{}, nil, fmt.Errorf("config: %v", err)
		}
	}
	return merge(Defaults(), file, flags), warnings, nil
}

// DefaultPath is UserConfigDir/qmpdash/config.toml, which honours
// XDG_CONFIG_HOME; "" when there is no config directory.
func DefaultPath() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "qmpdash", "config.toml")
}

// PathHint is DefaultPath for help text, spelt generically when there is
// no config directory.
func PathHint() string {
	if p := DefaultPath(); p != "" {
		return p
	}
	return "$XDG_CONFIG_HOME/qmpdash/config.toml"
}

// Valid is what settings are checked against. The names come from the
// packages that own them (ui's key actions and columns, themes' names),
// which this package does not import.
type Valid struct {
	Actions     []string // the actions [keys] may bind
	Columns     []string // the fleet's column names
	Themes      []string // theme names, lower case
	MinInterval time.Duration
	MaxInterval time.Duration
	// Target says why a string is not one monitor's target ([agents]
	// keys); nil accepts any non-empty string.
	Target func(string) error
}

// CheckInterval says why d is not a poll interval.
func (v Valid) CheckInterval(d time.Duration) error {
	if d < v.MinInterval || d > v.MaxInterval {
		return fmt.Errorf("must be between %s and %s, got %s", shortDuration(v.MinInterval), shortDuration(v.MaxInterval), shortDuration(d))
	}
	return nil
}

// CheckTimeout says why d is not a timeout.
func (Valid) CheckTimeout(d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("must be positive, got %s", d)
	}
	return nil
}

// CheckTheme returns the theme's canonical name; "" stays "" (not chosen).
func (v Valid) CheckTheme(name string) (string, error) {
	canon := strings.ToLower(strings.TrimSpace(name))
	if canon == "" || slices.Contains(v.Themes, canon) {
		return canon, nil
	}
	return "", fmt.Errorf("unknown theme %q (valid: %s)", name, strings.Join(v.Themes, ", "))
}

// shortDuration is d without zero tails: "1h", not "1h0m0s".
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
