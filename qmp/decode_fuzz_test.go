package qmp

import (
	"encoding/json"
	"reflect"
	"testing"
)

// decodeResult is not encoding/json, so it is held to encoding/json's
// results: for any valid JSON (all it is ever given) and every type the
// client decodes replies into, both must succeed or both fail, and agree
// on the value.

// decodeTargets returns a fresh pointer of each result type.
var decodeTargets = []func() any{
	func() any { return new(StatusInfo) },
	func() any { return new(VersionInfo) },
	func() any { return new(KVMInfo) },
	func() any { return new([]CPUInfoFast) },
	func() any { return new([]BlockInfo) },
	func() any { return new([]BlockStatsEntry) },
	func() any { return new([]BlockJobInfo) },
	func() any { return new([]JobInfo) },
	func() any { return new(MemorySizeSummary) },
	func() any { return new(BalloonInfo) },
	func() any { return new(MigrationInfo) },
	func() any { return new([]ChardevInfo) },
	func() any { return new(string) }, // human-monitor-command
	func() any { return new([]*schemaEntry) },
	func() any {
		return new(struct {
			Name string `json:"name"`
			UUID string `json:"UUID"`
		})
	},
	func() any {
		return new([]struct {
			Name string `json:"name"`
		})
	},
}

// sessionReturns is the "return" value of every reply in the recorded
// session.
func sessionReturns(tb testing.TB) [][]byte {
	var out [][]byte
	for _, msg := range sessionServerMessages(tb) {
		var w wireMessage
		if splitObject(msg, &w) == nil && len(w.Return) > 0 {
			out = append(out, clone(w.Return))
		}
	}
	return out
}

func FuzzDecodersAgree(f *testing.F) {
	for _, ret := range sessionReturns(f) {
		f.Add(ret)
	}
	for _, s := range []string{
		`{"status": "running", "running": true, "STATUS": "paused"}`, // names match case-insensitively
		`{"status": "a", "status": "b"}`,                             // the last duplicate wins
		`{"actual": 1e3}`, `{"actual": -1}`, `{"actual": 18446744073709551616}`,
		`[{"device": null, "stats": {"rd_bytes": 1.5}}]`, `"\ud800"`, `"\u00e9\t"`, `null`, `[]`, `{}`,
		// query-blockstats' own decoder (decode_blockstats.go): what it takes and what it leaves.
		`[{"device": "d", "qdev": "q", "node-name": "n", "stats": {"rd_bytes": 18446744073709551615, "idle_time_ns": -9223372036854775808, "wr_bytes": 1}, "parent": {"stats": {"rd_bytes": 7}}}]`,
		`[{"Device": "d", "stats": {"RD_BYTES": 1}}]`, `[{"device": "d\u00e9", "stats": {}}]`, `[{"device": "\u00e9"}]`,
		`[{"stats": {"rd_bytes": 18446744073709551616}}]`, `[{"stats": {"idle_time_ns": 9223372036854775808}}]`,
		`[{"stats": {"rd_bytes": -0, "idle_time_ns": -0}}]`, `[{"stats": null}]`, `[{"stats": {"rd_bytes": null}}]`,
		`[{"stats": {"rd_bytes": 1}, "stats": {"wr_bytes": 2}}]`, `[{"device": "a", "device": "b"}]`, `[1]`, `[{}, {}]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !json.Valid(b) {
			return
		}
		for _, target := range decodeTargets {
			want, got := target(), target()
			wantErr, gotErr := json.Unmarshal(b, want), decodeResult(b, got)
			if (wantErr == nil) != (gotErr == nil) {
				t.Fatalf("%T from %q: encoding/json says %v, decodeResult says %v", want, b, wantErr, gotErr)
			}
			if wantErr == nil && !reflect.DeepEqual(want, got) {
				t.Fatalf("%T from %q:\nencoding/json %+v\ndecodeResult  %+v", want, b, want, got)
			}
		}
	})
}

// go test runs the fuzz target over its seeds: every recorded reply must
// decode the same way into every type. They must be there, or the check
// shrinks to a few hand-written lines without anyone noticing.
func TestDecodersAgreeOnTheRecordedSession(t *testing.T) {
	if n := len(sessionReturns(t)); n < 20 {
		t.Fatalf("only %d recorded replies", n)
	}
}
