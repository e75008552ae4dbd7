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
	id      uint64 // our id, when ours is true
	hasID   bool   // the message carried an id at all
	ours    bool   // ... and it has the form of ours (an unsigned integer)
	ret     json.RawMessage
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

// decodeMessage turns one framed object into a message. It never panics on
// any input; every failure is one of the errors above or a JSON error.
func decodeMessage(b []byte) (message, error) {
	var w wireMessage
	if err := json.Unmarshal(b, &w); err != nil {
		return message{}, err
	}
	var m message
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
		data := w.Data
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
		m.ret = w.Return
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
