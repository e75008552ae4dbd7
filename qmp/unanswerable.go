package qmp

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// Requests QEMU answers without their id. QEMU's JSON parser rejects some
// requests that encoding/json accepts (a key repeated in an object, a lone
// surrogate escape) and its lexer others (invalid UTF-8, raw control
// bytes, nesting past 1024). Its error then carries no id, because it never
// read the request's: a command sent with one would wait out its timeout
// and its slot would stay owed for good, which stops the VM's polls until
// it reconnects. Such requests are refused here, before anything is sent.

// unanswerable says why QEMU would answer command with args without its
// id, or "" when it answers with it. args has passed isJSONObject.
func unanswerable(command string, args []byte) string {
	for i := 0; i < len(command); i++ {
		if command[i] < 0x20 || command[i] > 0x7e {
			return "the command name " + strconv.Quote(command) + " is not printable ASCII"
		}
	}
	if !utf8.Valid(args) {
		return "its arguments are not valid UTF-8"
	}
	depth, inString := 0, false
	for i := 0; i < len(args); i++ {
		ch := args[i]
		switch {
		case inString && ch == '\\':
			n, lone := escapeLen(args, i)
			if lone {
				return "its arguments hold a lone UTF-16 surrogate escape"
			}
			i += n - 1
		case inString && ch == '"':
			inString = false
		case inString:
		case ch == '"':
			inString = true
		case ch == '{' || ch == '[':
			if depth++; depth > bareMaxDepth {
				return "its arguments nest deeper than QEMU reads"
			}
		case ch == '}' || ch == ']':
			depth--
		}
	}
	if k, ok := repeatedKey(args); ok {
		return "its arguments repeat the key " + strconv.Quote(k)
	}
	return ""
}

// escapeLen is the length of the escape at args[i] (a backslash in a
// string), and whether it is half of a UTF-16 surrogate pair without its
// other half: a high half not followed by a low one, or a low half alone.
func escapeLen(args []byte, i int) (n int, lone bool) {
	u, ok := hex4(args, i+2)
	if i+1 >= len(args) || args[i+1] != 'u' || !ok {
		return 2, false
	}
	switch {
	case u < 0xD800 || u > 0xDFFF:
		return 6, false
	case u >= 0xDC00:
		return 6, true
	}
	if i+7 < len(args) && args[i+6] == '\\' && args[i+7] == 'u' {
		if lo, ok := hex4(args, i+8); ok && lo >= 0xDC00 && lo <= 0xDFFF {
			return 12, false
		}
	}
	return 6, true
}

func hex4(b []byte, at int) (rune, bool) {
	if at+4 > len(b) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b[at:at+4]), 16, 32)
	return rune(n), err == nil
}

// repeatedKey reports the first key an object in doc (valid JSON) holds
// twice, at any depth.
func repeatedKey(doc []byte) (string, bool) {
	if !bytes.Contains(doc, []byte{':'}) {
		return "", false
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	// One frame per open object or array; an object's frame holds its keys.
	type frame struct {
		keys     map[string]bool
		isObject bool
		wantKey  bool
	}
	var stack []frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false // the end, or JSON the caller's check refused already
		}
		top := len(stack) - 1
		if d, ok := tok.(json.Delim); ok {
			if top >= 0 && stack[top].isObject {
				stack[top].wantKey = true // a nested value ends the pair
			}
			switch d {
			case '{':
				stack = append(stack, frame{keys: map[string]bool{}, isObject: true, wantKey: true})
			case '[':
				stack = append(stack, frame{})
			default:
				stack = stack[:top]
			}
			continue
		}
		if top < 0 || !stack[top].isObject {
			continue
		}
		if stack[top].wantKey {
			k, _ := tok.(string)
			if stack[top].keys[k] {
				return k, true
			}
			stack[top].keys[k] = true
			stack[top].wantKey = false
			continue
		}
		stack[top].wantKey = true // a plain value ends the pair
	}
}
