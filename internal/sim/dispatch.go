package sim

import (
	"encoding/json"
	"strings"
)

// args are a command's validated arguments. The getters tolerate bad or
// missing values (zero, false) so a handler can never panic on input, even
// for a command the schema does not describe.
type args map[string]json.RawMessage

func (a args) str(name string) (string, bool) {
	raw, ok := a[name]
	if !ok {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

func (a args) int(name string) (int64, bool) {
	raw, ok := a[name]
	if !ok {
		return 0, false
	}
	var n int64
	if json.Unmarshal(raw, &n) != nil {
		return 0, false
	}
	return n, true
}

func (a args) boolean(name string) bool {
	var b bool
	_ = json.Unmarshal(a[name], &b)
	return b
}

// handle processes one framed message from the active client: catch up on
// time-driven events, run the command, queue its reply after any events it
// caused, then events QEMU sends after replies. It reports whether the
// client should keep being read.
func (v *VM) handle(c *conn, msg []byte, bad string) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.quit || v.active != c {
		return false
	}
	v.advance()
	id, ret, qerr := v.dispatch(c, msg, bad)
	if qerr != nil {
		c.send(encodeLine(errorMsg{ID: id, Error: qerr}))
	} else {
		c.send(encodeLine(returnMsg{Return: ret, ID: id}))
	}
	v.flushLater()
	v.guestStep()
	if v.quitting {
		// QEMU exits after answering quit: the reply is flushed, then the
		// socket closes and nothing is served any more.
		v.quit = true
		c.closeAfterFlush()
		v.shutdownLocked(c)
		return false
	}
	return true
}

// dispatch mirrors QEMU 7.2's qmp_dispatch: the request envelope is checked
// first (with the id already known, so even those errors echo it), then
// the command is looked up in the current mode's command set.
func (v *VM) dispatch(c *conn, msg []byte, bad string) (json.RawMessage, any, *qmpError) {
	if bad != "" {
		return nil, nil, genericf("%s", bad)
	}
	if !json.Valid(msg) {
		return nil, nil, genericf("JSON parse error, %s", parseErrorText(msg))
	}
	keys, members, isObject := decodeObject(msg)
	if !isObject {
		return nil, nil, genericf("QMP input must be a JSON object")
	}
	id := members["id"]
	execKey := ""
	for _, k := range keys {
		val := members[k]
		switch {
		case k == "execute" || (k == "exec-oob" && c.oob):
			if jsonKind(val) != '"' {
				return id, nil, genericf("QMP input member '%s' must be a string", k)
			}
			if execKey != "" {
				return id, nil, genericf("QMP input member '%s' clashes with '%s'", k, execKey)
			}
			execKey = k
		case k == "arguments":
			if jsonKind(val) != '{' {
				return id, nil, genericf("QMP input member 'arguments' must be an object")
			}
		case k == "id":
		default:
			return id, nil, genericf("QMP input member '%s' is unexpected", k)
		}
	}
	if execKey == "" {
		return id, nil, genericf("QMP input lacks member 'execute'")
	}
	var name string
	_ = json.Unmarshal(members[execKey], &name)
	ret, qerr := v.run(c, name, execKey == "exec-oob", members["arguments"])
	if qerr != nil && !c.negotiated && qerr.Class == classCommandNotFound {
		qerr.Desc = "Expecting capabilities negotiation with 'qmp_capabilities'"
	}
	return id, ret, qerr
}

func (v *VM) run(c *conn, name string, oob bool, rawArgs json.RawMessage) (any, *qmpError) {
	h, ok := handlers[name]
	// Before negotiation the only command that exists is qmp_capabilities.
	if !ok || (!c.negotiated && name != "qmp_capabilities") {
		return nil, errorf(classCommandNotFound, "The command %s has not been found", name)
	}
	schema := loadSchema()
	if oob && !schema.allowsOOB(name) {
		return nil, genericf("The command %s does not support OOB", name)
	}
	if rawArgs == nil {
		rawArgs = json.RawMessage("{}")
	}
	if qerr := schema.checkArgs(name, rawArgs); qerr != nil {
		return nil, qerr
	}
	_, members, _ := decodeObject(rawArgs)
	return h(v, c, args(members))
}

// parseErrorText phrases a JSON syntax error roughly as QEMU's parser does.
func parseErrorText(msg []byte) string {
	word := strings.TrimSpace(string(msg))
	if word != "" && strings.Trim(word, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_") == "" {
		return "invalid keyword '" + word + "'"
	}
	var v any
	if err := json.Unmarshal(msg, &v); err != nil {
		return strings.TrimPrefix(err.Error(), "json: ")
	}
	return "expecting value"
}
