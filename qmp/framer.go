package qmp

import (
	"errors"
	"io"
)

// framer cuts a QMP byte stream into JSON objects. QEMU normally writes one
// object per line ending in "\r\n", but with `-mon pretty=on` an object spans
// many lines, and nothing forbids several objects on one line. So instead of
// splitting on newlines the framer scans the JSON grammar as the bytes
// arrive and hands out each complete top-level object, whatever the
// whitespace around it. Like QEMU's own JSON streamer it rejects a byte that
// no valid JSON could continue with as soon as that byte arrives, so a
// garbled peer is a protocol error at once, not a command timeout later.
//
// Every byte of the stream passes through this one reader, from the greeting
// on. Memory is bounded: a message longer than max fails with errTooLarge
// before more than max bytes of it are held; nesting deeper than maxNesting
// fails too.
type framer struct {
	r   io.Reader
	max int

	buf        []byte
	start, end int // unread bytes are buf[start:end]

	// Scan state of the object being assembled in buf[start:...].
	scanned int // bytes of buf[start:end] already scanned
	st      scanState
	stack   []byte // open containers, '{' or '['; empty between objects
	lit     string // the rest of a literal being matched (true, false, null)
	hex     int    // hex digits still owed by a \u escape
	key     bool   // the string being scanned is an object key
}

// scanState is where the scanner stands in the JSON grammar.
type scanState uint8

const (
	stTop        scanState = iota // between objects: whitespace or '{'
	stKeyOrEnd                    // after '{': a key or '}'
	stKey                         // after ',' in an object: a key
	stColon                       // after a key: ':'
	stValue                       // after ':' or ',' in an array: a value
	stValueOrEnd                  // after '[': a value or ']'
	stAfterValue                  // after a value: ',' or the closing bracket
	stString                      // inside a string
	stEscape                      // after a backslash in a string
	stLiteral                     // inside true, false or null
	stMinus                       // number: after '-'
	stZero                        // number: a leading 0
	stInt                         // number: integer digits
	stDot                         // number: after '.'
	stFrac                        // number: fraction digits
	stE                           // number: after 'e' or 'E'
	stESign                       // number: after the exponent's sign
	stExp                         // number: exponent digits
)

// maxNesting bounds open containers, as QEMU's JSON parser does.
const maxNesting = 1024

var (
	errTooLarge = errors.New("message exceeds the size limit")
	errNotJSON  = errors.New("not a JSON object")
)

// framerMinBuf is where a connection's buffer starts: most replies and
// events fit, and it doubles for the few that do not (a schema). At 500
// VMs a 64 KiB start was half the dashboard's heap.
const framerMinBuf = 4096

func newFramer(r io.Reader, max int) *framer {
	n := framerMinBuf
	if n > max+1 {
		n = max + 1
	}
	return &framer{r: r, max: max, buf: make([]byte, n)}
}

