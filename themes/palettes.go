package themes

import "charm.land/lipgloss/v2"

// hex is shorthand for a light/dark pair of hex colours.
func hex(light, dark string) Pair {
	return Pair{Light: lipgloss.Color(light), Dark: lipgloss.Color(dark)}
}

// defaultTheme is tuned to read on both backgrounds: every light colour has
// enough contrast on white, every dark colour on black. Each error kind and
// each QEMU class gets its own hue so the status bar tells them apart at a
// glance (the label tells them apart without colour).
func defaultTheme() Theme {
	return Theme{
		Name: DefaultName,
		Mode: Adaptive,
		Palette: Palette{
			Text:       hex("#1F2328", "#E6EDF3"),
			Muted:      hex("#59636E", "#8B949E"),
			Accent:     hex("#0969DA", "#58A6FF"),
			Border:     hex("#C8D1DA", "#3D444D"),
			Focus:      hex("#0969DA", "#58A6FF"),
			SelectedFG: hex("#0B1F33", "#F0F6FC"),
			SelectedBG: hex("#CFE6FF", "#1F3A5F"),

			Running:      hex("#1A7F37", "#3FB950"),
			Paused:       hex("#9A6700", "#D29922"),
			Stopped:      hex("#CF222E", "#F85149"),
			Transitional: hex("#8250DF", "#BC8CFF"),
			Unknown:      hex("#59636E", "#8B949E"),

			ConnUp:   hex("#1A7F37", "#3FB950"),
			ConnBusy: hex("#9A6700", "#D29922"),
			ConnDown: hex("#CF222E", "#F85149"),

			Connect:      hex("#CF222E", "#FF7B72"),
			Timeout:      hex("#BC4C00", "#FFA657"),
			Protocol:     hex("#BF3989", "#F778BA"),
			Capabilities: hex("#8250DF", "#D2A8FF"),
			Response:     hex("#9A6700", "#E3B341"),
			Other:        hex("#59636E", "#B1BAC4"),

			GenericError:    hex("#7D4E00", "#F2CC60"),
			CommandNotFound: hex("#1B7C83", "#39C5CF"),
			DeviceNotFound:  hex("#953800", "#F0883E"),
			DeviceNotActive: hex("#0550AE", "#79C0FF"),
			KVMMissingCap:   hex("#A40E26", "#FFA198"),

			OK:       hex("#1A7F37", "#3FB950"),
			Spark:    hex("#0969DA", "#58A6FF"),
			BarFull:  hex("#0969DA", "#58A6FF"),
			BarEmpty: hex("#C8D1DA", "#3D444D"),
			BadgeFG:  hex("#FFFFFF", "#0D1117"),
			BadgeBG:  hex("#9A6700", "#D29922"),
			Match:    hex("#BC4C00", "#FFA657"),
		},
	}
}

// highContrastTheme uses the sixteen ANSI colours, which the user's own
// terminal palette defines, and pure black/white text; focus and selection
// lean on reverse video rather than subtle shades.
func highContrastTheme() Theme {
	return Theme{
		Name: "high-contrast",
		Mode: Adaptive,
		Palette: Palette{
			Text:       hex("0", "15"),
			Muted:      hex("8", "7"),
			Accent:     hex("4", "14"),
			Border:     hex("0", "15"),
			Focus:      hex("4", "11"),
			SelectedFG: hex("15", "0"),
			SelectedBG: hex("0", "15"),

			Running:      hex("2", "10"),
			Paused:       hex("3", "11"),
			Stopped:      hex("1", "9"),
			Transitional: hex("5", "13"),
			Unknown:      hex("8", "7"),

			ConnUp:   hex("2", "10"),
			ConnBusy: hex("3", "11"),
			ConnDown: hex("1", "9"),

			Connect:      hex("1", "9"),
			Timeout:      hex("3", "11"),
			Protocol:     hex("5", "13"),
			Capabilities: hex("4", "12"),
			Response:     hex("6", "14"),
			Other:        hex("8", "7"),

			GenericError:    hex("6", "14"),
			CommandNotFound: hex("4", "12"),
			DeviceNotFound:  hex("1", "9"),
			DeviceNotActive: hex("5", "13"),
			KVMMissingCap:   hex("3", "11"),

			OK:       hex("2", "10"),
			Spark:    hex("4", "14"),
			BarFull:  hex("0", "15"),
			BarEmpty: hex("8", "8"),
			BadgeFG:  hex("15", "0"),
			BadgeBG:  hex("1", "11"),
			Match:    hex("1", "11"),
		},
	}
}
