package exporter

import (
	"html"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// MetricsPath is where the metrics are served.
const MetricsPath = "/metrics"

// Handler serves c's metrics at /metrics, with the exporter's own Go and
// process metrics and promhttp's request counters, and a small index page
// at /. Everything else is 404.
func Handler(c *Collector) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(c, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := promhttp.InstrumentMetricHandler(reg, promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		ErrorHandling:     promhttp.ContinueOnError,
		EnableOpenMetrics: true,
	}))
	mux := http.NewServeMux()
	mux.Handle(MetricsPath, metrics)
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!DOCTYPE html>
<html><head><title>qmpdash exporter</title></head>
<body><h1>qmpdash exporter</h1>
<p>Prometheus metrics of the QEMU VMs qmpdash watches (` + html.EscapeString(c.build.Version) + `).</p>
<p><a href="` + MetricsPath + `">Metrics</a></p>
</body></html>
`))
	})
	return mux
}
