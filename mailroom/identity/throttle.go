package identity

import (
	"net"
	"strings"
	"sync"
	"time"

	"poststelle/mailroom"
)

// ThrottleConfig sets how failed logins are slowed down.
type ThrottleConfig struct {
	// After this many failures in a row for one login name, the next
	// attempt waits Delay, doubling with every further failure up to
	// MaxDelay.
	After int
	// AfterAddress is the same for one client address.
	AfterAddress int
	Delay        time.Duration
	MaxDelay     time.Duration
	// Forget: a counter without a failure for this long starts afresh.
	Forget time.Duration
}

// ThrottleConfigFrom takes the settings of [login].
func ThrottleConfigFrom(c mailroom.LoginConfig) ThrottleConfig {
	return ThrottleConfig{After: c.ThrottleAfter, AfterAddress: c.ThrottleAfterAddress, Delay: c.ThrottleDelay.Duration,
		MaxDelay: c.ThrottleMaxDelay.Duration, Forget: c.ThrottleForget.Duration}
}

// maxThrottleEntries bounds the memory of a Throttle under a flood of
// made-up login names; beyond it, counters that are not locked are dropped.
const maxThrottleEntries = 10000

// Throttle counts failed logins per login name and per client address, in
// memory (an engine restart forgets them). It is safe for concurrent use.
type Throttle struct {
	cfg    ThrottleConfig
	now    func() time.Time
	mu     sync.Mutex
	logins map[string]*counter
	addrs  map[string]*counter
}

type counter struct {
	fails    int
	last     time.Time // last failure
	until    time.Time // no attempt before this
	reported time.Time // the lock (until) for which a refusal was reported
}

// NewThrottle makes a throttle; now may be nil (time.Now).
func NewThrottle(cfg ThrottleConfig, now func() time.Time) *Throttle {
	if now == nil {
		now = time.Now
	}
	return &Throttle{cfg: cfg, now: now, logins: map[string]*counter{}, addrs: map[string]*counter{}}
}

// Wait returns how long an attempt for login from addr must still wait (0:
// go ahead) and whether this is the first refusal within the current lock
// (the one to journal).
func (t *Throttle) Wait(login, addr string) (wait time.Duration, first bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	for _, c := range []*counter{t.get(t.logins, loginKey(login), false), t.get(t.addrs, addrKey(addr), false)} {
		if c == nil || !now.Before(c.until) {
			continue
		}
		if w := c.until.Sub(now); w > wait {
			wait = w
		}
		if !c.reported.Equal(c.until) {
			c.reported, first = c.until, true
		}
	}
	return wait, first
}

// Fail records a failed login and returns the wait it imposes on the next
// attempt (0 while the failures are still free).
func (t *Throttle) Fail(login, addr string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	w1 := t.fail(t.get(t.logins, loginKey(login), true), t.cfg.After, now)
	w2 := t.fail(t.get(t.addrs, addrKey(addr), true), t.cfg.AfterAddress, now)
	return max(w1, w2)
}

// Success forgets the failures of login (not those of the address: a valid
// account must not unlock guessing at others from the same place).
func (t *Throttle) Success(login string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.logins, loginKey(login))
}

func (t *Throttle) fail(c *counter, free int, now time.Time) time.Duration {
	if c == nil {
		return 0
	}
	c.fails++
	c.last = now
	if c.fails < free {
		return 0
	}
	d := t.cfg.Delay
	for i := free; i < c.fails && d < t.cfg.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, t.cfg.MaxDelay)
	c.until = now.Add(d)
	return d
}

// get returns the counter of key (nil for an empty key), forgetting a stale
// one; create makes a missing one.
func (t *Throttle) get(m map[string]*counter, key string, create bool) *counter {
	if key == "" {
		return nil
	}
	now := t.now()
	c := m[key]
	if c != nil && now.Sub(c.last) > t.cfg.Forget && !now.Before(c.until) {
		delete(m, key)
		c = nil
	}
	if c == nil && create {
		if len(m) >= maxThrottleEntries {
			t.prune(m, now)
		}
		c = &counter{}
		m[key] = c
	}
	return c
}

// prune drops stale counters, and if that is not enough, every counter that
// is not locked.
func (t *Throttle) prune(m map[string]*counter, now time.Time) {
	for k, c := range m {
		if now.Sub(c.last) > t.cfg.Forget && !now.Before(c.until) {
			delete(m, k)
		}
	}
	if len(m) < maxThrottleEntries {
		return
	}
	for k, c := range m {
		if !now.Before(c.until) {
			delete(m, k)
		}
	}
}

func loginKey(login string) string { return strings.ToLower(strings.TrimSpace(login)) }

// addrKey is the host part of an address ("10.0.0.5:51234" → "10.0.0.5").
func addrKey(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}
