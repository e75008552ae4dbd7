package qmp

import (
	"bytes"
	"encoding/json"
	"io"
	"testing"
)

// BenchmarkFramer frames the recorded QEMU 7.2 session, as QEMU sends it
// and pretty-printed (-mon pretty=on), from memory: the framer's own cost
// per byte, with no socket. SetBytes makes -bench report MB/s.
func BenchmarkFramer(b *testing.B) {
	msgs := sessionServerMessages(b)
	var packed, pretty []byte
	for _, m := range msgs {
		packed = append(append(packed, m...), '\r', '\n')
		var ind bytes.Buffer
		if err := json.Indent(&ind, m, "", "    "); err != nil {
			b.Fatal(err)
		}
		pretty = append(append(pretty, ind.Bytes()...), '\n')
	}
	for _, c := range []struct {
		name   string
		stream []byte
	}{{"packed", packed}, {"pretty", pretty}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.stream)))
			r := bytes.NewReader(c.stream)
			for b.Loop() {
				r.Reset(c.stream)
				fr := newFramer(r, 1<<20)
				for {
					if _, err := fr.next(); err != nil {
						if err != io.EOF {
							b.Fatal(err)
						}
						break
					}
				}
			}
		})
	}
}
