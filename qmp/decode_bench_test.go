package qmp

import (
	"encoding/json"
	"testing"
)

// BenchmarkDecodeReply compares decoding a typical reply with
// splitObject (what decodeMessage does) against the baseline it replaced,
// json.Unmarshal into wireMessage, in the same invocation.
func BenchmarkDecodeReply(b *testing.B) {
	msg := []byte(`{"return": {"status": "running", "singlestep": false, "running": true}, "id": 12345}`)
	b.Run("unmarshal-baseline", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var w wireMessage
			if err := json.Unmarshal(msg, &w); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decodeMessage", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodeMessage(msg); err != nil {
				b.Fatal(err)
			}
		}
	})
}
