// Package qmp is a client for the QEMU Machine Protocol: one Client is one
// negotiated connection to one monitor. It owns the wire and everything
// about it: reading framed JSON messages from the greeting on through one
// reader (framer.go, reader.go), the connection's life (client.go),
// capability negotiation (handshake.go), commands with generated ids and
// QEMU's in-flight limit (command.go, slots.go), commands without ids when
// no other reply is owed (bare.go), event subscriptions with
// bounded, drop-oldest buffers (subscriptions.go), typed queries and
// control commands (queries.go, control.go), the command schema
// (schema.go), and the error family that tells a connect failure from a
// protocol error, a timeout and QEMU's own error class (errors.go).
// The QEMU Guest Agent speaks the same framing with the same errors, so
// its client lives here too: Agent (agent.go), its resynchronisation
// (agent_sync.go) and typed calls (agent_calls.go).
//
// It must never import anything of qmpdash (no model, no ui, no internal
// package) nor any UI library: it is a plain QMP client that other programs
// could use as it is. What a dashboard makes of the replies (rates,
// history, fleet state) belongs to package model.
package qmp
