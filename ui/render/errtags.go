package render

import (
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/qmp"
	"github.com/qmpdash/qmpdash/themes"
)

// KindInput marks errors the UI finds itself before anything is sent
// (malformed JSON, a bad duration, read-only refusals).
const KindInput qmp.Kind = "input"

// errorLabel is the short tag shown before an error's text. Each kind, and
// each QEMU class of a response error, has its own, so errors are told apart
// without colour.
func ErrorLabel(e model.ErrorInfo) string {
	switch e.Kind {
	case qmp.KindConnect:
		return "CONNECT"
	case qmp.KindTimeout:
		return "TIMEOUT"
	case qmp.KindProtocol:
		return "PROTOCOL"
	case qmp.KindCapabilities:
		return "CAPABILITIES"
	case qmp.KindResponse:
		switch e.Class {
		case "GenericError":
			return "GENERIC"
		case "CommandNotFound":
			return "NO-COMMAND"
		case "DeviceNotFound":
			return "NO-DEVICE"
		case "DeviceNotActive":
			return "DEV-INACTIVE"
		case "KVMMissingCap":
			return "KVM-CAP"
		}
		return "RESPONSE"
	case KindInput:
		return "INPUT"
	}
	return "ERROR"
}

// errorStyle is the theme's colour for an error's kind (or QEMU class).
func ErrorStyle(st *themes.Styles, e model.ErrorInfo) themes.Ink {
	switch e.Kind {
	case qmp.KindConnect:
		return st.ErrConnect
	case qmp.KindTimeout:
		return st.ErrTimeout
	case qmp.KindProtocol:
		return st.ErrProtocol
	case qmp.KindCapabilities:
		return st.ErrCapabilities
	case qmp.KindResponse:
		switch e.Class {
		case "GenericError":
			return st.ClassGeneric
		case "CommandNotFound":
			return st.ClassCommandNotFound
		case "DeviceNotFound":
			return st.ClassDeviceNotFound
		case "DeviceNotActive":
			return st.ClassDeviceNotActive
		case "KVMMissingCap":
			return st.ClassKVM
		}
		return st.ErrResponse
	}
	return st.ErrOther
}

// renderErrorTag is "[LABEL]" in the error's style.
func ErrorTag(st *themes.Styles, e model.ErrorInfo) string {
	return ErrorStyle(st, e).Render("[" + ErrorLabel(e) + "]")
}

// LegendErrors is one error of each label, for the help overlay's legend.
var LegendErrors = []model.ErrorInfo{
	{Kind: qmp.KindConnect}, {Kind: qmp.KindTimeout}, {Kind: qmp.KindProtocol},
	{Kind: qmp.KindCapabilities},
	{Kind: qmp.KindResponse, Class: "GenericError"}, {Kind: qmp.KindResponse, Class: "CommandNotFound"},
	{Kind: qmp.KindResponse, Class: "DeviceNotFound"}, {Kind: qmp.KindResponse, Class: "DeviceNotActive"},
	{Kind: qmp.KindResponse, Class: "KVMMissingCap"}, {Kind: qmp.KindResponse},
	{Kind: model.KindOther}, {Kind: KindInput},
}
