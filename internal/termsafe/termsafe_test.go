package termsafe

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestSanitizeLine(t *testing.T) {
	const R = "\uFFFD"
	cases := []struct{ name, in, want string }{
		{"plain", "web-01", "web-01"},
		{"unicode kept", "Grüße 日本 ✓", "Grüße 日本 ✓"},
		{"SGR colour", "\x1b[31mred\x1b[0m", "red"},
		{"cursor movement", "a\x1b[2J\x1b[H\x1b[10;20Hb", "ab"},
		{"CSI private", "a\x1b[?1049hb", "ab"},
		{"OSC title BEL", "x\x1b]0;pwned\x07y", "xy"},
		{"OSC title ST", "x\x1b]2;pwned\x1b\\y", "xy"},
		{"OSC 52 clipboard", "x\x1b]52;c;ZWNobyBoaQ==\x07y", "xy"},
		{"OSC 8 hyperlink", "\x1b]8;;http://evil/\x1b\\click\x1b]8;;\x1b\\", "click"},
		{"DCS", "a\x1bPq#0;2;0;0;0\x1b\\b", "ab"},
		{"APC", "a\x1b_Gf=100;AAAA\x1b\\b", "ab"},
		{"PM and SOS", "a\x1b^pm\x1b\\b\x1bXsos\x1b\\c", "abc"},
		{"8-bit CSI (UTF-8 C1)", "a\u009b31mb", "ab"},
		{"8-bit OSC ended by 8-bit ST", "a\u009d0;title\u009cb", "ab"},
		{"8-bit OSC ended by BEL", "a\u009d0;title\x07b", "ab"},
		{"8-bit DCS", "a\u0090data\u009cb", "ab"},
		{"other C1", "a\u0085b\u008eс", "a" + R + "b" + R + "с"},
		{"raw C1 byte is invalid UTF-8", "a\x9b31mb", "a" + R + "31mb"},
		{"two-byte escapes", "a\x1b7b\x1b8c\x1bcd\x1bMe", "abcde"},
		{"nF charset", "a\x1b(Bb\x1b)0c", "abc"},
		{"ESC at end", "abc\x1b", "abc"},
		{"ESC ESC", "a\x1b\x1b[1mb", "ab"},
		{"unterminated OSC swallows rest", "ok\x1b]0;title never ends", "ok"},
		{"unterminated CSI", "ok\x1b[12;", "ok"},
		{"CSI cut by control", "a\x1b[1\x07b", "a" + R + "b"},
		{"OSC cancelled by CAN", "a\x1b]0;t\x18b", "ab"},
		{"NUL BEL BS", "a\x00b\x07c\x08d", "a" + R + "b" + R + "c" + R + "d"},
		{"DEL", "a\x7fb", "a" + R + "b"},
		{"newline and tab become spaces", "a\nb\tc", "a b c"},
		{"CR dropped", "line\r\n", "line "},
		{"invalid UTF-8", "a\xff\xfeb\xc3", "a" + R + R + "b" + R},
		{"overlong encoding", "a\xc0\xafb", "a" + R + R + "b"},
		{"surrogate half", "a\xed\xa0\x80b", "a" + R + R + R + "b"},
		{"bidi override", "abc\u202Eevil", "abc" + R + "evil"},
		{"bidi isolate", "a\u2066b\u2069c", "a" + R + "b" + R + "c"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Line(c.in); got != c.want {
				t.Errorf("Line(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestSanitizeTextKeepsLines(t *testing.T) {
	got := Text("a\r\nb\tc\n\x1b[1mbold\x1b[0m\n")
	want := "a\nb    c\nbold\n"
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// assertSafe checks what a terminal could act on: no ESC, no C0 but
// (optionally) newline, no DEL, no C1 runes, valid UTF-8.
func assertSafe(t *testing.T, in, out string, newlines bool) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("invalid UTF-8 out of %q: %q", in, out)
	}
	for _, r := range out {
		switch {
		case r == '\n' && newlines:
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f, isBidiControl(r):
			t.Fatalf("control %U survived in %q (from %q)", r, out, in)
		}
	}
}

func TestSanitizeNeverLeaksControls(t *testing.T) {
	// A deterministic spray of nasty byte strings.
	pieces := []string{"\x1b", "[", "]", "P", "\\", "\x07", "\x9b", "\x9d", "\xc2\x9b", "\xc2\x9c", "\xc2\x9d",
		"0;", "m", "a", "é", "\xff", "\x00", "\n", "\t", "\r", "\x7f", "\u202e", "\x18"}
	seed := uint32(1)
	for n := 0; n < 5000; n++ {
		var b strings.Builder
		for i := 0; i < 12; i++ {
			seed = seed*1664525 + 1013904223
			b.WriteString(pieces[int(seed>>16)%len(pieces)])
		}
		in := b.String()
		assertSafe(t, in, Line(in), false)
		assertSafe(t, in, Text(in), true)
	}
}

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"\x1b]0;x\x07", "\u009b1m", "a\xffb", "\x1bP\x1b\\", "\u202e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		assertSafe(t, in, Line(in), false)
		assertSafe(t, in, Text(in), true)
		// Text that is already safe to print comes through unchanged.
		if printable(in) && (Line(in) != in || Text(in) != in) {
			t.Fatalf("printable %q changed: Line %q, Text %q", in, Line(in), Text(in))
		}
	})
}

func TestClipCutsAtRuneBoundary(t *testing.T) {
	s := strings.Repeat("é", 10) // 2 bytes each
	got := Clip(s, 5)
	if !utf8.ValidString(got) || !strings.HasSuffix(got, "…") || len(got) > 5+len("…") {
		t.Fatalf("clip = %q", got)
	}
	if Clip("short", 10) != "short" {
		t.Fatal("clip changed a short string")
	}
}

// printable says whether s is valid UTF-8 of printable runes only, none of
// which the sanitiser has a reason to touch.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) || isBidiControl(r) || (r >= 0x80 && r <= 0x9f) {
			return false
		}
	}
	return true
}
