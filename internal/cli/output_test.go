package cli

import (
	"strings"
	"testing"
)

func TestSafeStripsTerminalControl(t *testing.T) {
	in := "vm\x1b]0;pwned\x07\x1b[31mred\x1b[0m\r\n\x00\x9b2J\xff"
	got := safe(in)
	if strings.ContainsAny(got, "\x1b\x07\r\n\x00\u009b") || !strings.Contains(got, "vmred") {
		t.Fatalf("safe(%q) = %q", in, got)
	}
}
