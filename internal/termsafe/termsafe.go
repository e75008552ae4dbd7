// Package termsafe makes text from untrusted peers (VM names, event data,
// error text, replies, guest facts) safe to put on a terminal. It is the one
// set of rules the dashboard and the headless commands share. It imports
// nothing of qmpdash.
package termsafe

import (
	"strings"
	"unicode/utf8"
)

// Every string that came from a VM (names, event data, error text, replies,
// device and file names) passes through here before it reaches the terminal.
// A guest or a hostile QMP peer controls those bytes; unfiltered, they could
// move the cursor, retitle the window, write to the clipboard (OSC 52) or
// smuggle a hyperlink. We drop whole escape sequences (CSI, OSC, DCS, SOS,
// PM, APC, in both their 7-bit ESC forms and 8-bit C1 forms), replace other
// control characters and invalid UTF-8 with U+FFFD so that tampering stays
// visible, and defuse bidi overrides that could reorder what is shown.

// Replacement stands in for what could not be shown: a control character or
// invalid UTF-8, so tampering stays visible.
const Replacement = "\uFFFD"

// Line makes s safe for a one-line context: newlines and tabs become
// spaces.
func Line(s string) string { return sanitize(s, false) }

// Text makes s safe for a multi-line viewer: newlines are kept, tabs
// become spaces (they would break width arithmetic), carriage returns go.
func Text(s string) string { return sanitize(s, true) }

func sanitize(s string, keepNewlines bool) string {
	if PlainASCII(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= 0x20 && c < 0x7f:
			b.WriteByte(c)
			i++
		case c == 0x1b:
			i = skipEscape(s, i)
		case c == '\n':
			if keepNewlines {
				b.WriteByte('\n')
			} else {
				b.WriteByte(' ')
			}
			i++
		case c == '\t':
			if keepNewlines {
				b.WriteString("    ")
			} else {
				b.WriteByte(' ')
			}
			i++
		case c == '\r':
			i++
		case c < 0x20 || c == 0x7f:
			b.WriteString(Replacement)
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && size <= 1:
				// Invalid UTF-8, including lone 8-bit C1 bytes that some
				// terminals would still execute.
				b.WriteString(Replacement)
				i++
			case r == 0x9b: // CSI
				i = skipCSI(s, i+size)
			case r == 0x90 || r == 0x98 || r == 0x9d || r == 0x9e || r == 0x9f: // DCS SOS OSC PM APC
				i = skipString(s, i+size)
			case r >= 0x80 && r <= 0x9f: // other C1 controls
				b.WriteString(Replacement)
				i += size
			case isBidiControl(r):
				b.WriteString(Replacement)
				i += size
			default:
				b.WriteString(s[i : i+size])
				i += size
			}
		}
	}
	return b.String()
}

// PlainASCII is the fast path: printable ASCII needs no work.
func PlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// skipEscape returns the index after the escape sequence starting at s[i]
// (an ESC byte).
func skipEscape(s string, i int) int {
	if i+1 >= len(s) {
		return len(s)
	}
	switch n := s[i+1]; {
	case n == '[':
		return skipCSI(s, i+2)
	case n == ']' || n == 'P' || n == 'X' || n == '^' || n == '_':
		return skipString(s, i+2)
	case n >= 0x20 && n <= 0x2f:
		// nF sequences such as ESC ( B: intermediates, then one final byte.
		j := i + 1
		for j < len(s) && s[j] >= 0x20 && s[j] <= 0x2f {
			j++
		}
		if j < len(s) && s[j] >= 0x30 && s[j] <= 0x7e {
			j++
		}
		return j
	case n >= 0x30 && n <= 0x7e:
		return i + 2 // two-byte escapes: ESC 7, ESC c, ESC M, ...
	default:
		// ESC before a control or a non-ASCII byte: drop the ESC alone and
		// let the next byte be judged on its own.
		return i + 1
	}
}

// skipCSI returns the index after a control sequence whose parameters start
// at s[j]: parameter and intermediate bytes, then a final byte.
func skipCSI(s string, j int) int {
	for j < len(s) {
		c := s[j]
		switch {
		case c >= 0x40 && c <= 0x7e:
			return j + 1
		case c >= 0x20 && c <= 0x3f:
			j++
		default:
			// Not part of a CSI: the sequence is malformed; stop here and
			// let the caller judge this byte.
			return j
		}
	}
	return j
}

// skipString returns the index after a control string (OSC, DCS, ...) whose
// body starts at s[j]. It ends at BEL, ESC \, or the 8-bit ST; CAN and SUB
// abort it. An unterminated string swallows the rest: printing it would let
// the terminal go on consuming the bytes that follow.
func skipString(s string, j int) int {
	for j < len(s) {
		switch c := s[j]; c {
		case 0x07, 0x18, 0x1a:
			return j + 1
		case 0x1b:
			if j+1 < len(s) && s[j+1] == '\\' {
				return j + 2
			}
			j++
		case 0xc2:
			if j+1 < len(s) && s[j+1] == 0x9c {
				return j + 2
			}
			j++
		default:
			j++
		}
	}
	return j
}

// isBidiControl reports the explicit directional formatting characters,
// which can make text display in a different order than it is stored.
func isBidiControl(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c
}

// Clip bounds a VM-supplied string before it is stored for display, so a
// multi-megabyte name or event cannot slow every frame. It cuts at a rune
// boundary.
func Clip(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
