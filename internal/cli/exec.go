package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/qmp"
)

const execUsage = `Usage: qmpdash exec [flags] TARGET COMMAND [ARGS-JSON]

Sends one QMP command to one monitor and prints QEMU's reply as indented
JSON. The text human-monitor-command returns is printed as plain text
(--json prints it as a JSON string instead). ARGS-JSON is the command's
arguments as one JSON object; it is checked before anything is sent.

Exit status: 0 on success; 1 when QEMU rejects the command (its error class
and description go to stderr) or the monitor cannot be reached, times out
or misbehaves (the error's kind is printed); 2 for bad usage.
TARGET is one monitor: a socket path, unix:PATH or tcp:HOST:PORT.
With --read-only only commands that read are sent (query-*, qom-get,
qom-list, qom-list-types, qom-list-properties); any other is a usage error
(exit 2) and nothing is sent.

Examples:
  qmpdash exec /run/qemu/web.qmp query-status
  qmpdash exec /run/qemu/web.qmp stop
  qmpdash exec unix:/run/qemu/web.qmp device_del '{"id": "nic1"}'
  qmpdash exec /run/qemu/web.qmp human-monitor-command '{"command-line": "info block"}'
  qmpdash exec --timeout 30s tcp:127.0.0.1:4444 query-qmp-schema

Flags:
`

func runExec(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := commandFlags("exec")
	asJSON := fs.Bool("json", false, "print human-monitor-command's text as a JSON string too")
	pos, err := parseFlags(fs, execUsage, args, stdout)
	if err != nil {
		return err
	}
	if len(pos) < 2 || len(pos) > 3 {
		return usagef("exec: want TARGET COMMAND [ARGS-JSON], got %d arguments", len(pos))
	}
	target, command := pos[0], pos[1]
	spec, err := model.ParseSpec(target)
	if err != nil {
		return usagef("exec: %v", err)
	}
	remoteOne := spec.Kind == model.SpecRemoteMonitor || (spec.Kind == model.SpecRemoteScan && !strings.ContainsAny(spec.Remote.Path, "*?["))
	if spec.Kind != model.SpecMonitor && !remoteOne {
		return usagef("exec: %s is a directory or glob; exec talks to one monitor (a socket path, unix:PATH or tcp:HOST:PORT)", target)
	}
	if command == "" || strings.ContainsFunc(command, func(r rune) bool { return r <= ' ' || r == '{' }) {
		return usagef("exec: %q is not a QMP command name", command)
	}
	var cmdArgs json.RawMessage
	if len(pos) == 3 {
		if cmdArgs, err = parseArgsJSON(pos[2]); err != nil {
			return usagef("exec: ARGS-JSON: %v", err)
		}
	}
	set, _, logger, closeLog, err := setup(fs, nil, stderr)
	if err != nil {
		return err
	}
	defer closeLog()
	if set.ReadOnly.Value && !model.ReadOnlyAllows(command) {
		return usagef("exec: --read-only sends only commands that read (%s), not %s; nothing was sent", model.ReadOnlyRule, command)
	}

	ctx, cancel := context.WithTimeout(ctx, set.Timeout.Value)
	defer cancel()
	pool := newRemotePool(fs, set, logger, stderr)
	defer pool.Close()
	c, err := model.DialMonitor(ctx, pool, target, qmp.WithGreetingTimeout(set.Timeout.Value), qmp.WithLogger(logger))
	if err != nil {
		return reportExecError(stderr, err)
	}
	defer c.Close()
	reply, err := c.ExecuteRaw(ctx, command, cmdArgs)
	if err != nil {
		return reportExecError(stderr, err)
	}
	return printReply(stdout, command, reply, *asJSON)
}

// parseArgsJSON accepts exactly one JSON object and returns it compacted.
func parseArgsJSON(s string) (json.RawMessage, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	var v json.RawMessage
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("not valid JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("want one JSON object, found more after it")
	}
	if v[0] != '{' {
		return nil, fmt.Errorf(`want a JSON object such as {"id": "nic1"}, got %s`, jsonKind(v))
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// jsonKind names a valid JSON value that is not an object by its first byte.
func jsonKind(v json.RawMessage) string {
	switch v[0] {
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	case '"':
		return "a string"
	case '[':
		return "an array"
	}
	return "a number"
}

// reportExecError prints why exec failed and returns failedError (exit 1).
// QEMU's in-band errors print as CLASS: desc; the rest with their kind.
func reportExecError(stderr io.Writer, err error) error {
	var re *qmp.ResponseError
	if errors.As(err, &re) {
		fmt.Fprintf(stderr, "qmpdash: exec: %s failed: %s: %s\n", safe(re.Command), safe(re.Class), safe(re.Desc))
		return failedError{}
	}
	kind, _, ok := qmp.Classify(err)
	if !ok {
		kind = "other"
	}
	fmt.Fprintf(stderr, "qmpdash: exec: [%s] %s\n", kind, safe(err.Error()))
	return failedError{}
}

// printReply prints a reply as indented JSON, or as text when it is
// human-monitor-command's string and text was not refused.
func printReply(w io.Writer, command string, reply json.RawMessage, asJSON bool) error {
	if command == "human-monitor-command" && !asJSON {
		var text string
		if err := json.Unmarshal(reply, &text); err == nil {
			text = safeText(text)
			if text != "" && !strings.HasSuffix(text, "\n") {
				text += "\n"
			}
			_, err := io.WriteString(w, text)
			return err
		}
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, reply, "", "  "); err != nil {
		return fmt.Errorf("exec: reply is not JSON: %v", err)
	}
	buf.WriteByte('\n')
	_, err := w.Write(safeJSON(buf.Bytes()))
	return err
}
