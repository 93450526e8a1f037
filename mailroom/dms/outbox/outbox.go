package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/dms"
)

// Store is what the outbox needs of the store (implemented by mailroom/store).
type Store interface {
	DocSource
	OutboxFill(ctx context.Context, targets []string, actor string) (int, error)
	OutboxClaim(ctx context.Context, owner string, skip []string, documentID string, lease time.Duration) (*mailroom.OutboxEntry, error)
	OutboxDone(ctx context.Context, entryID string, r mailroom.Receipt, actor string) (bool, error)
	OutboxFailed(ctx context.Context, entryID, actor string, cause error, hold bool, next time.Time) (*mailroom.OutboxEntry, error)
	OutboxRelease(ctx context.Context, entryID string) error
	OutboxRecover(ctx context.Context) (int, error)
	OutboxEntries(ctx context.Context, f mailroom.OutboxFilter) ([]*mailroom.OutboxEntry, error)
	OutboxStats(ctx context.Context) (map[mailroom.OutboxStatus]int, time.Time, error)
}

// Outbox delivers approved documents to its targets. It is a mailroom.Runner.
type Outbox struct {
	Store   Store
	Targets []mailroom.Exporter // by Name(); wrapped with retry, rate limit, metrics as configured
	Config  mailroom.OutboxConfig
	Log     *slog.Logger
	Owner   string   // actor in the journal; default "outbox@host/pid"
	Metrics *Metrics // optional

	mu     sync.Mutex
	paused map[string]*pause
	wake   chan struct{}
	alert  time.Time // last alert logged
}

type pause struct {
	until time.Time
	fails int
}

var _ mailroom.Runner = (*Outbox)(nil)

// Name implements mailroom.Runner.
func (o *Outbox) Name() string { return "outbox" }

func (o *Outbox) defaults() {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Owner == "" {
		host, _ := os.Hostname()
		o.Owner = fmt.Sprintf("outbox@%s/%d", host, os.Getpid())
	}
	if o.paused == nil {
		o.paused = map[string]*pause{}
	}
	if o.wake == nil {
		o.wake = make(chan struct{}, 1)
	}
}

func (o *Outbox) cfg() (base, max, poll, lease, alert time.Duration, workers int) {
	c := o.Config
	base, max, poll, lease, alert, workers = c.Backoff.Duration, c.MaxBackoff.Duration, c.PollInterval.Duration, c.Lease.Duration, c.AlertAfter.Duration, c.Workers
	if base <= 0 {
		base = 5 * time.Second
	}
	if max <= 0 {
		max = 10 * time.Minute
	}
	if poll <= 0 {
		poll = time.Second
	}
	if lease <= 0 {
		lease = 30 * time.Minute
	}
	if workers <= 0 {
		workers = 4
	}
	return
}

func (o *Outbox) names() []string {
	n := make([]string, len(o.Targets))
	for i, t := range o.Targets {
		n[i] = t.Name()
	}
	return n
}

func (o *Outbox) target(name string) mailroom.Exporter {
	for _, t := range o.Targets {
		if t.Name() == name {
			return t
		}
	}
	return nil
}

// Run fills and works the queue until ctx ends. It assumes it is the only
// outbox of this data directory: it first drops the leases a killed process
// left behind.
func (o *Outbox) Run(ctx context.Context) error {
	o.defaults()
	_, _, poll, _, _, workers := o.cfg()
	if n, err := o.Store.OutboxRecover(ctx); err != nil {
		return fmt.Errorf("outbox: recover: %w", err)
	} else if n > 0 {
		o.Log.Info("outbox: took over unfinished deliveries", "entries", n)
	}
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o.work(ctx, poll)
		}()
	}
	defer wg.Wait()
	for {
		if n, err := o.Store.OutboxFill(ctx, o.names(), o.Owner); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			o.Log.Error("outbox: enqueue", "err", err)
		} else if n > 0 {
			o.Log.Info("outbox: documents queued for delivery", "entries", n)
			o.signal()
		}
		o.checkAlert(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(poll):
		}
	}
}

func (o *Outbox) signal() {
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

func (o *Outbox) work(ctx context.Context, poll time.Duration) {
	for ctx.Err() == nil {
		e, err := o.Store.OutboxClaim(ctx, o.Owner, o.pausedTargets(), "", o.leaseDur())
		if err != nil {
			if ctx.Err() == nil {
				o.Log.Error("outbox: claim", "err", err)
			}
		}
		if e == nil {
			select {
			case <-ctx.Done():
				return
			case <-o.wake:
				o.signal() // wake the next idle worker too
			case <-time.After(poll):
			}
			continue
		}
		o.deliver(ctx, e)
	}
}

func (o *Outbox) leaseDur() time.Duration {
	_, _, _, lease, _, _ := o.cfg()
	return lease
}

func (o *Outbox) pausedTargets() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []string
	now := time.Now()
	for n, p := range o.paused {
		if now.Before(p.until) {
			out = append(out, n)
		}
	}
	return out
}

