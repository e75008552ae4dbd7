package qmp

import (
	"errors"
	"io"
)

// framer cuts a QMP byte stream into JSON objects. QEMU normally writes one
// object per line ending in "\r\n", but with `-mon pretty=on` an object spans
// many lines, and nothing forbids several objects on one line. So instead of
// splitting on newlines the framer tracks brace depth (outside strings) and
// hands out each complete top-level object, whatever the whitespace around it.
//
// Every byte of the stream passes through this one reader, from the greeting
// on. Memory is bounded: a message longer than max fails with errTooLarge
// before more than max bytes of it are held.
type framer struct {
	r   io.Reader
	max int

	buf        []byte
	start, end int // unread bytes are buf[start:end]

	// Scan state of the object being assembled in buf[start:...].
	scanned int // bytes of buf[start:end] already scanned
	depth   int
	inStr   bool
	escaped bool
}

var (
	errTooLarge = errors.New("message exceeds the size limit")
	errNotJSON  = errors.New("not a JSON object")
)

const framerMinBuf = 4096

func newFramer(r io.Reader, max int) *framer {
	n := framerMinBuf * 16
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
	if f.depth == 0 && !f.inStr {
		// Between objects: skip whitespace; anything else must open one.
		for i < f.end && isSpace(b[i]) {
			i++
		}
		f.start = i
		f.scanned = 0
		if i == f.end {
			return nil, nil, false
		}
		if b[i] != '{' {
			return f.garbage(), errNotJSON, true
		}
	}
	for ; i < f.end; i++ {
		c := b[i]
		if f.inStr {
			switch {
			case f.escaped:
				f.escaped = false
			case c == '\\':
				f.escaped = true
			case c == '"':
				f.inStr = false
			}
			continue
		}
		switch c {
		case '"':
			f.inStr = true
		case '{', '[':
			f.depth++
		case '}', ']':
			f.depth--
			if f.depth == 0 && c != '}' {
				// "{...]": brackets out of step; json.Unmarshal would
				// reject it anyway, but say so here, at the framing.
				return f.garbage(), errNotJSON, true
			}
			if f.depth == 0 {
				if i+1-f.start > f.max {
					return clip(b[f.start:i+1], 256), errTooLarge, true
				}
				msg = b[f.start : i+1]
				f.start = i + 1
				f.scanned = 0
				return msg, nil, true
			}
			if f.depth < 0 {
				return f.garbage(), errNotJSON, true
			}
		}
	}
	f.scanned = i - f.start
	if f.scanned >= f.max {
		return clip(b[f.start:f.end], 256), errTooLarge, true
	}
	return nil, nil, false
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

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
