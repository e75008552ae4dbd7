// Package exporter turns the fleet's latest snapshot into Prometheus
// metrics: one custom prometheus.Collector (collector.go) that builds
// const metrics at scrape time from model.FleetSnapshot, so a scrape never
// talks to QEMU, costs no QMP traffic and cannot be slowed by a frozen VM;
// and the HTTP handler that serves them (handler.go: /metrics and a small
// index page at /). Serving (listening, TLS, basic auth) is the CLI's job
// (internal/cli/exporter.go, through exporter-toolkit).
//
// Of its own figures it adds each VM's latest poll duration and its errors
// by kind, never a scrape duration: Prometheus records that per target
// itself (scrape_duration_seconds).
//
// It lives under internal/ because only the exporter command uses it and
// its API should stay free to change. Of qmpdash it imports model (and
// qmp for error kinds) only; it must never import ui, themes, the CLI or
// anything that draws, and it must never dial a monitor.
package exporter
