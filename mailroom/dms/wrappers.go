package dms

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"

	"poststelle/mailroom"
)

// Checker is implemented by connectors that can check their target for
// `poststelle doctor`: reachable, authenticated, allowed to write. It returns
// a short description of what it found.
type Checker interface {
	Check(ctx context.Context) (string, error)
}

// Unwrapper is implemented by wrappers to reach the connector inside.
type Unwrapper interface {
	Unwrap() mailroom.Exporter
}

// Check runs the Checker of exp or of the connector it wraps.
func Check(ctx context.Context, exp mailroom.Exporter) (string, error) {
	for exp != nil {
		if c, ok := exp.(Checker); ok {
			return c.Check(ctx)
		}
		u, ok := exp.(Unwrapper)
		if !ok {
			break
		}
		exp = u.Unwrap()
	}
	return "no check available for this target type", nil
}

// RetryPolicy configures WithRetry.
type RetryPolicy struct {
	Retries int           // further attempts after the first
	Base    time.Duration // first delay (doubles, with jitter); 0 = 1s
	Max     time.Duration // longest delay; 0 = 30s
}

type retrying struct {
	next mailroom.Exporter
	p    RetryPolicy
}

// WithRetry retries transient errors of exp a few times within one call,
// with exponential backoff and jitter, honouring Retry-After. Permanent
// errors and cancellation end it at once. Longer outages are the outbox's
// business: it retries the entry later.
func WithRetry(exp mailroom.Exporter, p RetryPolicy) mailroom.Exporter {
	if p.Base <= 0 {
		p.Base = time.Second
	}
	if p.Max <= 0 {
		p.Max = 30 * time.Second
	}
	return &retrying{next: exp, p: p}
}

func (r *retrying) Name() string                              { return r.next.Name() }
func (r *retrying) Unwrap() mailroom.Exporter                 { return r.next }
func (r *retrying) Check(ctx context.Context) (string, error) { return Check(ctx, r.next) }

func (r *retrying) Export(ctx context.Context, doc mailroom.ExportDoc) (mailroom.Receipt, error) {
	delay := r.p.Base
	for attempt := 0; ; attempt++ {
		rc, err := r.next.Export(ctx, doc)
		if err == nil || mailroom.IsPermanent(err) || ctx.Err() != nil || attempt >= r.p.Retries {
			return rc, err
		}
		wait := Jitter(delay)
		if d, ok := RetryAfter(err); ok && d > wait {
			if d > r.p.Max {
				return rc, err // the DMS asks for a long pause: leave it to the outbox
			}
			wait = d
		}
		select {
		case <-ctx.Done():
			return rc, err
		case <-time.After(wait):
		}
		delay *= 2
		if delay > r.p.Max {
			delay = r.p.Max
		}
	}
}

// Jitter returns a delay between d/2 and d ("equal jitter"), so that many
// waiting deliveries do not hit a recovering DMS at the same moment.
func Jitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

type limited struct {
	next  mailroom.Exporter
	every time.Duration
	mu    sync.Mutex
	slot  time.Time
}

// WithRateLimit lets at most perSecond exports of exp start per second
// (0 or less: unlimited). Waiting ends with ctx.
func WithRateLimit(exp mailroom.Exporter, perSecond float64) mailroom.Exporter {
	if perSecond <= 0 {
		return exp
	}
	return &limited{next: exp, every: time.Duration(float64(time.Second) / perSecond)}
}

func (l *limited) Name() string                              { return l.next.Name() }
func (l *limited) Unwrap() mailroom.Exporter                 { return l.next }
func (l *limited) Check(ctx context.Context) (string, error) { return Check(ctx, l.next) }

func (l *limited) Export(ctx context.Context, doc mailroom.ExportDoc) (mailroom.Receipt, error) {
	l.mu.Lock()
	now := time.Now()
	if l.slot.Before(now) {
		l.slot = now
	}
	wait := l.slot.Sub(now)
	l.slot = l.slot.Add(l.every)
	l.mu.Unlock()
	if wait > 0 {
		select {
		case <-ctx.Done():
			return mailroom.Receipt{}, ctx.Err()
		case <-time.After(wait):
		}
	}
	return l.next.Export(ctx, doc)
}

// Observer is told about every export (metrics). Implementations must be
// safe for concurrent use.
type Observer interface {
	Exported(target string, d time.Duration, bytes int64, err error)
}

type observed struct {
	next mailroom.Exporter
	obs  Observer
}

// WithObserver reports every export of exp to obs.
func WithObserver(exp mailroom.Exporter, obs Observer) mailroom.Exporter {
	if obs == nil {
		return exp
	}
	return &observed{next: exp, obs: obs}
}

func (o *observed) Name() string                              { return o.next.Name() }
func (o *observed) Unwrap() mailroom.Exporter                 { return o.next }
func (o *observed) Check(ctx context.Context) (string, error) { return Check(ctx, o.next) }

func (o *observed) Export(ctx context.Context, doc mailroom.ExportDoc) (mailroom.Receipt, error) {
	start := time.Now()
	rc, err := o.next.Export(ctx, doc)
	var size int64
	if err == nil {
		size = fileSize(doc.PDF)
	}
	o.obs.Exported(o.next.Name(), time.Since(start), size, err)
	return rc, err
}

var (
	_ mailroom.Exporter = (*retrying)(nil)
	_ mailroom.Exporter = (*limited)(nil)
	_ mailroom.Exporter = (*observed)(nil)
)
