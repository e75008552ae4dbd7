package sim

import (
	"bufio"
	"io"
)

// Limits on what a peer can make the server buffer. QEMU's own streamer
// allows far more (64 MiB tokens); a simulator has no use for that.
const (
	maxMessageBytes = 1 << 20
	maxNesting      = 1024
)

// framer splits the client's byte stream into top-level JSON texts the way
// QEMU's JSON streamer does: by tracking brackets and strings, not lines, so
// pretty-printed or back-to-back messages work, and garbage only costs one
// in-band error instead of the connection.
type framer struct {
	r        *bufio.Reader
	buf      []byte
	depth    int
	inStr    bool
	esc      bool
	skipLine bool // after an over-limit message: discard up to the next newline to resynchronise
}

func newFramer(r io.Reader) *framer {
	return &framer{r: bufio.NewReaderSize(r, 64<<10)}
}

// next returns one complete JSON text (msg), or the description of an input
// problem to report in-band (bad), or the read error that ends the session.
func (f *framer) next() (msg []byte, bad string, err error) {
	for {
		c, err := f.r.ReadByte()
		if err != nil {
			return nil, "", err
		}
		if f.skipLine {
			if c == '\n' {
				f.skipLine = false
			}
			continue
		}
		if f.inStr {
			f.buf = append(f.buf, c)
			switch {
			case f.esc:
				f.esc = false
			case c == '\\':
				f.esc = true
			case c == '"':
				f.inStr = false
				if f.depth == 0 {
					return f.take(), "", nil
				}
			}
		} else {
			switch c {
			case ' ', '\t', '\r', '\n':
				if f.depth == 0 {
					if len(f.buf) > 0 { // a bare scalar such as 42 or hello ends here
						return f.take(), "", nil
					}
					continue // whitespace between messages
				}
				f.buf = append(f.buf, c)
			case '{', '[', '"':
				if f.depth == 0 && len(f.buf) > 0 {
					// A bare scalar runs straight into the next value.
					_ = f.r.UnreadByte()
					return f.take(), "", nil
				}
				f.buf = append(f.buf, c)
				if c == '"' {
					f.inStr = true
					break
				}
				f.depth++
				if f.depth > maxNesting {
					f.overflow()
					return nil, "JSON nesting depth limit exceeded", nil
				}
			case '}', ']':
				f.buf = append(f.buf, c)
				f.depth--
				if f.depth <= 0 { // <0: a stray closer, which the parser will reject
					return f.take(), "", nil
				}
			default:
				f.buf = append(f.buf, c)
			}
		}
		if len(f.buf) > maxMessageBytes {
			f.overflow()
			return nil, "JSON token size limit exceeded", nil
		}
	}
}

func (f *framer) take() []byte {
	msg := f.buf
	f.buf = nil
	f.depth, f.inStr, f.esc = 0, false, false
	return msg
}

func (f *framer) overflow() {
	f.take()
	f.skipLine = true
}
