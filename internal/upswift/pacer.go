package upswift

import (
	"context"
	"errors"
	"sync"
	"time"
)

// The pacer is the AWS SDKs' adaptive retry mode, fitted to limits of
// 0.2-200 req/s: one rate for all requests of a client (a token bucket of
// one) that follows CUBIC in real time. The processes of one machine with
// one endpoint and token share one pace (pacestore.go). Its rules, each a
// step of the same name in pacer_rules.go, named alike by their tests:
//
//  1. cubic: a 429 cuts the rate to beta x the rate the refused request
//     really went out at; it climbs back along CUBIC's curve to settle x
//     that rate (W_max) in K = cbrt(W_max (1-beta) / C) seconds, and beyond
//     ever faster until the next 429. Answers to requests sent before a cut
//     belong to it.
//  2. firstBurst: slow start (one request more in flight per success, each
//     faster) ends at what it proved: a token bucket is empty at every 429,
//     so one that accepted k requests between two 429s granted at least
//     (k-1) / the time between, counted from a second before the first
//     request (a full bucket of up to max(1 token, 1 s of rate)); having
//     proved nothing, at one request per (that time + 1 s).
//  3. provedRate: later cuts never go below what the bucket proved.
//  4. inFlightAccepted: a request in flight at a cut and accepted anyway
//     proves its rate: the climb restarts from it.
//  5. aloneAtItsLimit: refused above every rate it was ever accepted at,
//     the climb back takes at least returnRun intervals, so that a slow
//     limit costs one 429 per returnRun requests, not per request.
//  6. neighbours: a 429 at or under such a rate is a neighbour's request
//     that took the token: the climb keeps CUBIC's real-time clock, whose C
//     is the same for every process, so that processes sharing one limit
//     take back, in seconds, what the others leave.
//  7. refusedFirstRequest: others carry the limit: keep trying at that pace.
//  8. retryAfter: a Retry-After of 2 s or more holds every request back
//     that long and brackets the limit.
//  9. ceiling: requests_per_minute caps the rate at every step (clamp).
const (
	initialRate = 100.0  // spreads the first requests over milliseconds
	growth      = 1.05   // slow start's step per success, until the first 429
	minRate     = 0.1    // one request per 10 s: slower would look hung
	maxRate     = 1000.0 // beyond it, requests are effectively not paced
	beta        = 0.7    // the AWS SDKs' (and CUBIC's) cut
	cubicC      = 0.4    // the AWS SDKs' CUBIC constant, requests/s per s^3
	settle      = 0.95   // the climb levels off this far under the refused rate
	returnRun   = 12.0   // requests before a limit found alone is tried again: N/10 429s
)

// pacer spaces the starts of all requests of one client so that parallel
// workers share one view of the API's rate limit. Safe for concurrent use.
type pacer struct {
	mu       sync.Mutex
	now      func() time.Time
	ceiling  float64    // highest rate allowed by configuration; 0 = none
	inflight int        // this process's requests started and not yet answered
	answered int        // answers of any kind it has had
	store    *paceStore // the pace this process shares with others; nil: its own
	pace
}

// pace is what the pacer learns: this process's own, or through a
// paceStore the one pace of every process of a machine that uses the same
// endpoint and token. Requests in flight are not part of it: they belong
// to their process, and a process that ends leaves no count behind.
type pace struct {
	rate                 float64   // requests per second
	last                 time.Time // start of the latest request that counts for spacing
	reserved             time.Time // the latest start handed out: the next is later
	hold                 time.Time // no request starts before this (Retry-After)
	accepted             int       // accepted requests since the start
	limited              bool      // a 429 was seen: slow start is over
	wmax, floor          float64   // where the climb levels off, and where it started
	secsToWmax           float64   // seconds from the last cut to wmax (CUBIC's K)
	cutAt                time.Time // when the last cut was made
	refusedStart         time.Time // start of the request refused at the last cut
	acceptedAfterRefused int       // accepted requests started after refusedStart
	fastest              float64   // the fastest rate the API carried for this pace
	lastGood             time.Time // start of the latest accepted request
}

