package main

import (
	"strings"

	"github.com/qmpdash/qmpdash/ui"
)

// safe makes a string that came from a VM fit to print on one terminal
// line, by the same rules the dashboard uses.
func safe(s string) string { return ui.SanitizeLine(s) }

// safeText is safe for multi-line text from a VM (human-monitor-command
// output): line breaks stay, CRLF becomes LF.
func safeText(s string) string {
	return ui.SanitizeText(strings.ReplaceAll(s, "\r\n", "\n"))
}
