package qmp

import (
	"errors"
	"fmt"
)

// The error family. Every error this package returns satisfies Error, so a
// caller can tell "something went wrong talking to QEMU" from its own bugs
// with one errors.As. Below that sit five kinds, mirroring QEMU's own Python
// client (python/qemu/qmp/error.py and qmp_client.py):
//
//	ConnectError       the socket can't be reached, the peer went away, or
//	                   no greeting arrived; wraps the root cause
//	TimeoutError       a wait ran past its deadline; the connection lives on
//	ProtocolError      garbled or unexpected traffic
//	CapabilitiesError  a bad greeting or qmp_capabilities exchange; it is a
//	                   ProtocolError too (errors.As finds both)
//	ResponseError      QEMU answered with an in-band error: class and desc

// Kind names the members of the family; the strings are what the CLI prints
// and what the dashboard colours by.
type Kind string

const (
	KindConnect      Kind = "connect"
	KindTimeout      Kind = "timeout"
	KindProtocol     Kind = "protocol"
	KindCapabilities Kind = "capabilities"
	KindResponse     Kind = "response"
)

// Error is the base every error of this package belongs to.
type Error interface {
	error
	// Kind tells which member of the family this is.
	Kind() Kind
	// Socket is the monitor the error happened on, as the user named it.
	Socket() string
}

// ErrDisconnected is the cause inside a ConnectError when the connection
// closed (peer hung up, or Close was called) while a caller waited.
var ErrDisconnected = errors.New("connection closed")

// ErrNoGreeting is the cause inside a ConnectError when the peer accepted the
// connection but never greeted. QEMU does this to a second client while
// another one holds the monitor.
var ErrNoGreeting = errors.New("did not receive QMP greeting")

// ConnectError: the monitor can't be reached or is gone.
type ConnectError struct {
	Sock string
	Msg  string // what we were doing, e.g. "connect", "read", "command query-status cut off"
	Err  error  // root cause
}

func (e *ConnectError) Error() string {
	return fmt.Sprintf("qmp %s: %s: %v", e.Sock, e.Msg, e.Err)
}
func (e *ConnectError) Unwrap() error  { return e.Err }
func (e *ConnectError) Kind() Kind     { return KindConnect }
func (e *ConnectError) Socket() string { return e.Sock }

// TimeoutError: a wait ran past its deadline or was cancelled.
type TimeoutError struct {
	Sock string
	Op   string // e.g. "command query-status", "event STOP"
	Err  error  // context.DeadlineExceeded or context.Canceled
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("qmp %s: %s: no answer in time (%v)", e.Sock, e.Op, e.Err)
}
func (e *TimeoutError) Unwrap() error  { return e.Err }
func (e *TimeoutError) Kind() Kind     { return KindTimeout }
func (e *TimeoutError) Socket() string { return e.Sock }

// ProtocolError: the peer sent something a QMP server must not.
type ProtocolError struct {
	Sock string
	Msg  string
	// Raw is the start of the offending message, for logs (bounded).
	Raw []byte
	Err error
}

func (e *ProtocolError) Error() string {
	s := fmt.Sprintf("qmp %s: protocol error: %s", e.Sock, e.Msg)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}
func (e *ProtocolError) Unwrap() error  { return e.Err }
func (e *ProtocolError) Kind() Kind     { return KindProtocol }
func (e *ProtocolError) Socket() string { return e.Sock }

// CapabilitiesError: the greeting or negotiation went wrong. It unwraps to
// its ProtocolError, so errors.As(err, &*ProtocolError) succeeds on it.
type CapabilitiesError struct {
	Protocol *ProtocolError
}

func (e *CapabilitiesError) Error() string {
	return fmt.Sprintf("qmp %s: capabilities negotiation failed: %s", e.Protocol.Sock, e.Protocol.Msg) +
		causeSuffix(e.Protocol.Err)
}
func (e *CapabilitiesError) Unwrap() error  { return e.Protocol }
func (e *CapabilitiesError) Kind() Kind     { return KindCapabilities }
func (e *CapabilitiesError) Socket() string { return e.Protocol.Sock }

// ResponseError: QEMU rejected a command in-band. Class is kept verbatim, so
// classes newer QEMUs add pass through untouched.
type ResponseError struct {
	Sock    string
	Command string
	Class   string // GenericError, CommandNotFound, DeviceNotActive, DeviceNotFound, KVMMissingCap, ...
	Desc    string
}

func (e *ResponseError) Error() string {
	return fmt.Sprintf("qmp %s: %s failed: %s: %s", e.Sock, e.Command, e.Class, e.Desc)
}
func (e *ResponseError) Kind() Kind     { return KindResponse }
func (e *ResponseError) Socket() string { return e.Sock }

// The classes QEMU 7.2 defines (qapi/error.json).
const (
	ClassGenericError    = "GenericError"
	ClassCommandNotFound = "CommandNotFound"
	ClassDeviceNotActive = "DeviceNotActive"
	ClassDeviceNotFound  = "DeviceNotFound"
	ClassKVMMissingCap   = "KVMMissingCap"
)

// Classify tells any error's kind and, for a ResponseError, QEMU's class.
// ok is false for errors outside the family (including nil).
func Classify(err error) (kind Kind, class string, ok bool) {
	var re *ResponseError
	if errors.As(err, &re) {
		return KindResponse, re.Class, true
	}
	var qe Error
	if errors.As(err, &qe) {
		return qe.Kind(), "", true
	}
	return "", "", false
}

// IsClass reports whether err is a ResponseError of the given QEMU class.
func IsClass(err error, class string) bool {
	var re *ResponseError
	return errors.As(err, &re) && re.Class == class
}

func causeSuffix(err error) string {
	if err == nil {
		return ""
	}
	return ": " + err.Error()
}

func protocolErr(sock, msg string, raw []byte, err error) *ProtocolError {
	return &ProtocolError{Sock: sock, Msg: msg, Raw: clip(raw, 256), Err: err}
}

func clip(b []byte, n int) []byte {
	if len(b) > n {
		b = b[:n]
	}
	return append([]byte(nil), b...)
}
