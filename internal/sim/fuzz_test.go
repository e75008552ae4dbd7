package sim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"reflect"
	"testing"
)

// FuzzInput drives arbitrary client bytes through framing, envelope checks,
// schema validation and every handler: nothing may panic, every message
// must get a reply that encodes to one valid JSON line, and a request's id
// comes back in its reply.
func FuzzInput(f *testing.F) {
	if data, err := os.ReadFile("testdata/session.jsonl"); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var sl sessionLine
			if json.Unmarshal(sc.Bytes(), &sl) == nil && sl.Dir == ">" {
				f.Add([]byte(sl.Msg))
			}
		}
	}
	for _, s := range []string{`hello`, `}`, `[[[`, `"\u0000"`, `{"execute":"eject","arguments":{"id":"cdrom0","device":"cd0"}}`,
		`{"execute":"blockdev-add","arguments":{"driver":"qcow2","node-name":"a","file":{"driver":"file","filename":"/x"}}}`,
		`{"execute":"human-monitor-command","arguments":{"command-line":"info cpus"}}{"execute":"device_del","arguments":{"id":"vda"}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		clock := newFakeClock()
		opts := recordedVM(clock)
		opts.MirrorJob, opts.ResetEvery, opts.IOBytesPerSec = true, 1, 1<<20
		v := New(opts)
		c := newConn(nil)
		c.negotiated, c.oob = true, true
		fr := newFramer(bytes.NewReader(in))
		for {
			msg, bad, err := fr.next()
			if err == io.EOF {
				return
			}
			v.mu.Lock()
			clock.Advance(1e9)
			v.advance()
			id, ret, qerr := v.dispatch(c, msg, bad)
			v.guestStep()
			v.mu.Unlock()
			var line []byte
			if qerr != nil {
				line = encodeLine(errorMsg{ID: id, Error: qerr})
			} else {
				line = encodeLine(returnMsg{Return: ret, ID: id})
			}
			if !json.Valid(line) || !bytes.HasSuffix(line, []byte("\r\n")) {
				t.Fatalf("bad reply line %q", line)
			}
			// A request with an id gets it back, verbatim in meaning, as
			// QEMU does (a client matches replies by it).
			var req map[string]json.RawMessage
			if bad == "" && json.Unmarshal(msg, &req) == nil && req["id"] != nil {
				var got struct{ ID json.RawMessage }
				if json.Unmarshal(line, &got) != nil || !sameJSON(got.ID, req["id"]) {
					t.Fatalf("request id %s came back as %s in %q", req["id"], got.ID, line)
				}
			}
		}
	})
}

// sameJSON says whether two JSON texts hold the same value.
func sameJSON(a, b []byte) bool {
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}
