package main

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"poststelle/mailroom"
	"poststelle/mailroom/engine"
	"poststelle/mailroom/store"
)

type metrics struct {
	reg        *prometheus.Registry
	intake     *prometheus.CounterVec
	intakeLat  prometheus.Histogram
	steps      *prometheus.HistogramVec
	stepErrors *prometheus.CounterVec
	quarantine prometheus.Counter
}

func newMetrics() *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.intake = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "poststelle_intake_total", Help: "Items taken in, by source and outcome."}, []string{"source", "outcome"})
	m.intakeLat = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "poststelle_intake_seconds", Help: "Time to store and record one item.", Buckets: prometheus.ExponentialBuckets(0.001, 2, 14)})
	m.steps = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "poststelle_step_seconds", Help: "Pipeline step durations.", Buckets: prometheus.ExponentialBuckets(0.01, 2, 14)}, []string{"step"})
	m.stepErrors = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "poststelle_step_errors_total", Help: "Failed pipeline steps."}, []string{"step"})
	m.quarantine = prometheus.NewCounter(prometheus.CounterOpts{Name: "poststelle_quarantined_total", Help: "Documents sent to quarantine."})
	m.reg.MustRegister(m.intake, m.intakeLat, m.steps, m.stepErrors, m.quarantine,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) hooks() engine.Hooks {
	return engine.Hooks{
		Intake: func(source string, lat time.Duration, dup bool) {
			outcome := "stored"
			if dup {
				outcome = "duplicate"
			}
			m.intake.WithLabelValues(source, outcome).Inc()
			m.intakeLat.Observe(lat.Seconds())
		},
		StepDone: func(step string, d time.Duration, err error) {
			m.steps.WithLabelValues(step).Observe(d.Seconds())
			if err != nil {
				m.stepErrors.WithLabelValues(step).Inc()
			}
		},
		Quarantine: func(string) { m.quarantine.Inc() },
	}
}

// stateGauge reports documents per state at scrape time.
type stateGauge struct{ st *store.Store }

var stateDesc = prometheus.NewDesc("poststelle_documents", "Documents per state.", []string{"state"}, nil)

func (g stateGauge) Describe(ch chan<- *prometheus.Desc) { ch <- stateDesc }
func (g stateGauge) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, err := g.st.Counts(ctx)
	if err != nil {
		return
	}
	for _, s := range mailroom.AllStates {
		ch <- prometheus.MustNewConstMetric(stateDesc, prometheus.GaugeValue, float64(counts[s]), string(s))
	}
}

// metricCollectors lets capabilities add Prometheus collectors (registered
// when the HTTP handler is built, after the wirers ran).
var metricCollectors []prometheus.Collector

// apiRoutes lets capabilities add HTTP routes (the desk API) in their own files.
var apiRoutes = map[string]func(cfg *mailroom.Config, st *store.Store) http.Handler{}

func httpHandler(cfg *mailroom.Config, st *store.Store, m *metrics) http.Handler {
	m.reg.MustRegister(stateGauge{st})
	m.reg.MustRegister(metricCollectors...)
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "application/json")
		if _, err := st.Counts(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			json.NewEncoder(w).Encode(map[string]string{"status": "error", "error": err.Error()})
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"status": "ok", "version": version})
	})
	mux.HandleFunc("/api/v1/status", func(w http.ResponseWriter, r *http.Request) {
		s, err := collectStatus(r.Context(), cfg, st)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(s)
	})
	for _, p := range sortedKeys(apiRoutes) {
		mux.Handle(p, apiRoutes[p](cfg, st))
	}
	return mux
}