// next returns the next complete top-level JSON object. The slice is valid
// until the following call. Bytes outside objects that are not whitespace
// make it return errNotJSON with the offending line; the stream is then out
// of step and the caller must treat the connection as broken.
func (f *framer) next() ([]byte, error) {
	for {
		if msg, err, ok := f.scan(); ok {
			return msg, err
		}
		if err := f.fill(); err != nil {
			if errors.Is(err, io.EOF) && f.end-f.start > 0 && f.scanned > 0 {
				return nil, io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
}

// scan advances over buffered bytes. ok is true when it produced a message
// or an error.
func (f *framer) scan() (msg []byte, err error, ok bool) {
	b := f.buf[:f.end]
	i := f.start + f.scanned
	for i < len(b) {
		c := b[i]
		switch f.st {
		case stTop:
			// Between objects: skip whitespace; anything else must open one.
			if isSpace(c) {
				i++
				f.start = i
				continue
			}
			if c != '{' {
				return f.garbage(), errNotJSON, true
			}
			f.stack = append(f.stack[:0], '{')
			f.st = stKeyOrEnd
		case stString:
			// The fast path: most bytes of QMP are string contents.
			for i < len(b) && !stringStop[b[i]] {
				i++
			}
			if i == len(b) {
				continue
			}
			switch b[i] {
			case '"':
				if f.key {
					f.st = stColon
				} else {
					f.st = stAfterValue
				}
			case '\\':
				f.st = stEscape
			default: // a raw control character, which JSON forbids
				return f.garbage(), errNotJSON, true
			}
		case stEscape:
			switch {
			case f.hex > 0:
				if !isHex(c) {
					return f.garbage(), errNotJSON, true
				}
				if f.hex--; f.hex == 0 {
					f.st = stString
				}
			case c == 'u':
				f.hex = 4
			case c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' || c == 'r' || c == 't':
				f.st = stString
			default:
				return f.garbage(), errNotJSON, true
			}
		case stLiteral:
			if n := len(f.lit); i+n <= len(b) && string(b[i:i+n]) == f.lit {
				// The whole rest of the literal is here: take it at once.
				i += n
				f.st = stAfterValue
				continue
			}
			if c != f.lit[0] {
				return f.garbage(), errNotJSON, true
			}
			if f.lit = f.lit[1:]; f.lit == "" {
				f.st = stAfterValue
			}
		case stColon:
			if isSpace(c) {
				i = spaceEnd(b, i)
				continue
			}
			switch {
			case c == ':':
				f.st = stValue
			case !isSpace(c):
				return f.garbage(), errNotJSON, true
			}
		case stKeyOrEnd, stKey:
			if isSpace(c) {
				i = spaceEnd(b, i)
				continue
			}
			switch {
			case c == '"':
				f.st, f.key = stString, true
			case c == '}' && f.st == stKeyOrEnd:
				if m, e, done := f.close(i); done {
					return m, e, true
				}
			case !isSpace(c):
				return f.garbage(), errNotJSON, true
			}
		case stValue, stValueOrEnd:
			if isSpace(c) {
				i = spaceEnd(b, i)
				continue
			}
			switch {
			case c == '"':
				f.st, f.key = stString, false
			case isSpace(c):
			case c == ']' && f.st == stValueOrEnd:
				if m, e, done := f.close(i); done {
					return m, e, true
				}
			case !f.value(c):
				return f.garbage(), errNotJSON, true
			}
		case stAfterValue:
			if isSpace(c) {
				i = spaceEnd(b, i)
				continue
			}
			top := f.stack[len(f.stack)-1]
			switch {
			case c == ',':
				f.st = stKey
				if top == '[' {
					f.st = stValue
				}
			case c == '}' && top == '{', c == ']' && top == '[':
				if m, e, done := f.close(i); done {
					return m, e, true
				}
			case !isSpace(c):
				return f.garbage(), errNotJSON, true
			}
		case stInt, stFrac, stExp:
			// Digits are most of a number: take them in one run.
			for i < len(b) && b[i] >= '0' && b[i] <= '9' {
				i++
			}
			if i == len(b) {
				continue
			}
			fallthrough
		default: // the other number states
			next, done, good := numberStep(f.st, b[i])
			if !good {
				return f.garbage(), errNotJSON, true
			}
			if done {
				// The byte ends the number: judge it as what follows a value.
				f.st = stAfterValue
				continue
			}
			f.st = next
		}
		i++
	}
	f.scanned = i - f.start
	if f.scanned >= f.max {
		return clip(b[f.start:f.end], 256), errTooLarge, true
	}
	return nil, nil, false
}

// value starts a value with byte c; false if no value starts so.
func (f *framer) value(c byte) bool {
	switch {
	case c == '"':
		f.st, f.key = stString, false
	case c == '{' || c == '[':
		if len(f.stack) >= maxNesting {
			return false
		}
		f.stack = append(f.stack, c)
		f.st = stKeyOrEnd
		if c == '[' {
			f.st = stValueOrEnd
		}
	case c == 't':
		f.st, f.lit = stLiteral, "rue"
	case c == 'f':
		f.st, f.lit = stLiteral, "alse"
	case c == 'n':
		f.st, f.lit = stLiteral, "ull"
	case c == '-':
		f.st = stMinus
	case c == '0':
		f.st = stZero
	case c >= '1' && c <= '9':
		f.st = stInt
	default:
		return false
	}
	return true
}

// close pops the container closed by the byte at buf[i]; done when that
// closed the top-level object, which it hands out as a message.
func (f *framer) close(i int) (msg []byte, err error, done bool) {
	f.stack = f.stack[:len(f.stack)-1]
	if len(f.stack) > 0 {
		f.st = stAfterValue
		return nil, nil, false
	}
	f.st = stTop
	if i+1-f.start > f.max {
		return clip(f.buf[f.start:i+1], 256), errTooLarge, true
	}
	msg = f.buf[f.start : i+1]
	f.start = i + 1
	f.scanned = 0
	return msg, nil, true
}

// numberRule is one state of the JSON number grammar: where each class
// of byte leads (stTop: nowhere, the byte is not part of the number) and
// whether the number may end there.
type numberRule struct {
	zero, digit, dot, exp, sign scanState
	canEnd                      bool
}

// numberRules: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
var numberRules = [...]numberRule{
	stMinus: {zero: stZero, digit: stInt},
	stZero:  {dot: stDot, exp: stE, canEnd: true},
	stInt:   {zero: stInt, digit: stInt, dot: stDot, exp: stE, canEnd: true},
	stDot:   {zero: stFrac, digit: stFrac},
	stFrac:  {zero: stFrac, digit: stFrac, exp: stE, canEnd: true},
	stE:     {zero: stExp, digit: stExp, sign: stESign},
	stESign: {zero: stExp, digit: stExp},
	stExp:   {zero: stExp, digit: stExp, canEnd: true},
}

// numberStep advances a number by byte c: the next state; done when c is
// not part of the number (which then ended validly); good false when the
// number cannot go on with c nor end before it.
func numberStep(st scanState, c byte) (next scanState, done, good bool) {
	r := numberRules[st]
	switch {
	case c == '0':
		next = r.zero
	case c >= '1' && c <= '9':
		next = r.digit
	case c == '.':
		next = r.dot
	case c == 'e' || c == 'E':
		next = r.exp
	case c == '+' || c == '-':
		next = r.sign
	}
	if next != stTop {
		return next, false, true
	}
	return st, true, r.canEnd
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// garbage returns the rest of the current line for the error report.
func (f *framer) garbage() []byte {
	b := f.buf[f.start:f.end]
	for i, c := range b {
		if c == '\n' {
			b = b[:i]
			break
		}
	}
	return clip(b, 256)
}

// fill reads more bytes, compacting or growing the buffer as needed but
// never beyond max+1 bytes for one message.
func (f *framer) fill() error {
	if f.start > 0 && (f.end == len(f.buf) || f.start > len(f.buf)/2) {
		n := copy(f.buf, f.buf[f.start:f.end])
		f.start, f.end = 0, n
	}
	if f.end == len(f.buf) {
		limit := f.max + 1
		if len(f.buf) >= limit {
			// Cannot happen: scan reports errTooLarge before the buffer
			// fills with one message. Guard anyway.
			return errTooLarge
		}
		size := 2 * len(f.buf)
		if size > limit {
			size = limit
		}
		nb := make([]byte, size)
		copy(nb, f.buf[:f.end])
		f.buf = nb
	}
	n, err := f.r.Read(f.buf[f.end:])
	f.end += n
	if n > 0 {
		return nil
	}
	if err == nil {
		return nil
	}
	return err
}

func isSpace(c byte) bool { return spaceTable[c] }

// spaceEnd is the index of the first byte at or after i in b that is not
// whitespace (much of a pretty=on stream is indentation).
func spaceEnd(b []byte, i int) int {
	for i < len(b) && spaceTable[b[i]] {
		i++
	}
	return i
}

// Lookup tables for the two loops most bytes go through: one load per
// byte instead of a chain of compares.
var (
	spaceTable = [256]bool{' ': true, '\t': true, '\r': true, '\n': true}
	// stringStop are the bytes a string's contents stop at: its end, an
	// escape, or a raw control character (which JSON forbids).
	stringStop = func() (t [256]bool) {
		for c := 0; c < 0x20; c++ {
			t[c] = true
		}
		t['"'], t['\\'] = true, true
		return t
	}()
)