// ticket is what the pacer knows about one attempt when it starts.
type ticket struct {
	start  time.Time
	rate   float64 // the pacer's rate when it started
	queued bool    // it waited for its turn: the pacer, not the caller, set its pace
}

// newPacer returns a pacer. requestsPerMinute > 0 is a ceiling that holds
// after 429s too. now is the clock (time.Now when nil).
func newPacer(requestsPerMinute int, now func() time.Time) *pacer {
	if now == nil {
		now = time.Now
	}
	p := &pacer{now: now, pace: pace{rate: initialRate}, ceiling: max(float64(requestsPerMinute), 0) / 60}
	p.clamp()
	return p
}

// wait blocks until a request may start or ctx ends; report it with
// succeeded, throttledAt or release. onHold (when not nil) is called once,
// with the wait ahead, when the request is held back a second or more
// (shorter waits are the ordinary spacing). When ctx's deadline passes
// after a 429 slowed the pacer, the error is a *RateLimitError: the rate
// limit, not the caller, is why the request ran out of time.
func (p *pacer) wait(ctx context.Context, onHold func(time.Duration)) (ticket, error) {
	queued, since := false, time.Time{}
	for {
		if err := ctx.Err(); err != nil {
			return ticket{}, p.outOfTime(err)
		}
		t, d := p.tryStart(queued)
		if d <= 0 {
			return t, nil
		}
		if !queued {
			queued, since = true, p.now()
		}
		if onHold != nil && p.now().Sub(since)+d >= time.Second {
			onHold(d)
			onHold = nil
		}
		sleep(ctx, d)
	}
}

// outOfTime is wait's error when ctx ended: the caller adds to a
// *RateLimitError how long it waited and how many 429s it got.
func (p *pacer) outOfTime(err error) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.limited || !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return &RateLimitError{Rate: p.rate, Err: err}
}

// tryStart starts a request if its turn has come, or returns how long to
// wait: the spacing holds between the moments requests really start,
// however late a waiting worker wakes up.
func (p *pacer) tryStart(queued bool) (t ticket, wait time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if wait = p.due(now); wait > 0 {
		return ticket{}, wait // as the pace was last read: no step for it
	}
	if !p.step(now, func() { t, wait = p.start(now, queued) }) {
		return ticket{}, lockWait // no start without the shared pace's lock
	}
	return t, wait
}

// due is how long until the next request may start.
func (p *pacer) due(now time.Time) time.Duration {
	next := later(p.hold, p.reserved.Add(time.Nanosecond))
	if !p.last.IsZero() {
		next = later(next, p.last.Add(interval(p.rate)))
	}
	if now.Before(next) {
		return next.Sub(now)
	}
	if !p.limited && p.inflight >= max(p.accepted, 1) || p.inflight > 0 && p.answered == 0 {
		// Slow start: one request more in flight per success, so that the
		// first burst is one request, not one per worker; a process joining
		// a pace past it sends its first alone (a cold connection's jitter).
		return interval(p.rate)
	}
	return 0
}

// start starts a request, within the shared pace's step: due once more, on
// the pace as read under its lock.
func (p *pacer) start(now time.Time, queued bool) (ticket, time.Duration) {
	if d := p.due(now); d > 0 {
		return ticket{}, d // another process took the turn
	}
	if p.refusedStart.IsZero() {
		p.refusedStart = now.Add(-time.Second) // firstBurst's full bucket
	}
	p.inflight++
	p.last, p.reserved = now, now
	return ticket{start: now, rate: p.rate, queued: queued}, 0
}

// clamp keeps the rate within minRate and maxRate, and under the ceiling.
func (p *pacer) clamp() {
	p.rate = min(max(p.rate, minRate), maxRate)
	if p.ceiling > 0 {
		p.rate = min(p.rate, p.ceiling)
	}
}

// release ends an attempt that got no answer.
func (p *pacer) release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inflight--
}

// Rate returns the current rate in requests per second.
func (p *pacer) Rate() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rate
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func interval(rate float64) time.Duration {
	return time.Duration(float64(time.Second) / rate)
}
