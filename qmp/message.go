package qmp

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"time"
)

// msgKind says what a server message is.
type msgKind int

const (
	msgReply msgKind = iota + 1
	msgEvent
	msgGreeting
)

// message is one decoded server message. Only the parts a kind uses are set.
type message struct {
	kind msgKind

	// Replies.
	reply   bool            // it has a return or an error member, even when malformed
	id      uint64          // our id, when ours is true
	hasID   bool            // the message carried an id at all
	ours    bool            // ... and it has the form of ours (an unsigned integer)
	ret     json.RawMessage // shares b's memory, which the framer reuses
	errResp *wireError

	// Events.
	event Event

	// Greeting.
	greeting Greeting
}

type wireError struct {
	Class string `json:"class"`
	Desc  string `json:"desc"`
}

type wireMessage struct {
	QMP       json.RawMessage `json:"QMP"`
	Return    json.RawMessage `json:"return"`
	Error     json.RawMessage `json:"error"`
	Event     json.RawMessage `json:"event"`
	Data      json.RawMessage `json:"data"`
	Timestamp json.RawMessage `json:"timestamp"`
	ID        json.RawMessage `json:"id"`
}

type wireTimestamp struct {
	Seconds      int64 `json:"seconds"`
	Microseconds int64 `json:"microseconds"`
}

type wireGreeting struct {
	Version      *VersionInfo `json:"version"`
	Capabilities []string     `json:"capabilities"`
}

var (
	errEmpty      = errors.New("unexpected empty message")
	errNoKind     = errors.New("message is neither a reply, an event nor a greeting")
	errBadEvent   = errors.New("malformed event")
	errBadError   = errors.New("malformed error reply")
	errBadGreet   = errors.New("malformed greeting")
	errBothResult = errors.New("reply has both return and error")
)

var nullJSON = []byte("null")

// decodeMessage turns one framed object (the framer's output: valid JSON)
// into a message. It never panics on any input; every failure is one of
// the errors above or a JSON error.
func decodeMessage(b []byte) (message, error) {
	var w wireMessage
	if err := splitObject(b, &w); err != nil {
		return message{}, err
	}
	var m message
	m.reply = len(w.Return) > 0 || len(w.Error) > 0
	if len(w.ID) > 0 && !bytes.Equal(w.ID, nullJSON) {
		m.hasID = true
		// We only send unsigned integer ids (the shortest form: QEMU reads
		// its monitor a byte at a time); anything else is not ours.
		if n, err := strconv.ParseUint(string(w.ID), 10, 64); err == nil {
			m.id, m.ours = n, true
		}
	}
	switch {
	case len(w.QMP) > 0:
		var g wireGreeting
		if err := json.Unmarshal(w.QMP, &g); err != nil || g.Version == nil || g.Capabilities == nil {
			return message{}, errBadGreet
		}
		m.kind = msgGreeting
		m.greeting = Greeting{Version: *g.Version, Capabilities: g.Capabilities}
		return m, nil
	case len(w.Event) > 0:
		var name string
		if err := json.Unmarshal(w.Event, &name); err != nil || name == "" {
			return message{}, errBadEvent
		}
		var ts wireTimestamp
		if len(w.Timestamp) > 0 {
			if err := json.Unmarshal(w.Timestamp, &ts); err != nil {
				return message{}, errBadEvent
			}
		}
		data := clone(w.Data) // the framer reuses b's memory
		if bytes.Equal(data, nullJSON) {
			data = nil
		}
		m.kind = msgEvent
		m.event = Event{Name: name, Data: data, Time: qmpTime(ts)}
		return m, nil
	case len(w.Return) > 0 && len(w.Error) > 0:
		return m, errBothResult
	case len(w.Return) > 0:
		m.kind = msgReply
		m.ret = w.Return // a sub-slice of b: whoever keeps it clones it
		return m, nil
	case len(w.Error) > 0:
		var we wireError
		if err := json.Unmarshal(w.Error, &we); err != nil || we.Class == "" {
			return m, errBadError
		}
		m.kind = msgReply
		m.errResp = &we
		return m, nil
	}
	if isEmptyObject(b) {
		return m, errEmpty
	}
	return m, errNoKind
}

// qmpTime converts QEMU's {seconds, microseconds}; a missing stamp is the
// zero time.
func qmpTime(ts wireTimestamp) time.Time {
	if ts.Seconds == 0 && ts.Microseconds == 0 {
		return time.Time{}
	}
	return time.Unix(ts.Seconds, ts.Microseconds*1000)
}

func isEmptyObject(b []byte) bool {
	return len(bytes.TrimSpace(bytes.Trim(bytes.TrimSpace(b), "{}"))) == 0
}

var (
	errInvalidJSON = errors.New("invalid JSON")
	errNotObject   = errors.New("not a JSON object")
)

// splitObject fills w with the raw values of b's top-level members, as
// sub-slices of b (no copies; callers clone what they keep). It replaces a
// json.Unmarshal that copied every member on every reply. Keys match
// exactly (QMP's are lower case); an unknown key is skipped.
//
// b comes from the framer, which has checked its whole grammar byte by
// byte as it arrived (FuzzDecodeMessage frames first, and fails on any
// invalid JSON that decodes), so b is not validated again here: that was
// a second pass over every message, 8 % of the dashboard's CPU at 500 VMs.
// Every index is still checked, so bytes from anywhere else fail cleanly.
func splitObject(b []byte, w *wireMessage) error {
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return errNotObject
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return errInvalidJSON
		}
		kEnd := stringEnd(b, i)
		if kEnd >= len(b) {
			return errInvalidJSON
		}
		key := b[i+1 : kEnd-1]
		i = skipWS(b, kEnd)
		if i >= len(b) || b[i] != ':' {
			return errInvalidJSON
		}
		i = skipWS(b, i+1)
		if i >= len(b) {
			return errInvalidJSON
		}
		vEnd := valueEnd(b, i)
		if vEnd <= i || vEnd >= len(b) {
			return errInvalidJSON
		}
		setMember(w, key, b[i:vEnd])
		i = skipWS(b, vEnd)
		if i >= len(b) {
			return errInvalidJSON
		}
		switch b[i] {
		case '}':
			return nil
		case ',':
			i = skipWS(b, i+1)
		default:
			return errInvalidJSON
		}
	}
}

func setMember(w *wireMessage, key, v []byte) {
	switch string(key) { // no allocation: the compiler sees a comparison
	case "return":
		w.Return = v
	case "error":
		w.Error = v
	case "event":
		w.Event = v
	case "data":
		w.Data = v
	case "timestamp":
		w.Timestamp = v
	case "id":
		w.ID = v
	case "QMP":
		w.QMP = v
	}
}

func skipWS(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// stringEnd returns the index just past the string starting at b[i] ('"').
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}

// valueEnd returns the index just past the (valid) JSON value at b[i].
func valueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = stringEnd(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	}
	j := i
	for j < len(b) && !isSpace(b[j]) && b[j] != ',' && b[j] != '}' && b[j] != ']' {
		j++
	}
	return j
}

func clone(r json.RawMessage) json.RawMessage {
	if r == nil {
		return nil
	}
	return append(json.RawMessage(nil), r...)
}
