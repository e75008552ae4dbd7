package qmp

import (
	"bytes"
	"encoding/json"
	"testing"

	segjson "github.com/segmentio/encoding/json"
)

// BenchmarkDecodeReply compares decoding a typical reply with
// splitObject (what decodeMessage does) against the baseline it replaced,
// json.Unmarshal into wireMessage, in the same invocation.
func BenchmarkDecodeReply(b *testing.B) {
	msg := []byte(`{"return": {"status": "running", "singlestep": false, "running": true}, "id": 12345}`)
	benchEach(b, "unmarshal-baseline", func() error {
		var w wireMessage
		return json.Unmarshal(msg, &w)
	})
	benchEach(b, "decodeMessage", func() error {
		_, err := decodeMessage(msg)
		return err
	})
}

// benchEach runs op as the sub-benchmark name, reporting allocations. A
// baseline and its replacement run through it alike, so the one indirect
// call it adds per op cancels out of their ratio.
func benchEach(b *testing.B, name string, op func() error) {
	b.Run(name, func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := op(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkDecodeResult compares decodeResult with encoding/json's
// Unmarshal, the baseline it replaced, on recorded QEMU 7.2 replies: the
// poller's most frequent (query-status) and largest (query-blockstats).
func BenchmarkDecodeResult(b *testing.B) {
	replies := map[string][]byte{}
	for _, ret := range sessionReturns(b) {
		switch {
		case bytes.HasPrefix(ret, []byte(`{"status"`)):
			replies["query-status"] = ret
		case bytes.Contains(ret, []byte(`"stats"`)):
			replies["query-blockstats"] = ret
		}
	}
	targets := map[string]func() any{
		"query-status":     func() any { return new(StatusInfo) },
		"query-blockstats": func() any { return new([]BlockStatsEntry) },
	}
	for _, cmd := range []string{"query-status", "query-blockstats"} {
		ret := replies[cmd]
		if ret == nil {
			b.Fatalf("no %s reply in the recorded session", cmd)
		}
		for _, dec := range []struct {
			name string
			fn   func([]byte, any) error
		}{{"encoding-json-baseline", json.Unmarshal}, {"segmentio", segjson.Unmarshal}, {"decodeResult", decodeResult}} {
			benchEach(b, cmd+"/"+dec.name, func() error { return dec.fn(ret, targets[cmd]()) })
		}
	}
}
