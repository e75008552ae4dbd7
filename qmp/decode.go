package qmp

import (
	stdjson "encoding/json"

	segjson "github.com/segmentio/encoding/json"
)

// decodeResult decodes a reply's "return" into a typed result. It is
// segmentio/encoding/json's Unmarshal, a drop-in replacement for
// encoding/json's that is tested to behave the same and decodes QMP
// replies 4-5x faster (docs/BENCHMARKS.md), except for query-blockstats'
// reply, which has a decoder of its own (decode_blockstats.go). Decoding
// the typed result is the largest piece of work the client does per
// command, on every poll of every VM. Its input is valid JSON: the framer
// checked every byte of the message it came in (ParseSchema checks its
// own), and FuzzDecodersAgree holds it to encoding/json's results.
//
// segmentio v0.5.4 wraps some 20-digit integers into a uint64 instead of
// failing (21000000000000000000 decodes as 2553255926290448384; found by
// FuzzDecodersAgree): a reply with a run of 20 digits or more anywhere goes
// to encoding/json instead. QEMU sends none (its counters fit 64 bits).
func decodeResult(b []byte, v any) error {
	if out, ok := v.(*[]BlockStatsEntry); ok && decodeBlockStats(b, out) {
		return nil
	}
	if hasLongDigitRun(b) {
		return stdjson.Unmarshal(b, v)
	}
	return segjson.Unmarshal(b, v)
}

// hasLongDigitRun says b has 20 or more decimal digits in a row.
func hasLongDigitRun(b []byte) bool {
	run := 0
	for _, c := range b {
		if c >= '0' && c <= '9' {
			if run++; run >= 20 {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}
