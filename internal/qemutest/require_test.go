package qemutest

import "testing"

func TestPeersRequiredAcceptsAnyTrueValue(t *testing.T) {
	for v, want := range map[string]bool{
		"1": true, "true": true, "TRUE": true, "yes": true, "on": true, " y ": true,
		"": false, "0": false, "false": false, "no": false, "off": false, "2": false,
	} {
		t.Setenv(RequireEnv, v)
		if got := PeersRequired(); got != want {
			t.Errorf("%s=%q: required %v, want %v", RequireEnv, v, got, want)
		}
	}
}
