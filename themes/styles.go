package themes

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
)

// Styles are the lipgloss styles the UI draws with, resolved for one theme
// and one background. Build them with NewStyles; rebuild when the terminal
// reports its background or the user switches themes.
type Styles struct {
	Theme   string
	Dark    bool // the colours in use are the dark-background ones
	NoColor bool

	Text, Muted, Bold, Accent lipgloss.Style
	Title                     lipgloss.Style // the app name in the header
	Header                    lipgloss.Style // table column headings
	Selected                  lipgloss.Style // the selected row
	Disabled                  lipgloss.Style // a palette action that cannot run
	Match                     lipgloss.Style // fuzzy-matched characters

	// Boxes: the glyphs of the frame and the style they are drawn in. Focus
	// changes the glyphs too, so it shows without colour.
	Edge, EdgeFocus           lipgloss.Border
	Border, BorderFocus       lipgloss.Style
	PaneTitle, PaneTitleFocus lipgloss.Style
	Tab, TabActive            lipgloss.Style
	Key                       lipgloss.Style // the key column of key/value lines

	Running, Paused, Stopped, Transitional, UnknownState lipgloss.Style
	ConnUp, ConnBusy, ConnDown                           lipgloss.Style

	ErrConnect, ErrTimeout, ErrProtocol, ErrCapabilities, ErrResponse, ErrOther             lipgloss.Style
	ClassGeneric, ClassCommandNotFound, ClassDeviceNotFound, ClassDeviceNotActive, ClassKVM lipgloss.Style

	OK                       lipgloss.Style
	Badge                    lipgloss.Style // the read-only badge
	Note                     lipgloss.Style // the demo note
	Spark, BarFull, BarEmpty lipgloss.Style

	Help  help.Styles
	Input InputStyles
}

// InputStyles style a one-line text input (the palette's query and prompts).
type InputStyles struct {
	Prompt, Text, Placeholder, Cursor lipgloss.Style
}

// NewStyles resolves a theme for a terminal whose background is dark or not.
// Themes with a fixed mode ignore isDark.
func NewStyles(t Theme, isDark bool) Styles {
	switch t.Mode {
	case AlwaysDark:
		isDark = true
	case AlwaysLight:
		isDark = false
	}
	if t.NoColor {
		return monoStyles(t.Name)
	}
	ld := lipgloss.LightDark(isDark)
	c := func(p Pair) color.Color { return ld(p.Light, p.Dark) }
	p := t.Palette
	fg := func(p Pair) lipgloss.Style { return lipgloss.NewStyle().Foreground(c(p)) }

	s := Styles{Theme: t.Name, Dark: isDark}
	s.Text = fg(p.Text)
	s.Muted = fg(p.Muted)
	s.Bold = s.Text.Bold(true)
	s.Accent = fg(p.Accent)
	s.Title = fg(p.Accent).Bold(true)
	s.Header = fg(p.Muted).Bold(true)
	s.Selected = lipgloss.NewStyle().Foreground(c(p.SelectedFG)).Background(c(p.SelectedBG)).Bold(true)
	s.Disabled = fg(p.Muted).Faint(true)
	s.Match = fg(p.Match).Bold(true).Underline(true)

	s.Edge, s.EdgeFocus = lipgloss.RoundedBorder(), lipgloss.ThickBorder()
	s.Border, s.BorderFocus = fg(p.Border), fg(p.Focus)
	s.PaneTitle = fg(p.Muted).Bold(true)
	s.PaneTitleFocus = fg(p.Focus).Bold(true)
	s.Tab = fg(p.Muted)
	s.TabActive = lipgloss.NewStyle().Foreground(c(p.SelectedFG)).Background(c(p.SelectedBG)).Bold(true)
	s.Key = fg(p.Muted)

	s.Running = fg(p.Running)
	s.Paused = fg(p.Paused)
	s.Stopped = fg(p.Stopped).Bold(true)
	s.Transitional = fg(p.Transitional)
	s.UnknownState = fg(p.Unknown)
	s.ConnUp = fg(p.ConnUp)
	s.ConnBusy = fg(p.ConnBusy)
	s.ConnDown = fg(p.ConnDown).Bold(true)

	s.ErrConnect = fg(p.Connect).Bold(true)
	s.ErrTimeout = fg(p.Timeout).Bold(true)
	s.ErrProtocol = fg(p.Protocol).Bold(true)
	s.ErrCapabilities = fg(p.Capabilities).Bold(true)
	s.ErrResponse = fg(p.Response).Bold(true)
	s.ErrOther = fg(p.Other).Bold(true)
	s.ClassGeneric = fg(p.GenericError).Bold(true)
	s.ClassCommandNotFound = fg(p.CommandNotFound).Bold(true)
	s.ClassDeviceNotFound = fg(p.DeviceNotFound).Bold(true)
	s.ClassDeviceNotActive = fg(p.DeviceNotActive).Bold(true)
	s.ClassKVM = fg(p.KVMMissingCap).Bold(true)

	s.OK = fg(p.OK).Bold(true)
	s.Badge = lipgloss.NewStyle().Foreground(c(p.BadgeFG)).Background(c(p.BadgeBG)).Bold(true)
	s.Note = fg(p.Accent).Italic(true)
	s.Spark = fg(p.Spark)
	s.BarFull = fg(p.BarFull)
	s.BarEmpty = fg(p.BarEmpty)

	s.Help = help.Styles{
		Ellipsis:       fg(p.Muted),
		ShortKey:       fg(p.Accent),
		ShortDesc:      fg(p.Muted),
		ShortSeparator: fg(p.Border),
		FullKey:        fg(p.Accent).Bold(true),
		FullDesc:       fg(p.Text),
		FullSeparator:  fg(p.Border),
	}
	s.Input = InputStyles{
		Prompt:      fg(p.Accent).Bold(true),
		Text:        fg(p.Text),
		Placeholder: fg(p.Muted).Italic(true),
		Cursor:      lipgloss.NewStyle().Reverse(true),
	}
	return s
}

