package qmp

import (
	"bytes"
	"encoding/json"
)

// QEMU refuses a request whose JSON repeats a key in an object, and its
// error carries no id, because it never read the request's id: a command
// sent with one would wait out its timeout, and its slot would stay owed
// for good. Such arguments are refused here, before anything is sent.

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
