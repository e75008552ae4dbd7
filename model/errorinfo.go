package model

import (
	"errors"
	"maps"
	"strings"
	"time"

	"github.com/qmpdash/qmpdash/qmp"
	"github.com/qmpdash/qmpdash/remote"
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
	var down *remote.DownError
	host := ""
	if errors.As(err, &down) {
		host = down.Host
	}
	kind, class, ok := qmp.Classify(err)
	if !ok {
		return ErrorInfo{Kind: KindOther, Message: full, Detail: full, Time: at, SSHHost: host}
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
	return ErrorInfo{Kind: kind, Class: class, Message: msg, Detail: full, Time: at, SSHHost: host}
}

// recordError makes err the VM's LastError and counts it by kind.
// ErrorCounts is copied, never changed in place: published snapshots
// share the old map.
func (v *vmWatcher) recordError(err error, at time.Time) {
	info := NewErrorInfo(err, at)
	v.cur.LastError = info
	if info.IsZero() {
		return
	}
	counts := maps.Clone(v.cur.ErrorCounts)
	if counts == nil {
		counts = map[qmp.Kind]uint64{}
	}
	counts[info.Kind]++
	v.cur.ErrorCounts = counts
}
