package qmp

import (
	"encoding/json"
	"errors"
	"io"
	"testing"
	"time"
)

// nextWithin runs fr.next in the background and fails the test if it has
// not returned within d (the framer must decide on the bytes it has).
func nextWithin(t *testing.T, fr *framer, d time.Duration, what string) ([]byte, error) {
	t.Helper()
	type res struct {
		msg []byte
		err error
	}
	ch := make(chan res, 1)
	go func() {
		m, err := fr.next()
		ch <- res{append([]byte(nil), m...), err}
	}()
	select {
	case r := <-ch:
		return r.msg, r.err
	case <-time.After(d):
		t.Fatalf("framer still waiting for more bytes after %v: %s", d, what)
		return nil, nil
	}
}

// Bytes that no JSON can continue with are an error as soon as they
// arrive: the peer has sent them and nothing more (the pipe stays open).
func TestFramerRejectsInvalidJSONAtOnce(t *testing.T) {
	for _, in := range []string{
		"{{{ not json",
		`{"a" 1`,
		`{"a":tru3`,
		`{"a":01`,
		`{"a":[1,]`,
		`{"a":1,}`,
		"{\"a\":\"\x01",
		`{"a":"\q`,
		`{"a":"\u12g`,
		`{]`,
		`{"a":-x`,
		`{"a":1.e`,
		`{"a":1e+}`,
		`{"a":[}`,
		`{"a":{]`,
		`{"a":nul1`,
		`{'a'`,
	} {
		pr, pw := io.Pipe()
		go pw.Write([]byte(in))
		fr := newFramer(pr, 1<<20)
		_, err := nextWithin(t, fr, 2*time.Second, "input "+in)
		if !errors.Is(err, errNotJSON) {
			t.Errorf("%q: got %v, want errNotJSON", in, err)
		}
		pw.Close()
	}
}

// Valid JSON of every kind passes through whole, and only valid JSON does.
func TestFramerPassesValidJSON(t *testing.T) {
	for _, in := range []string{
		`{}`,
		`{"a":[],"b":{},"c":-0.5e+3,"d":"\u00e9\n\"}","e":null,"f":true,"g":false,"h":[1,[2,{"i":0}]],"j":0,"k":12E-2}`,
		"{ \"a\" :\r\n [ 1 , 2 ] }",
		`{"return": {"status": "running", "singlestep": false, "running": true}}`,
	} {
		fr := newFramer(&chunkReader{data: []byte(in + "\r\n"), sizes: []byte{1}}, 1<<20)
		msg, err := fr.next()
		if err != nil || string(msg) != in || !json.Valid(msg) {
			t.Errorf("%q: got %q, %v", in, msg, err)
		}
		if _, err := fr.next(); err != io.EOF {
			t.Errorf("%q: after the message %v, want io.EOF", in, err)
		}
	}
}

// Nesting deeper than QEMU's own limit is refused rather than held.
func TestFramerBoundsNesting(t *testing.T) {
	in := `{"a":`
	for range maxNesting {
		in += "["
	}
	fr := newFramer(&chunkReader{data: []byte(in)}, 1<<20)
	if _, err := fr.next(); !errors.Is(err, errNotJSON) {
		t.Fatalf("nesting of %d: %v", maxNesting+1, err)
	}
}
