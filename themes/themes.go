// Package themes holds every colour qmpdash draws with. A Theme names colours
// by role (text, run states, error classes, ...); NewStyles turns a theme and
// the terminal's background (dark or light) into the lipgloss styles the UI
// uses. The UI never spells a colour itself, so a theme is the one place to
// change how the dashboard looks. It imports nothing of qmpdash, so ui
// and the CLI can both use it.
package themes

import (
	"fmt"
	"image/color"
	"sort"
	"strings"
)

// Mode says which half of each colour Pair a theme uses.
type Mode int

const (
	// Adaptive follows the terminal: the dark colours on a dark background,
	// the light ones on a light background.
	Adaptive Mode = iota
	// AlwaysDark uses the dark colours whatever the terminal says.
	AlwaysDark
	// AlwaysLight uses the light colours whatever the terminal says.
	AlwaysLight
)

// Pair is one colour for light backgrounds and one for dark ones. A nil
// colour means the terminal's default.
type Pair struct{ Light, Dark color.Color }

// Palette names every colour the dashboard uses, by role.
type Palette struct {
	Text, Muted, Accent Pair
	Border, Focus       Pair
	SelectedFG          Pair
	SelectedBG          Pair

	// Run states.
	Running, Paused, Stopped, Transitional, Unknown Pair
	// Connection states.
	ConnUp, ConnBusy, ConnDown Pair

	// Error kinds (the qmp error family).
	Connect, Timeout, Protocol, Capabilities, Response, Other Pair
	// QEMU's error classes, for errors of kind response.
	GenericError, CommandNotFound, DeviceNotFound, DeviceNotActive, KVMMissingCap Pair

	OK                       Pair // an action that succeeded
	Spark, BarFull, BarEmpty Pair
	BadgeFG, BadgeBG         Pair // the read-only badge
	Match                    Pair // fuzzy-matched characters in the palette
}

// Theme is a named palette and how it picks light or dark colours.
type Theme struct {
	Name    string
	Mode    Mode
	Palette Palette
	// NoColor draws with text attributes only (bold, faint, reverse,
	// underline): the theme for NO_COLOR.
	NoColor bool
}

// Adaptive reports whether the theme needs to know the terminal's
// background, i.e. whether asking for it is worth the round trip.
func (t Theme) Adaptive() bool { return t.Mode == Adaptive && !t.NoColor }

// DefaultName is the theme used when none is chosen.
const DefaultName = "default"

// MonoName is the name of the colourless theme used under NO_COLOR.
const MonoName = "mono"

var registry = map[string]func() Theme{
	DefaultName:     defaultTheme,
	"dark":          func() Theme { t := defaultTheme(); t.Name, t.Mode = "dark", AlwaysDark; return t },
	"light":         func() Theme { t := defaultTheme(); t.Name, t.Mode = "light", AlwaysLight; return t },
	"high-contrast": highContrastTheme,
}

// Names lists the themes Get accepts, sorted.
func Names() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Get returns the named theme; "" is the default. An unknown name is an
// error that lists the valid ones.
func Get(name string) (Theme, error) {
	if name == "" {
		name = DefaultName
	}
	mk, ok := registry[strings.ToLower(strings.TrimSpace(name))]
	if !ok {
		return Theme{}, fmt.Errorf("unknown theme %q (valid: %s)", name, strings.Join(Names(), ", "))
	}
	return mk(), nil
}

// Default returns the default theme.
func Default() Theme { return defaultTheme() }

// Mono returns the colourless theme: everything still reads through words,
// glyphs and text attributes.
func Mono() Theme { return Theme{Name: MonoName, Mode: AlwaysDark, NoColor: true} }
