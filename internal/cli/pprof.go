package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"time"
)

// pprofEnv names a loopback address (127.0.0.1:6060) on which the
// dashboard serves Go's profiles (/debug/pprof/) while it runs, for
// measuring it where it runs (docs/BENCHMARKS.md, scripts/bench-scale).
// A debugging aid, not a setting: it is read from the environment only.
const pprofEnv = "QMPDASH_PPROF"

// servePprof serves the profiles at $QMPDASH_PPROF until ctx ends; with
// the variable unset it does nothing. Only loopback addresses are taken.
func servePprof(ctx context.Context, logger *slog.Logger) error {
	addr := os.Getenv(pprofEnv)
	if addr == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%s=%q: want a loopback HOST:PORT such as 127.0.0.1:6060", pprofEnv, addr)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s: %w", pprofEnv, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(l) }()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	logger.Info("qmpdash: serving profiles", "addr", l.Addr().String())
	return nil
}
