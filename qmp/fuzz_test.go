package qmp

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"reflect"
	"strconv"
	"testing"
)

// Fuzz targets for everything that reads bytes from QEMU: the framer and
// decodeMessage. Both are seeded with every server message of the recorded
// QEMU 7.2 session, as the exact bytes QEMU put on the wire.

// Where the recorded session lives. The testdata copy (the "<" lines only)
// travels with the package; the shared original sits beside the repository
// in the workspace and in CI, and when present its lines are seeds too, so a
// newer recording is picked up without copying it again.
const (
	sessionCopy   = "testdata/session-server.jsonl"
	sessionShared = "../../shared/qemu-7.2/session.jsonl"
)

// sessionServerMessages returns each server message of the recorded
// session as QEMU sent it, without the trailing "\r\n". The "msg" value is
// kept as raw bytes: re-marshalling would reorder keys and change spacing.
func sessionServerMessages(tb testing.TB) [][]byte {
	tb.Helper()
	msgs, err := readSession(sessionCopy)
	if err != nil {
		tb.Fatalf("seed corpus: %v", err)
	}
	if shared, err := readSession(sessionShared); err == nil {
		msgs = append(msgs, shared...)
	} else if !errors.Is(err, os.ErrNotExist) {
		tb.Fatalf("seed corpus: %v", err)
	}
	// Deduplicate: the two files mostly hold the same lines.
	seen := make(map[string]bool, len(msgs))
	out := msgs[:0]
	for _, m := range msgs {
		if !seen[string(m)] {
			seen[string(m)] = true
			out = append(out, m)
		}
	}
	return out
}

