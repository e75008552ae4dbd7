package termsafe

import (
	"fmt"
	"unicode/utf8"
)

// JSON makes JSON fit for a terminal without changing what it means.
// JSON escapes C0 controls inside strings, but DEL and the C1 controls
// (U+0080-U+009F, among them a one-byte CSI) may appear raw, and so may
// invalid UTF-8; those become \u escapes. Outside strings JSON is ASCII, so
// only string contents are touched.
func JSON(b []byte) []byte {
	clean := true
	for _, c := range b {
		if c >= 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && size <= 1:
			out = append(out, `\ufffd`...)
		case r >= 0x7f && r <= 0x9f:
			out = fmt.Appendf(out, `\u%04x`, r)
		default:
			out = append(out, b[:size]...)
		}
		b = b[size:]
	}
	return out
}
