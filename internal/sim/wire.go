package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"
)

// The server side's own wire types. Field order in every struct follows the
// order QEMU 7.2 printed the keys in the recorded session, so a byte-level diff
// against real QEMU output stays small (JSON readers must not care, but humans
// reading logs do).

// QEMU error classes the simulator produces.
const (
	classGeneric         = "GenericError"
	classCommandNotFound = "CommandNotFound"
	classDeviceNotFound  = "DeviceNotFound"
	classDeviceNotActive = "DeviceNotActive"
)

// qmpError is the "error" member of a failed reply.
type qmpError struct {
	Class string `json:"class"`
	Desc  string `json:"desc"`
}

func errorf(class, format string, a ...any) *qmpError {
	return &qmpError{Class: class, Desc: fmt.Sprintf(format, a...)}
}

func genericf(format string, a ...any) *qmpError {
	return errorf(classGeneric, format, a...)
}

// empty marshals as {} — the "return" of commands that return nothing.
type empty struct{}

// returnMsg and errorMsg are the two reply forms. QEMU's hash order put "id"
// after "return" but before "error"; the recorded session shows both.
type returnMsg struct {
	Return any             `json:"return"`
	ID     json.RawMessage `json:"id,omitempty"`
}

type errorMsg struct {
	ID    json.RawMessage `json:"id,omitempty"`
	Error *qmpError       `json:"error"`
}

type timestamp struct {
	Seconds      int64 `json:"seconds"`
	Microseconds int64 `json:"microseconds"`
}

// eventMsg is an asynchronous event. Data is nil for events without data,
// which QEMU omits entirely (STOP, RESUME, POWERDOWN).
type eventMsg struct {
	Timestamp timestamp `json:"timestamp"`
	Event     string    `json:"event"`
	Data      any       `json:"data,omitempty"`
}

type versionTriple struct {
	Micro int `json:"micro"`
	Minor int `json:"minor"`
	Major int `json:"major"`
}

type versionInfo struct {
	Qemu    versionTriple `json:"qemu"`
	Package string        `json:"package"`
}

var qemuVersion = versionTriple{Micro: 22, Minor: 2, Major: 7}

type greetingBody struct {
	Version      versionInfo `json:"version"`
	Capabilities []string    `json:"capabilities"`
}

type greetingMsg struct {
	QMP greetingBody `json:"QMP"`
}

func newTimestamp(t time.Time) timestamp {
	return timestamp{Seconds: t.Unix(), Microseconds: int64(t.Nanosecond() / 1000)}
}

// encodeLine marshals v the way QEMU writes a QMP message: ", " and ": "
// separators, non-ASCII escaped as \uXXXX, terminated by "\r\n".
func encodeLine(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only our own types are encoded here; failing means a bug, and the
		// client still deserves a well-formed reply rather than silence.
		buf.Reset()
		buf.WriteString(`{"error":{"class":"GenericError","desc":"internal encoding error"}}`)
	}
	return qemuStyle(bytes.TrimRight(buf.Bytes(), "\n"))
}

// qemuStyle re-spaces compact JSON into QEMU's layout and appends "\r\n".
func qemuStyle(compact []byte) []byte {
	out := make([]byte, 0, len(compact)+len(compact)/8+2)
	inStr, esc := false, false
	for i := 0; i < len(compact); {
		c := compact[i]
		if inStr {
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			case c >= utf8.RuneSelf:
				r, n := utf8.DecodeRune(compact[i:])
				out = appendUnicodeEscape(out, r)
				i += n
				continue
			}
			out = append(out, c)
			i++
			continue
		}
		out = append(out, c)
		switch c {
		case '"':
			inStr = true
		case ':', ',':
			out = append(out, ' ')
		}
		i++
	}
	return append(out, '\r', '\n')
}

func appendUnicodeEscape(out []byte, r rune) []byte {
	if r > 0xFFFF {
		r -= 0x10000
		out = fmt.Appendf(out, `\u%04X\u%04X`, 0xD800+(r>>10), 0xDC00+(r&0x3FF))
		return out
	}
	return fmt.Appendf(out, `\u%04X`, r)
}
