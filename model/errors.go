package model

import (
	"time"

	"github.com/qmpdash/qmpdash/qmp"
)

// NewErrorInfo classifies err once, so readers never hold error values.
func NewErrorInfo(err error, at time.Time) ErrorInfo {
	if err == nil {
		return ErrorInfo{}
	}
	kind, class, ok := qmp.Classify(err)
	if !ok {
		return ErrorInfo{Kind: KindOther, Message: err.Error(), Time: at}
	}
	return ErrorInfo{Kind: ErrorKind(kind), Class: class, Message: err.Error(), Time: at}
}
