package model

import "strings"

// Read-only mode (--read-only, read_only = true) has one rule, this one,
// and every way a command can be sent asks it: the palette (its actions and
// raw QMP commands), `qmpdash exec --read-only`, and Fleet.Execute, which
// refuses whatever reached it past the UI.
//
// Allowed are the commands that only read:
//
//   - query-* (every one of QEMU 7.2's query commands reads state only)
//   - qom-get, qom-list, qom-list-types and qom-list-properties (reading
//     the QOM tree, as the dashboard's own polls do)
//
// Everything else is refused, human-monitor-command included: an HMP line
// can do anything a QMP command can.

// readOnlyExtras are the commands besides query-* that read-only mode sends.
var readOnlyExtras = map[string]bool{
	"qom-get":             true,
	"qom-list":            true,
	"qom-list-types":      true,
	"qom-list-properties": true,
}

// ReadOnlyAllows says whether read-only mode may send command (see above).
func ReadOnlyAllows(command string) bool {
	return (strings.HasPrefix(command, "query-") && len(command) > len("query-")) || readOnlyExtras[command]
}

// ReadOnlyRule says in words what ReadOnlyAllows lets through, for messages
// (in QEMU 7.2 the commands that start with qom-list are the three above).
const ReadOnlyRule = "query-*, qom-get and qom-list*"

// The guest agent has its own commands, and the same rule covers them
// (Fleet.ExecuteAgent and the palette's guest actions ask it): read-only
// mode sends only those that read, guest-ping, guest-info, guest-sync*,
// guest-get-* and guest-network-get-interfaces. guest-shutdown, the
// suspends, guest-exec, guest-file-*, guest-set-* and the rest are
// refused.

// AgentReadOnlyAllows says whether read-only mode may send command to a
// guest agent.
func AgentReadOnlyAllows(command string) bool {
	switch command {
	case "guest-ping", "guest-info", "guest-sync", "guest-sync-delimited", "guest-network-get-interfaces":
		return true
	}
	return strings.HasPrefix(command, "guest-get-") && len(command) > len("guest-get-")
}

// AgentReadOnlyRule says in words what AgentReadOnlyAllows lets through.
const AgentReadOnlyRule = "guest-ping, guest-info, guest-get-* and guest-network-get-interfaces"
