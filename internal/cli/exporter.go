package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"syscall"
	"time"

	"github.com/prometheus/exporter-toolkit/web"

	"github.com/qmpdash/qmpdash/internal/exporter"
	"github.com/qmpdash/qmpdash/model"
)

// DefaultExporterListen is where 'qmpdash exporter' listens unless told:
// loopback only, on a port outside the range the Prometheus wiki's
// default port allocations list has handed out (9100-9999, full).
const DefaultExporterListen = "127.0.0.1:10120"

const exporterUsage = `Usage: qmpdash exporter [--listen ADDR] [--web-config FILE] [flags] [TARGET...]

Serves Prometheus metrics of every VM at /metrics (and a small index page
at /) until interrupted. The metrics come from the same polling the
dashboard does: a scrape never talks to QEMU, so it answers at once
whatever the VMs do. TARGETs, discovery, --interval and --timeout are
as for the dashboard. --web-config takes an exporter-toolkit web
configuration file (TLS, basic auth), as node_exporter's does.

Examples:
  qmpdash exporter /run/qemu/
  qmpdash exporter --listen 0.0.0.0:10120 --web-config /etc/qmpdash/web.yml

Flags:
`

func runExporter(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := commandFlags("exporter")
	listen := fs.String("listen", DefaultExporterListen, "serve metrics on `ADDR` (host:port)")
	webConfig := fs.String("web-config", "", "read TLS and basic auth settings from `FILE` (exporter-toolkit web configuration)")
	st, err := startCommand(fs, exporterUsage, args, stdout, stderr)
	if err != nil {
		return err
	}
	defer st.closeLog()
	return serveExporter(ctx, st, *listen, *webConfig, stderr)
}

// serveExporter runs the fleet and serves its metrics until ctx ends.
func serveExporter(ctx context.Context, st commandStart, listen, webConfig string, stderr io.Writer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cfg := fleetConfig(st.set, st.logger)
	cfg.Remote = st.pool
	fleet := model.NewFleet(cfg)
	if err := fleet.Watch(ctx, st.specs); err != nil {
		return fmt.Errorf("exporter: %v", err)
	}
	stop := fleet.Start(ctx)
	c := exporter.NewCollector(fleet, exporter.BuildInfo{Version: versionString(), GoVersion: runtime.Version()})
	srv := &http.Server{Handler: exporter.Handler(c), ReadHeaderTimeout: 10 * time.Second,
		// The server's own complaints (a failed TLS handshake, a bad
		// request) go to the --log file, not to the terminal.
		ErrorLog: slog.NewLogLogger(st.logger.Handler(), slog.LevelDebug)}
	go func() {
		<-ctx.Done()
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer scancel()
		_ = srv.Shutdown(sctx)
	}()
	systemd := false
	flags := &web.FlagConfig{WebListenAddresses: &[]string{listen}, WebSystemdSocket: &systemd, WebConfigFile: &webConfig}
	fmt.Fprintf(stderr, "qmpdash: exporter: serving metrics on %s%s\n", safe(listen), exporter.MetricsPath)
	err := web.ListenAndServe(srv, flags, st.logger)
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	if errors.Is(err, syscall.EADDRINUSE) {
		err = fmt.Errorf("exporter: %s is already in use (another exporter running?); choose another with --listen: %w", safe(listen), err)
	} else if err != nil {
		err = fmt.Errorf("exporter: %w", err)
	}
	cancel()
	return errors.Join(err, stop(fleetStopLimit))
}
