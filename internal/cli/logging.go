package cli

import (
	"log/slog"
	"os"
)

// openLog returns the logger --log asks for: a text handler at debug level
// (protocol traffic included) appending to path. With no path, nothing is
// logged anywhere: logs never go to stdout or stderr, which belong to the
// command's output and to the dashboard. The file is created private to the
// user, as QMP traffic can carry secrets (passwords in commands).
func openLog(path string) (*slog.Logger, func(), error) {
	if path == "" {
		return slog.New(slog.DiscardHandler), func() {}, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, usagef("--log: %v", err)
	}
	logger := slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return logger, func() { f.Close() }, nil
}