// monoStyles draws with attributes only. Selection and focus use reverse
// video and heavier borders; everything else is told apart by words and
// glyphs the UI prints anyway.
func monoStyles(name string) Styles {
	plain := lipgloss.NewStyle()
	bold := plain.Bold(true)
	s := Styles{Theme: name, Dark: true, NoColor: true}
	s.Text, s.Muted, s.Bold, s.Accent = plain, plain, bold, bold
	s.Title, s.Header = bold, bold.Underline(true)
	s.Selected = plain.Reverse(true)
	s.Disabled = plain.Faint(true)
	s.Match = plain.Underline(true)
	s.Edge, s.EdgeFocus = lipgloss.NormalBorder(), lipgloss.DoubleBorder()
	s.Border, s.BorderFocus = plain, bold
	s.PaneTitle, s.PaneTitleFocus = plain, bold.Reverse(true)
	s.Tab, s.TabActive = plain, bold.Reverse(true)
	s.Key = plain
	s.Running, s.Paused, s.Stopped, s.Transitional, s.UnknownState = plain, plain, bold, plain, plain
	s.ConnUp, s.ConnBusy, s.ConnDown = plain, plain, bold
	s.ErrConnect, s.ErrTimeout, s.ErrProtocol, s.ErrCapabilities, s.ErrResponse, s.ErrOther = bold, bold, bold, bold, bold, bold
	s.ClassGeneric, s.ClassCommandNotFound, s.ClassDeviceNotFound, s.ClassDeviceNotActive, s.ClassKVM = bold, bold, bold, bold, bold
	s.OK = bold
	s.Badge = bold.Reverse(true)
	s.Note = plain.Italic(true)
	s.Spark, s.BarFull, s.BarEmpty = plain, plain, plain
	s.Help = help.Styles{
		Ellipsis: plain, ShortKey: bold, ShortDesc: plain, ShortSeparator: plain,
		FullKey: bold, FullDesc: plain, FullSeparator: plain,
	}
	s.Input = InputStyles{Prompt: bold, Text: plain, Placeholder: plain.Faint(true), Cursor: plain.Reverse(true)}
	return s
}
