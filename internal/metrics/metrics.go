// Package metrics exports a daemon's counters and gauges as Prometheus
// text on /metrics. Values are read from the daemon's own atomics when
// scraped, so the hot paths only ever do an atomic add.
package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Registry holds one daemon's metrics, all named prefix + name.
type Registry struct {
	reg    *prometheus.Registry
	prefix string
}

// New returns a registry with the Go runtime and process collectors.
func New(prefix string) *Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return &Registry{reg: reg, prefix: prefix}
}

// Counter registers a counter read from f.
func (r *Registry) Counter(name, help string, f func() uint64) {
	r.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: r.prefix + name, Help: help},
		func() float64 { return float64(f()) }))
}

// Gauge registers a gauge read from f.
func (r *Registry) Gauge(name, help string, f func() float64) {
	r.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: r.prefix + name, Help: help}, f))
}

// Flag registers a 0/1 gauge read from f.
func (r *Registry) Flag(name, help string, f func() bool) {
	r.Gauge(name, help, func() float64 {
		if f() {
			return 1
		}
		return 0
	})
}

// Handler serves the registry in Prometheus text format.
func (r *Registry) Handler() http.Handler { return promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{}) }

// Series is one labelled value of a family; Labels are in the family's
// label order.
type Series struct {
	Value  float64
	Labels []string
}

// GaugeFamily registers a gauge family whose series f lists at scrape time
// (one per device, say): nothing is kept between scrapes, so series of
// removed devices disappear.
func (r *Registry) GaugeFamily(name, help string, labels []string, f func() []Series) {
	r.reg.MustRegister(family{desc: prometheus.NewDesc(r.prefix+name, help, labels, nil), kind: prometheus.GaugeValue, f: f})
}

// CounterFamily is GaugeFamily for counters.
func (r *Registry) CounterFamily(name, help string, labels []string, f func() []Series) {
	r.reg.MustRegister(family{desc: prometheus.NewDesc(r.prefix+name, help, labels, nil), kind: prometheus.CounterValue, f: f})
}

type family struct {
	desc *prometheus.Desc
	kind prometheus.ValueType
	f    func() []Series
}

func (c family) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c family) Collect(ch chan<- prometheus.Metric) {
	for _, s := range c.f() {
		ch <- prometheus.MustNewConstMetric(c.desc, c.kind, s.Value, s.Labels...)
	}
}
