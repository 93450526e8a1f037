package outbox

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"poststelle/mailroom"
	"poststelle/mailroom/dms"
)

// Metrics are the outbox's Prometheus metrics. It is a dms.Observer for the
// connectors (wrap them with dms.WithObserver) and a prometheus.Collector.
type Metrics struct {
	exports  *prometheus.CounterVec
	duration *prometheus.HistogramVec
	bytes    *prometheus.CounterVec
	held     *prometheus.CounterVec
	entries  *prometheus.GaugeVec
	oldest   prometheus.Gauge
	alert    prometheus.Gauge
}

var _ dms.Observer = (*Metrics)(nil)
var _ prometheus.Collector = (*Metrics)(nil)

// NewMetrics makes the metrics.
func NewMetrics() *Metrics {
	return &Metrics{
		exports: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "poststelle_export_total",
			Help: "Delivery attempts by target and outcome (ok, transient, permanent)."}, []string{"target", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "poststelle_export_seconds",
			Help: "Duration of delivery attempts.", Buckets: prometheus.ExponentialBuckets(0.005, 2, 16)}, []string{"target"}),
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "poststelle_export_bytes_total",
			Help: "Bytes of document files delivered."}, []string{"target"}),
		held: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "poststelle_export_held_total",
			Help: "Deliveries put on hold for an operator (permanent errors)."}, []string{"target"}),
		entries: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "poststelle_outbox_entries",
			Help: "Outbox entries by status."}, []string{"status"}),
		oldest: prometheus.NewGauge(prometheus.GaugeOpts{Name: "poststelle_outbox_oldest_seconds",
			Help: "Age of the oldest undelivered outbox entry."}),
		alert: prometheus.NewGauge(prometheus.GaugeOpts{Name: "poststelle_outbox_alert",
			Help: "1 when an undelivered entry is older than outbox.alert_after."}),
	}
}

// Exported implements dms.Observer.
func (m *Metrics) Exported(target string, d time.Duration, bytes int64, err error) {
	outcome := "ok"
	switch {
	case err != nil && mailroom.IsPermanent(err):
		outcome = "permanent"
	case err != nil:
		outcome = "transient"
	}
	m.exports.WithLabelValues(target, outcome).Inc()
	m.duration.WithLabelValues(target).Observe(d.Seconds())
	if bytes > 0 {
		m.bytes.WithLabelValues(target).Add(float64(bytes))
	}
}

func (m *Metrics) observeStats(counts map[mailroom.OutboxStatus]int, age time.Duration, alert bool) {
	for _, s := range []mailroom.OutboxStatus{mailroom.OutboxPending, mailroom.OutboxHeld, mailroom.OutboxDone} {
		m.entries.WithLabelValues(string(s)).Set(float64(counts[s]))
	}
	m.oldest.Set(age.Seconds())
	if alert {
		m.alert.Set(1)
	} else {
		m.alert.Set(0)
	}
}

func (m *Metrics) all() []prometheus.Collector {
	return []prometheus.Collector{m.exports, m.duration, m.bytes, m.held, m.entries, m.oldest, m.alert}
}

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	for _, c := range m.all() {
		c.Describe(ch)
	}
}

// Collect implements prometheus.Collector.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	for _, c := range m.all() {
		c.Collect(ch)
	}
}