// deliver makes one attempt for a leased entry.
func (o *Outbox) deliver(ctx context.Context, e *mailroom.OutboxEntry) (*mailroom.Receipt, error) {
	log := o.Log.With("document", e.DocumentID, "target", e.Target, "entry", e.ID)
	exp := o.target(e.Target)
	var rc mailroom.Receipt
	var err error
	start := time.Now()
	if exp == nil {
		err = mailroom.Permanent(fmt.Errorf("Ziel %q ist nicht (mehr) konfiguriert / target %q is not configured", e.Target, e.Target))
	} else {
		var doc mailroom.ExportDoc
		doc, err = ExportDocFor(ctx, o.Store, e.DocumentID)
		if err == nil {
			rc, err = exp.Export(ctx, doc)
		}
	}
	if ctx.Err() != nil {
		// Shutting down: give the entry back untouched; the next start
		// repeats the attempt, which the connector makes idempotent.
		o.Store.OutboxRelease(context.Background(), e.ID)
		return nil, ctx.Err()
	}
	bg := context.WithoutCancel(ctx)
	if err == nil {
		rc.Target = e.Target
		exported, derr := o.Store.OutboxDone(bg, e.ID, rc, o.Owner)
		if derr != nil {
			log.Error("outbox: storing receipt", "err", derr)
			return nil, derr
		}
		o.succeeded(e.Target)
		log.Info("delivered", "object_id", rc.ObjectID, "url", rc.URL, "duration", time.Since(start).Round(time.Millisecond).String(), "document_exported", exported)
		return &rc, nil
	}
	base, max, _, _, _, _ := o.cfg()
	if mailroom.IsPermanent(err) {
		if _, ferr := o.Store.OutboxFailed(bg, e.ID, o.Owner, err, true, time.Time{}); ferr != nil {
			log.Error("outbox: recording failure", "err", ferr)
		}
		log.Error("delivery refused; waiting for an operator (poststelle outbox retry)", "err", err)
		if o.Metrics != nil {
			o.Metrics.held.WithLabelValues(e.Target).Inc()
		}
		return nil, err
	}
	d := base
	for i := 0; i < e.Attempts && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	d = dms.Jitter(d)
	if ra, ok := dms.RetryAfter(err); ok && ra > d {
		d = ra
	}
	next := time.Now().Add(d)
	ne, ferr := o.Store.OutboxFailed(bg, e.ID, o.Owner, err, false, next)
	if ferr != nil {
		log.Error("outbox: recording failure", "err", ferr)
	}
	attempt := e.Attempts + 1
	if ne != nil {
		attempt = ne.Attempts
	}
	o.failed(e.Target, err)
	log.Warn("delivery failed; will retry", "attempt", attempt, "retry_in", d.Round(time.Millisecond).String(), "err", err)
	return nil, err
}

// failed pauses a target after a transient error, longer with every
// consecutive failure, so a DMS that is down is probed, not hammered.
func (o *Outbox) failed(target string, err error) {
	base, max, _, _, _, _ := o.cfg()
	o.mu.Lock()
	defer o.mu.Unlock()
	p := o.paused[target]
	if p == nil {
		p = &pause{}
		o.paused[target] = p
	}
	p.fails++
	d := base
	for i := 1; i < p.fails && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	d = dms.Jitter(d)
	if ra, ok := dms.RetryAfter(err); ok && ra > d && ra <= max {
		d = ra
	}
	p.until = time.Now().Add(d)
}

func (o *Outbox) succeeded(target string) {
	o.mu.Lock()
	delete(o.paused, target)
	o.mu.Unlock()
}

func (o *Outbox) checkAlert(ctx context.Context) {
	_, _, _, _, after, _ := o.cfg()
	counts, oldest, err := o.Store.OutboxStats(ctx)
	if err != nil {
		return
	}
	age := time.Duration(0)
	if !oldest.IsZero() {
		age = time.Since(oldest)
	}
	alert := after > 0 && age > after
	if o.Metrics != nil {
		o.Metrics.observeStats(counts, age, alert)
	}
	if alert && time.Since(o.alert) > 10*time.Minute {
		o.alert = time.Now()
		o.Log.Error("ALARM: Zustellung an das DMS stockt / delivery to the DMS is stuck",
			"oldest_entry_age", age.Round(time.Second), "alert_after", after,
			"pending", counts[mailroom.OutboxPending], "held", counts[mailroom.OutboxHeld])
	}
}

// DeliverDocument queues document id for every target and makes one
// delivery attempt per target now (the connectors' quick retries included).
// It is for `process --approve-as`. It returns the receipts of all targets
// delivered so far and the first error.
func (o *Outbox) DeliverDocument(ctx context.Context, id string) ([]mailroom.Receipt, error) {
	o.defaults()
	if _, err := o.Store.OutboxFill(ctx, o.names(), o.Owner); err != nil {
		return nil, err
	}
	var first error
	for {
		e, err := o.Store.OutboxClaim(ctx, o.Owner, nil, id, o.leaseDur())
		if err != nil {
			return nil, err
		}
		if e == nil {
			break
		}
		if _, err := o.deliver(ctx, e); err != nil && first == nil {
			first = err
		}
	}
	entries, err := o.Store.OutboxEntries(ctx, mailroom.OutboxFilter{DocumentID: id})
	if err != nil {
		return nil, err
	}
	var out []mailroom.Receipt
	for _, e := range entries {
		if e.Receipt != nil {
			out = append(out, *e.Receipt)
		} else if first == nil {
			first = fmt.Errorf("target %s: %s (%s)", e.Target, e.Status, e.LastError)
		}
	}
	if len(entries) == 0 && first == nil {
		first = errors.New("no delivery targets configured")
	}
	return out, first
}
