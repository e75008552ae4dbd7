package exporter

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/qmpdash/qmpdash/model"
)

// syntheticFleet is n connected, running VMs like fixedFleet's "web":
// two vCPUs, two disks, a balloon, events; no migration or job.
func syntheticFleet(n int) model.FleetSnapshot {
	var base model.VMSnapshot
	for _, v := range fixedFleet().VMs {
		if v.PID == 4242 {
			base = v
		}
	}
	base.Jobs, base.Migration = nil, model.Migration{}
	disk := base.Blocks[0]
	vms := make([]model.VMSnapshot, n)
	for i := range vms {
		v := base
		v.Name = fmt.Sprintf("vm%03d", i)
		v.ID, v.Target = "unix:/run/qemu/"+v.Name+".qmp", "/run/qemu/"+v.Name+".qmp"
		v.PID = 10000 + i
		d2 := disk
		d2.NodeName, d2.File = "disk1", "/var/lib/vm/"+v.Name+"-data.qcow2"
		v.Blocks = []model.BlockDevice{disk, d2}
		vms[i] = v
	}
	return model.FleetSnapshot{VMs: vms}
}

// BenchmarkScrape is one scrape of /metrics (Collect and the text
// encoding through promhttp, in-process, no compression) over 50 VMs (the
// baseline) and 500.
func BenchmarkScrape(b *testing.B) {
	for _, n := range []int{50, 500} {
		b.Run(fmt.Sprintf("vms=%d", n), func(b *testing.B) {
			snap := syntheticFleet(n)
			reg := prometheus.NewRegistry()
			reg.MustRegister(NewCollector(SourceFunc(func() model.FleetSnapshot { return snap }), BuildInfo{Version: "bench", GoVersion: "go"}))
			h := promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
			req := httptest.NewRequest(http.MethodGet, MetricsPath, nil)
			var size int
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
				size = w.Body.Len()
			}
			b.ReportMetric(float64(size), "body-B")
		})
	}
}
