package main

import (
	"strings"
	"unicode"

	"github.com/charmbracelet/x/ansi"
)

// safe makes a string that came from a VM fit to print on a terminal:
// escape sequences and control characters are removed.
func safe(s string) string {
	s = ansi.Strip(strings.ToValidUTF8(s, "\uFFFD"))
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
}
