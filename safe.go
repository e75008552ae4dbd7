package main

import (
	"strings"

	"github.com/qmpdash/qmpdash/internal/termsafe"
)

// safe makes a string that came from a VM fit to print on one terminal
// line, by the same rules the dashboard uses.
func safe(s string) string { return termsafe.Line(s) }

// safeText is safe for multi-line text from a VM (human-monitor-command
// output): line breaks stay, CRLF becomes LF.
func safeText(s string) string {
	return termsafe.Text(strings.ReplaceAll(s, "\r\n", "\n"))
}

// safeJSON makes JSON fit for a terminal without changing what it means.
func safeJSON(b []byte) []byte { return termsafe.JSON(b) }
