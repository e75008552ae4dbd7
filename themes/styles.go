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

	Text, Muted, Bold, Accent Ink
	Title                     Ink // the app name in the header
	Header                    Ink // table column headings
	Selected                  Ink // the selected row
	Disabled                  Ink // a palette action that cannot run
	Match                     Ink // fuzzy-matched characters

	// Boxes: the glyphs of the frame and the style they are drawn in. Focus
	// changes the glyphs too, so it shows without colour.
	Edge, EdgeFocus           lipgloss.Border
	Border, BorderFocus       Ink
	PaneTitle, PaneTitleFocus Ink
	Tab, TabActive            Ink
	Key                       Ink // the key column of key/value lines

	Running, Paused, Stopped, Transitional, UnknownState Ink
	ConnUp, ConnBusy, ConnDown                           Ink

	ErrConnect, ErrTimeout, ErrProtocol, ErrCapabilities, ErrResponse, ErrOther             Ink
	ClassGeneric, ClassCommandNotFound, ClassDeviceNotFound, ClassDeviceNotActive, ClassKVM Ink

	OK                       Ink
	Badge                    Ink // the read-only badge
	Note                     Ink // the demo note
	Spark, BarFull, BarEmpty Ink

	Help  help.Styles
	Input InputStyles
}

// InputStyles style a one-line text input (the palette's query and prompts).
type InputStyles struct {
	Prompt, Text, Placeholder, Cursor Ink
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
	on := func(f, b Pair) lipgloss.Style { return lipgloss.NewStyle().Foreground(c(f)).Background(c(b)) }
	ink := NewInk

	s := Styles{Theme: t.Name, Dark: isDark}
	s.Text = ink(fg(p.Text))
	s.Muted = ink(fg(p.Muted))
	s.Bold = ink(fg(p.Text).Bold(true))
	s.Accent = ink(fg(p.Accent))
	s.Title = ink(fg(p.Accent).Bold(true))
	s.Header = ink(fg(p.Muted).Bold(true))
	s.Selected = ink(on(p.SelectedFG, p.SelectedBG).Bold(true))
	s.Disabled = ink(fg(p.Muted).Faint(true))
	s.Match = ink(fg(p.Match).Bold(true).Underline(true))

	s.Edge, s.EdgeFocus = lipgloss.RoundedBorder(), lipgloss.ThickBorder()
	s.Border, s.BorderFocus = ink(fg(p.Border)), ink(fg(p.Focus))
	s.PaneTitle = ink(fg(p.Muted).Bold(true))
	s.PaneTitleFocus = ink(fg(p.Focus).Bold(true))
	s.Tab = ink(fg(p.Muted))
	s.TabActive = ink(on(p.SelectedFG, p.SelectedBG).Bold(true))
	s.Key = ink(fg(p.Muted))

	s.Running = ink(fg(p.Running))
	s.Paused = ink(fg(p.Paused))
	s.Stopped = ink(fg(p.Stopped).Bold(true))
	s.Transitional = ink(fg(p.Transitional))
	s.UnknownState = ink(fg(p.Unknown))
	s.ConnUp = ink(fg(p.ConnUp))
	s.ConnBusy = ink(fg(p.ConnBusy))
	s.ConnDown = ink(fg(p.ConnDown).Bold(true))

	s.ErrConnect = ink(fg(p.Connect).Bold(true))
	s.ErrTimeout = ink(fg(p.Timeout).Bold(true))
	s.ErrProtocol = ink(fg(p.Protocol).Bold(true))
	s.ErrCapabilities = ink(fg(p.Capabilities).Bold(true))
	s.ErrResponse = ink(fg(p.Response).Bold(true))
	s.ErrOther = ink(fg(p.Other).Bold(true))
	s.ClassGeneric = ink(fg(p.GenericError).Bold(true))
	s.ClassCommandNotFound = ink(fg(p.CommandNotFound).Bold(true))
	s.ClassDeviceNotFound = ink(fg(p.DeviceNotFound).Bold(true))
	s.ClassDeviceNotActive = ink(fg(p.DeviceNotActive).Bold(true))
	s.ClassKVM = ink(fg(p.KVMMissingCap).Bold(true))

	s.OK = ink(fg(p.OK).Bold(true))
	s.Badge = ink(on(p.BadgeFG, p.BadgeBG).Bold(true))
	s.Note = ink(fg(p.Accent).Italic(true))
	s.Spark = ink(fg(p.Spark))
	s.BarFull = ink(fg(p.BarFull))
	s.BarEmpty = ink(fg(p.BarEmpty))

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
		Prompt:      ink(fg(p.Accent).Bold(true)),
		Text:        ink(fg(p.Text)),
		Placeholder: ink(fg(p.Muted).Italic(true)),
		Cursor:      ink(lipgloss.NewStyle().Reverse(true)),
	}
	return s
}

// monoStyles draws with attributes only. Selection and focus use reverse
// video and heavier borders; everything else is told apart by words and
// glyphs the UI prints anyway.
func monoStyles(name string) Styles {
	plain := NewInk(lipgloss.NewStyle())
	bold := NewInk(lipgloss.NewStyle().Bold(true))
	rev := NewInk(lipgloss.NewStyle().Reverse(true))
	boldRev := NewInk(lipgloss.NewStyle().Bold(true).Reverse(true))
	s := Styles{Theme: name, Dark: true, NoColor: true}
	s.Text, s.Muted, s.Bold, s.Accent = plain, plain, bold, bold
	s.Title, s.Header = bold, bold
	s.Selected = rev
	s.Disabled = NewInk(lipgloss.NewStyle().Faint(true))
	s.Match = NewInk(lipgloss.NewStyle().Underline(true))
	s.Edge, s.EdgeFocus = lipgloss.NormalBorder(), lipgloss.DoubleBorder()
	s.Border, s.BorderFocus = plain, bold
	s.PaneTitle, s.PaneTitleFocus = plain, boldRev
	s.Tab, s.TabActive = plain, boldRev
	s.Key = plain
	s.Running, s.Paused, s.Stopped, s.Transitional, s.UnknownState = plain, plain, bold, plain, plain
	s.ConnUp, s.ConnBusy, s.ConnDown = plain, plain, bold
	s.ErrConnect, s.ErrTimeout, s.ErrProtocol, s.ErrCapabilities, s.ErrResponse, s.ErrOther = bold, bold, bold, bold, bold, bold
	s.ClassGeneric, s.ClassCommandNotFound, s.ClassDeviceNotFound, s.ClassDeviceNotActive, s.ClassKVM = bold, bold, bold, bold, bold
	s.OK = bold
	s.Badge = boldRev
	s.Note = NewInk(lipgloss.NewStyle().Italic(true))
	s.Spark, s.BarFull, s.BarEmpty = plain, plain, plain
	ps, bs := lipgloss.NewStyle(), lipgloss.NewStyle().Bold(true)
	s.Help = help.Styles{
		Ellipsis: ps, ShortKey: bs, ShortDesc: ps, ShortSeparator: ps,
		FullKey: bs, FullDesc: ps, FullSeparator: ps,
	}
	s.Input = InputStyles{Prompt: bold, Text: plain, Placeholder: NewInk(lipgloss.NewStyle().Faint(true)), Cursor: rev}
	return s
}
