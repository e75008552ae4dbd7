package ui

import (
	"github.com/qmpdash/qmpdash/model"
	"github.com/qmpdash/qmpdash/themes"
)

// kindInput marks errors the UI finds itself before anything is sent
// (malformed JSON, a bad duration, read-only refusals).
const kindInput model.ErrorKind = "input"

// errorLabel is the short tag shown before an error's text. Each kind, and
// each QEMU class of a response error, has its own, so errors are told apart
// without colour.
func errorLabel(e model.ErrorInfo) string {
	switch e.Kind {
	case model.KindConnect:
		return "CONNECT"
	case model.KindTimeout:
		return "TIMEOUT"
	case model.KindProtocol:
		return "PROTOCOL"
	case model.KindCapabilities:
		return "CAPABILITIES"
	case model.KindResponse:
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
	case kindInput:
		return "INPUT"
	}
	return "ERROR"
}

// errorStyle is the theme's colour for an error's kind (or QEMU class).
func errorStyle(st *themes.Styles, e model.ErrorInfo) themes.Ink {
	switch e.Kind {
	case model.KindConnect:
		return st.ErrConnect
	case model.KindTimeout:
		return st.ErrTimeout
	case model.KindProtocol:
		return st.ErrProtocol
	case model.KindCapabilities:
		return st.ErrCapabilities
	case model.KindResponse:
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
func renderErrorTag(st *themes.Styles, e model.ErrorInfo) string {
	return errorStyle(st, e).Render("[" + errorLabel(e) + "]")
}

// legendErrors is one error of each label, for the help overlay's legend.
var legendErrors = []model.ErrorInfo{
	{Kind: model.KindConnect}, {Kind: model.KindTimeout}, {Kind: model.KindProtocol},
	{Kind: model.KindCapabilities},
	{Kind: model.KindResponse, Class: "GenericError"}, {Kind: model.KindResponse, Class: "CommandNotFound"},
	{Kind: model.KindResponse, Class: "DeviceNotFound"}, {Kind: model.KindResponse, Class: "DeviceNotActive"},
	{Kind: model.KindResponse, Class: "KVMMissingCap"}, {Kind: model.KindResponse},
	{Kind: model.KindOther}, {Kind: kindInput},
}
