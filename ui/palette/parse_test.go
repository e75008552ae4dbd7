package palette

import (
	"strings"
	"testing"
	"time"
)

func TestParseSize(t *testing.T) {
	good := map[string]uint64{
		"512M": 512 << 20, "512m": 512 << 20, "1G": 1 << 30, "1.5G": 3 << 29, "2048MiB": 2 << 30,
		"1024": 1 << 30, "1048576K": 1 << 30, " 2g ": 2 << 30, "1T": 1 << 40,
	}
	for in, want := range good {
		got, err := parseSize(in)
		if err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "abc", "12Q", "0.5", "100K", "-1G", "NaN", "Inf", "99999999T"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) accepted", in)
		}
	}
}

func TestParseInterval(t *testing.T) {
	for in, want := range map[string]time.Duration{"100ms": 100 * time.Millisecond, "2s": 2 * time.Second, "1h": time.Hour} {
		if got, err := parseInterval(in); err != nil || got != want {
			t.Errorf("parseInterval(%q) = %v, %v", in, got, err)
		}
	}
	for in, msg := range map[string]string{
		"50ms": "between 100ms and 1h0m0s (got 50ms)",
		"2h":   "between 100ms and 1h0m0s (got 2h0m0s)",
		"fast": "not a duration",
		"-1s":  "between",
	} {
		_, err := parseInterval(in)
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("parseInterval(%q) error = %v, want it to say %q", in, err, msg)
		}
	}
}

func TestRawQMPParse(t *testing.T) {
	cases := []struct {
		in, name, args string
		err            string
	}{
		{"query-status", "query-status", "", ""},
		{"  query-status   ", "query-status", "", ""},
		{`eject {"id":"cd0"}`, "eject", `{"id":"cd0"}`, ""},
		{`eject{"id":"cd0"}`, "eject", `{"id":"cd0"}`, ""},
		{"", "", "", "type a command name"},
		{`eject {"id":}`, "", "", "not a JSON object"},
		{`eject "x"`, "", "", "not a JSON object"},
		{`eject null`, "", "", "not null"},
		{`eject {} {}`, "", "", "unexpected text"},
	}
	for _, c := range cases {
		name, args, err := parseRawQMP(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("parseRawQMP(%q) err = %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || name != c.name || string(args) != c.args {
			t.Errorf("parseRawQMP(%q) = %q, %q, %v", c.in, name, args, err)
		}
	}
}
