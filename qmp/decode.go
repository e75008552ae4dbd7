package qmp

import segjson "github.com/segmentio/encoding/json"

// decodeResult decodes a reply's "return" into a typed result. It is
// segmentio/encoding/json's Unmarshal, a drop-in replacement for
// encoding/json's that is tested to behave the same and decodes QMP
// replies 4-5x faster (docs/BENCHMARKS.md). Decoding the typed result is
// the largest piece of work the client does per command, on every poll of
// every VM. Its input has already passed encoding/json's own Valid (see
// splitObject), and FuzzDecodersAgree holds it to encoding/json's results.
var decodeResult = segjson.Unmarshal