func readSession(path string) ([][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var msgs [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var line struct {
			Dir string          `json:"dir"`
			Msg json.RawMessage `json:"msg"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			return nil, errors.New(path + ": " + err.Error())
		}
		if line.Dir == "<" {
			msgs = append(msgs, append([]byte(nil), line.Msg...))
		}
	}
	return msgs, sc.Err()
}

// The seeds must be there and be what QEMU sends, or the fuzzers start
// from nothing without anyone noticing.
func TestSessionSeeds(t *testing.T) {
	msgs := sessionServerMessages(t)
	if len(msgs) < 40 {
		t.Fatalf("only %d server messages in the recorded session", len(msgs))
	}
	kinds := map[msgKind]int{}
	for _, b := range msgs {
		m, err := decodeMessage(append(b, '\r', '\n'))
		if err != nil {
			t.Fatalf("recorded message does not decode: %v\n%s", err, b)
		}
		kinds[m.kind]++
	}
	if kinds[msgGreeting] == 0 || kinds[msgReply] == 0 || kinds[msgEvent] == 0 {
		t.Fatalf("session lacks a kind of message: %v", kinds)
	}
}

func FuzzDecodeMessage(f *testing.F) {
	for _, b := range sessionServerMessages(f) {
		f.Add(append(b, '\r', '\n'))
	}
	for _, s := range []string{
		`{}`, `{"id":null}`, `{"return":null}`, `{"return":{},"error":{"class":"X","desc":""}}`,
		`{"error":{}}`, `{"error":"x"}`, `{"event":""}`, `{"event":"E","timestamp":"x"}`,
		`{"event":"E","data":null}`, `{"QMP":{}}`, `{"QMP":{"version":null,"capabilities":[]}}`,
		`{"return":1,"id":7}`, `{"error":{"class":"C"},"id":"qmpdash-1"}`, `[]`, `"x"`, `{"return":{}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = decodeMessage(b) // unframed bytes: never a panic
		// What the client decodes is what the framer hands it.
		msg, err := newFramer(bytes.NewReader(b), 1<<20).next()
		if err != nil {
			return
		}
		b = bytes.Clone(msg)
		m, err := decodeMessage(b)
		if err != nil {
			// A failed decode must not look like a usable message.
			if m.kind != 0 {
				t.Fatalf("error %v with kind %d", err, m.kind)
			}
			return
		}
		if !json.Valid(b) {
			t.Fatalf("invalid JSON decoded as kind %d", m.kind)
		}
		// The hand-written decoder agrees with encoding/json on what the
		// client acts on: the id, the event's name and data. (A map, not
		// a struct: QMP's member names are case-sensitive.)
		var ref map[string]json.RawMessage
		if err := json.Unmarshal(b, &ref); err == nil {
			id := ref["id"]
			refHasID := len(id) > 0 && string(id) != "null"
			if m.hasID != refHasID {
				t.Fatalf("hasID %v, encoding/json sees id %q", m.hasID, id)
			}
			if n, err := strconv.ParseUint(string(id), 10, 64); refHasID && err == nil && (!m.ours || m.id != n) {
				t.Fatalf("id %d (ours %v), encoding/json reads %d", m.id, m.ours, n)
			}
			if m.kind == msgEvent {
				var name string
				if json.Unmarshal(ref["event"], &name) != nil || m.event.Name != name {
					t.Fatalf("event %q, encoding/json reads %q", m.event.Name, ref["event"])
				}
				if !jsonEqual(m.event.Data, ref["data"]) {
					t.Fatalf("event data %q, encoding/json reads %q", m.event.Data, ref["data"])
				}
			}
		}
		if (!m.hasID && m.ours) || (!m.ours && m.id != 0) {
			t.Fatalf("id %d ours=%v without hasID=%v", m.id, m.ours, m.hasID)
		}
		switch m.kind {
		case msgReply:
			if (len(m.ret) > 0) == (m.errResp != nil) {
				t.Fatalf("reply must have exactly one of return and error: ret=%q err=%v", m.ret, m.errResp)
			}
			if len(m.ret) > 0 && !json.Valid(m.ret) {
				t.Fatalf("return is not JSON: %q", m.ret)
			}
			if m.errResp != nil && m.errResp.Class == "" {
				t.Fatal("error reply without a class")
			}
		case msgEvent:
			if m.event.Name == "" {
				t.Fatal("event without a name")
			}
			if m.event.Data != nil && !json.Valid(m.event.Data) {
				t.Fatalf("event data is not JSON: %q", m.event.Data)
			}
		case msgGreeting:
			if m.greeting.Capabilities == nil {
				t.Fatal("greeting without capabilities")
			}
		default:
			t.Fatalf("decoded without error but kind is %d", m.kind)
		}
	})
}

// fuzzMax is the framer's limit in the session round trip: above the
// largest recorded message (about 2.2 KB), small enough that pretty-printing
// can push a message over it.
const fuzzMax = 4096

// FuzzFramer feeds data through the framer twice: as arbitrary bytes, and
// as a recipe for a stream of recorded messages with arbitrary whitespace
// and pretty-printing. reads drives how the bytes trickle in; limit is the
// size limit for the arbitrary pass.
func FuzzFramer(f *testing.F) {
	msgs := sessionServerMessages(f)
	var stream []byte
	for _, b := range msgs {
		stream = append(append(stream, b...), '\r', '\n')
	}
	f.Add(stream, []byte{}, uint16(fuzzMax))
	f.Add(stream, []byte{1}, uint16(fuzzMax))
	f.Add(stream, []byte{0, 7, 200, 3}, uint16(fuzzMax))
	for i, b := range msgs {
		f.Add(append(b, '\r', '\n'), []byte{byte(i), 0, 255}, uint16(len(b)))
	}
	f.Add([]byte("{\"a\":\"}\\\"{\"}\n{}\r\n  {\n}"), []byte{2}, uint16(16))
	f.Add([]byte("not json\r\n"), []byte{}, uint16(fuzzMax))
	f.Add([]byte("{\"return\": {}}\r\n}"), []byte{3}, uint16(fuzzMax))
	f.Fuzz(func(t *testing.T, data, reads []byte, limit uint16) {
		framerArbitrary(t, data, reads, int(limit)%fuzzMax+1)
		framerRecipe(t, msgs, data, reads)
	})
}

// framerArbitrary checks what holds for any input: every message is a
// brace-delimited run of the input no longer than limit, valid JSON, in
// order, with only whitespace between; the stream ends in one of the
// framer's errors, and errNotJSON only where the input is not JSON.
func framerArbitrary(t *testing.T, data, reads []byte, limit int) {
	fr := newFramer(&chunkReader{data: data, sizes: reads}, limit)
	pos := 0
	for n := 0; ; n++ {
		if n > len(data)/2+1 {
			t.Fatalf("more messages than the input can hold (%d)", n)
		}
		msg, err := fr.next()
		rest := skipSpace(data[pos:])
		if err != nil {
			switch {
			case err == io.EOF:
				if len(rest) != 0 {
					t.Fatalf("io.EOF with %d unframed bytes left: %q", len(rest), clip(rest, 64))
				}
			case err == io.ErrUnexpectedEOF:
				if len(rest) == 0 || rest[0] != '{' {
					t.Fatalf("io.ErrUnexpectedEOF but no object was open: %q", clip(rest, 64))
				}
			case errors.Is(err, errNotJSON):
				first := firstObject(rest)
				deep := bytes.Count(first, []byte("["))+bytes.Count(first, []byte("{")) > maxNesting
				if len(first) > 0 && first[0] == '{' && json.Valid(first) && !deep {
					t.Fatalf("errNotJSON on valid JSON %q", clip(rest, 64))
				}
				if len(msg) > 256 {
					t.Fatalf("%v reported with %d bytes of context", err, len(msg))
				}
			case errors.Is(err, errTooLarge):
				if len(msg) > 256 {
					t.Fatalf("%v reported with %d bytes of context", err, len(msg))
				}
			default:
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if len(msg) > limit {
			t.Fatalf("message of %d bytes over the %d-byte limit", len(msg), limit)
		}
		if len(msg) < 2 || msg[0] != '{' || msg[len(msg)-1] != '}' {
			t.Fatalf("message is not brace-delimited: %q", clip(msg, 64))
		}
		if !json.Valid(msg) {
			t.Fatalf("message is not valid JSON: %q", clip(msg, 64))
		}
		if !bytes.HasPrefix(rest, msg) {
			t.Fatalf("message %q is not the next run of the input %q", clip(msg, 64), clip(rest, 64))
		}
		pos = len(data) - len(rest) + len(msg)
	}
}

// Whitespace QEMU (or a pretty-printing QEMU) might put around and inside
// messages.
var (
	fuzzSeparators = []string{"", "\r\n", "\n", " ", "\t", "\r\n\r\n", " \n\t\r\n", "\n\n\n"}
	fuzzIndents    = []string{"", " ", "    ", "\t", "\r\n"}
)

// framerRecipe reads data two bytes at a time as (message, style) and
// builds a stream of recorded messages: original bytes or json.Indent'ed,
// joined by arbitrary whitespace. The framer must hand back exactly those
// bytes, in order, until one exceeds the limit (errTooLarge) or the stream
// ends (io.EOF).
func framerRecipe(t *testing.T, msgs [][]byte, data, reads []byte) {
	const maxMsgs = 64
	var stream []byte
	var want [][]byte
	for i := 0; i+1 < len(data) && len(want) < maxMsgs; i += 2 {
		src, style := msgs[int(data[i])%len(msgs)], data[i+1]
		stream = append(stream, fuzzSeparators[int(style>>4)%len(fuzzSeparators)]...)
		m := src
		if style&1 != 0 {
			var b bytes.Buffer
			prefix := fuzzIndents[int(style>>1)%len(fuzzIndents)]
			indent := fuzzIndents[int(style>>3)%len(fuzzIndents)]
			if err := json.Indent(&b, src, prefix, indent); err != nil {
				t.Fatalf("recorded message does not indent: %v", err)
			}
			m = b.Bytes()
		}
		stream = append(stream, m...)
		want = append(want, m)
	}
	stream = append(stream, "\r\n"...)

	fr := newFramer(&chunkReader{data: stream, sizes: reads}, fuzzMax)
	for i, w := range want {
		got, err := fr.next()
		if len(w) > fuzzMax {
			if !errors.Is(err, errTooLarge) {
				t.Fatalf("message %d is %d bytes, over the limit: got %v, want errTooLarge", i, len(w), err)
			}
			return
		}
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if !bytes.Equal(got, w) {
			t.Fatalf("message %d:\n got %q\nwant %q", i, clip(got, 200), clip(w, 200))
		}
	}
	if got, err := fr.next(); err != io.EOF {
		t.Fatalf("after the last message: %q, %v; want io.EOF", clip(got, 64), err)
	}
}

// chunkReader hands out data in reads whose sizes cycle through sizes: a
// size of 0 is one empty (0, nil) read, as io.Reader allows; the final read
// comes with io.EOF when its size is odd, else EOF follows on its own. With
// no sizes everything comes in one read.
type chunkReader struct {
	data     []byte
	sizes    []byte
	i        int
	wasEmpty bool // the last read returned nothing: make progress now
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := len(r.data)
	eofWithData := false
	if len(r.sizes) > 0 {
		s := r.sizes[r.i%len(r.sizes)]
		r.i++
		if s == 0 && !r.wasEmpty {
			r.wasEmpty = true
			return 0, nil
		}
		n = max(int(s), 1)
		eofWithData = s%2 == 1
	}
	r.wasEmpty = false
	n = copy(p, r.data[:min(n, len(r.data))])
	r.data = r.data[n:]
	if len(r.data) == 0 && eofWithData {
		return n, io.EOF
	}
	return n, nil
}

func skipSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	return b
}

// firstObject is the first JSON value at the start of b, or b if there is none.
func firstObject(b []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(b))
	var v json.RawMessage
	if dec.Decode(&v) != nil {
		return b
	}
	return v
}

// jsonEqual says whether two JSON texts (either may be empty) hold the
// same value.
func jsonEqual(a, b []byte) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b) || string(a)+string(b) == "null"
	}
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}
