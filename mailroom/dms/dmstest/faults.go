package dmstest

import (
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"time"
)

// Fault is one kind of injected failure.
type Fault int

// Faults the proxy injects.
const (
	Status500  Fault = iota + 1 // answer 500 without forwarding
	Status503                   // answer 503 without forwarding
	Status429                   // answer 429 with Retry-After: 1 without forwarding
	Hang                        // never answer (until the client gives up), not forwarded
	DropBefore                  // close the connection without forwarding
	DropAfter                   // forward, let the server finish, then close the connection without the answer
)

func (f Fault) String() string {
	return [...]string{"none", "500", "503", "429", "hang", "drop-before", "drop-after"}[f]
}

type rule struct {
	fault  Fault
	skip   int // matching requests to let through first
	left   int // matching requests to fault
	writes bool
}

// FaultProxy is an http.Handler that forwards to Next, injecting faults.
type FaultProxy struct {
	Next http.Handler

	mu        sync.Mutex
	rules     []*rule
	downUntil time.Time
	dropRate  float64

	Requests atomic.Int64 // requests seen
	Injected atomic.Int64 // faults injected
}

// Inject makes the next n requests (only writes — POST, PUT, MKCOL, MOVE,
// DELETE — if writes) fail with f.
func (p *FaultProxy) Inject(f Fault, n int, writes bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = append(p.rules, &rule{fault: f, left: n, writes: writes})
}

// InjectAtWrite lets k-1 writes through and fails the k-th with f.
func (p *FaultProxy) InjectAtWrite(f Fault, k int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = append(p.rules, &rule{fault: f, skip: k - 1, left: 1, writes: true})
}

// Down answers every request with 503 until t.
func (p *FaultProxy) Down(until time.Time) {
	p.mu.Lock()
	p.downUntil = until
	p.mu.Unlock()
}

// DropRate drops this share of requests (half before, half after forwarding).
func (p *FaultProxy) DropRate(r float64) {
	p.mu.Lock()
	p.dropRate = r
	p.mu.Unlock()
}

// Clear removes all pending faults.
func (p *FaultProxy) Clear() {
	p.mu.Lock()
	p.rules, p.downUntil, p.dropRate = nil, time.Time{}, 0
	p.mu.Unlock()
}

func isWrite(m string) bool {
	switch m {
	case http.MethodPost, http.MethodPut, http.MethodDelete, "MKCOL", "MOVE", "COPY", "PROPPATCH":
		return true
	}
	return false
}

func (p *FaultProxy) pick(r *http.Request) Fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Now().Before(p.downUntil) {
		return Status503
	}
	for i, ru := range p.rules {
		if ru.writes && !isWrite(r.Method) {
			continue
		}
		if ru.skip > 0 {
			ru.skip--
			continue
		}
		ru.left--
		if ru.left <= 0 {
			p.rules = append(p.rules[:i], p.rules[i+1:]...)
		}
		return ru.fault
	}
	if p.dropRate > 0 && rand.Float64() < p.dropRate {
		if rand.IntN(2) == 0 {
			return DropBefore
		}
		return DropAfter
	}
	return 0
}

// ServeHTTP implements http.Handler.
func (p *FaultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.Requests.Add(1)
	f := p.pick(r)
	if f != 0 {
		p.Injected.Add(1)
	}
	switch f {
	case Status500:
		http.Error(w, "injected fault", http.StatusInternalServerError)
	case Status503:
		w.Header().Set("Retry-After", "1")
		http.Error(w, "injected fault: maintenance", http.StatusServiceUnavailable)
	case Status429:
		w.Header().Set("Retry-After", "1")
		http.Error(w, "injected fault: slow down", http.StatusTooManyRequests)
	case Hang:
		// Read the request, never answer. Reading it lets the server notice
		// when the client gives up and closes the connection.
		io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(time.Minute):
		}
		drop(w)
	case DropBefore:
		drop(w)
	case DropAfter:
		rec := httptest.NewRecorder()
		p.Next.ServeHTTP(rec, r)
		drop(w)
	default:
		p.Next.ServeHTTP(w, r)
	}
}

func drop(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	c, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	c.Close()
}
