package model

import (
	"errors"
	"strings"
	"time"

	"github.com/qmpdash/qmpdash/qmp"
)

// NewErrorInfo classifies err once, so readers never hold error values.
// Message drops the "qmp SOCKET: " prefix every qmp error starts with: the
// reader already shows which VM it is, and a long socket path would push
// QEMU's own words off a status bar. Detail keeps the whole text.
func NewErrorInfo(err error, at time.Time) ErrorInfo {
	if err == nil {
		return ErrorInfo{}
	}
	full := err.Error()
	kind, class, ok := qmp.Classify(err)
	if !ok {
		return ErrorInfo{Kind: KindOther, Message: full, Detail: full, Time: at}
	}
	msg := full
	var re *qmp.ResponseError
	var qe qmp.Error
	switch {
	case errors.As(err, &re):
		// The class is the reader's label; QEMU's own words come first.
		msg = re.Command + ": " + re.Desc
	case errors.As(err, &qe):
		msg = strings.TrimPrefix(full, "qmp "+qe.Socket()+": ")
	}
	return ErrorInfo{Kind: kind, Class: class, Message: msg, Detail: full, Time: at}
}
