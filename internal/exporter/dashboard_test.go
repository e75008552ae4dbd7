package exporter

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/qmpdash/qmpdash/model"
)

const dashboardFile = "../../docs/grafana-qmpdash.json"

// TestFamilyNamesAreWhatCollectEmits keeps familyNames honest: fixedFleet
// has one of everything, so its scrape emits exactly those families.
func TestFamilyNamesAreWhatCollectEmits(t *testing.T) {
	snap := fixedFleet()
	reg := prometheus.NewRegistry()
	reg.MustRegister(NewCollector(SourceFunc(func() model.FleetSnapshot { return snap }), BuildInfo{}))
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var emitted []string
	for _, f := range fams {
		emitted = append(emitted, f.GetName())
	}
	want := slices.Clone(familyNames)
	slices.Sort(want)
	slices.Sort(emitted)
	if !slices.Equal(emitted, want) {
		t.Errorf("families emitted:\n%v\ndeclared:\n%v", emitted, want)
	}
}

// TestGrafanaDashboardUsesOnlyOurMetrics parses docs/grafana-qmpdash.json
// and checks that every metric its PromQL expressions (and template
// variable queries) name is one the collector emits.
func TestGrafanaDashboardUsesOnlyOurMetrics(t *testing.T) {
	b, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var dash any
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatalf("%s is not JSON: %v", dashboardFile, err)
	}
	var exprs []string
	walkJSON(dash, func(key string, v any) {
		s, ok := v.(string)
		switch {
		case ok && key == "expr":
			exprs = append(exprs, s)
		case ok && key == "definition": // label_values(SELECTOR, LABEL)
			if m := labelValues.FindStringSubmatch(s); m != nil {
				exprs = append(exprs, m[1])
			} else {
				t.Errorf("template query %q: want label_values(SELECTOR, LABEL)", s)
			}
		}
	})
	if len(exprs) < 10 {
		t.Fatalf("only %d expressions in %s", len(exprs), dashboardFile)
	}
	used := map[string]bool{}
	for _, e := range exprs {
		for _, name := range metricNames(e) {
			used[name] = true
			if !slices.Contains(familyNames, name) {
				t.Errorf("the dashboard uses %s, which the collector does not emit (in %q)", name, e)
			}
		}
	}
	// The panels the issue asks for: fleet table, CPU, block I/O, state timeline.
	for _, name := range []string{"qemu_vm_up", "qemu_vm_status", "qemu_process_cpu_seconds_total", "qemu_process_resident_memory_bytes",
		"qemu_block_read_bytes_total", "qemu_block_written_bytes_total", "qemu_block_read_ops_total", "qemu_block_write_ops_total"} {
		if !used[name] {
			t.Errorf("the dashboard does not use %s", name)
		}
	}
	panelTypes := map[string]bool{}
	walkJSON(dash, func(key string, v any) {
		if s, ok := v.(string); ok && key == "type" {
			panelTypes[s] = true
		}
	})
	for _, typ := range []string{"table", "timeseries", "state-timeline"} {
		if !panelTypes[typ] {
			t.Errorf("no %s panel in the dashboard", typ)
		}
	}
}

// walkJSON calls f with every key and value of every object in v.
func walkJSON(v any, f func(key string, v any)) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			f(k, x)
			walkJSON(x, f)
		}
	case []any:
		for _, x := range v {
			walkJSON(x, f)
		}
	}
}

var (
	labelValues = regexp.MustCompile(`^label_values\((.*),\s*\w+\)$`)
	grouping    = regexp.MustCompile(`\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	ident       = regexp.MustCompile(`[A-Za-z_:][A-Za-z0-9_:]*`)
	keywords    = map[string]bool{"and": true, "or": true, "unless": true, "bool": true, "offset": true, "inf": true, "nan": true, "atan2": true}
)

// metricNames are the metric names a PromQL expression selects: the
// identifiers left once strings, label matchers, ranges and grouping
// lists are blanked, except functions, aggregations and keywords (and
// Grafana's $variables).
func metricNames(expr string) []string {
	var b strings.Builder
	var quote rune
	depth := 0 // inside {} or []
	for _, r := range expr {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
			continue
		case r == '"' || r == '\'' || r == '`':
			quote = r
			continue
		case r == '{' || r == '[':
			depth++
			b.WriteByte(' ')
			continue
		case r == '}' || r == ']':
			depth--
			continue
		case depth > 0:
			continue
		}
		b.WriteRune(r)
	}
	s := grouping.ReplaceAllString(b.String(), " ")
	var names []string
	for _, m := range ident.FindAllStringIndex(s, -1) {
		name := s[m[0]:m[1]]
		if m[0] > 0 && strings.ContainsRune("$.0123456789", rune(s[m[0]-1])) {
			continue // a variable, or the exponent of a number
		}
		if strings.HasPrefix(strings.TrimLeft(s[m[1]:], " \t\n"), "(") || keywords[strings.ToLower(name)] {
			continue // a function or aggregation
		}
		names = append(names, name)
	}
	return names
}

func TestMetricNames(t *testing.T) {
	for expr, want := range map[string][]string{
		`qemu_vm_up{vm=~"$vm"}`: {"qemu_vm_up"},
		`sum by (instance, vm) (rate(qemu_block_read_bytes_total{vm="a{b}"}[$__rate_interval])) / on(vm) group_left(x) foo`: {"qemu_block_read_bytes_total", "foo"},
		`label_values(qemu_vm_up{instance=~"$instance"}, vm)`:                                                               {"qemu_vm_up", "vm"},
		`-sum(rate(a[5m])) by (vm) > 1e3 and bool b`:                                                                        {"a", "b"},
	} {
		if got := metricNames(expr); !slices.Equal(got, want) {
			t.Errorf("metricNames(%q) = %v, want %v", expr, got, want)
		}
	}
}
