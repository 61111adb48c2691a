package upswift

import (
	"math"
	"sync"
	"time"
)

// The pacer is the AWS SDKs' adaptive retry mode: one rate for all requests
// of a client (a token bucket of one) that follows CUBIC in real time. A 429
// cuts it to beta x the rate the refused request really went out at; it then
// climbs back to settle x that rate (W_max) in K = cbrt(W_max (1-beta) / C)
// seconds, and beyond ever faster until the next 429. C is the same for
// every process, so processes sharing one limit (workspaces of a pipeline)
// take back, in seconds, what their neighbours leave; those of one machine
// with one endpoint and token share one pace (pacestore.go). Answers to
// requests sent before a cut belong to it. Four rules fit it to 0.2-200 req/s:
//   - Proof: a token bucket is empty at every 429, so one that accepted k
//     requests between two 429s granted at least (k-1) / the time between.
//     The first burst (one request more in flight per success, each faster)
//     ends at what it proved, counted from a second before it (a full bucket
//     of up to max(1 token, 1 s of rate)), or at one request per (t + 1 s);
//     later cuts never go below it. A request in flight at a cut and
//     accepted anyway proves its rate: the climb restarts from it.
//   - Alone at its limit, a process is refused above every rate it was ever
//     accepted at: then the climb back takes at least returnRun intervals,
//     so a slow limit costs one 429 per returnRun requests, not per request.
//   - A 429 at or under such a rate is a neighbour's request that took the
//     token: the climb keeps the real-time clock. A refused first request
//     means others carry the limit: the pacer keeps trying at that pace.
//   - A Retry-After of 2 s or more holds every request back that long and
//     brackets the limit; requests_per_minute is a ceiling at every step.
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
	mu        sync.Mutex
	now       func() time.Time
	ceiling   float64    // highest rate allowed by configuration; 0 = none
	inflight  int        // this process's requests started and not yet answered
	throttled int        // 429s this process has seen
	answered  int        // answers of any kind it has had
	store     *paceStore // the pace this process shares with others; nil: its own
	pace
}

// pace is what the pacer learns: this process's own, or through a
// paceStore the one pace of every process of a machine that uses the same
// endpoint and token. Requests in flight are not part of it: they belong
// to their process, and a process that ends leaves no count behind.
type pace struct {
	rate        float64   // current rate
	last        time.Time // start of the latest request that counts for spacing
	reserved    time.Time // the latest start handed out: the next is later
	hold        time.Time // no request starts before this (Retry-After)
	accepted    int       // accepted requests since the start
	limited     bool      // a 429 was seen: slow start is over
	wmax, floor float64   // where the climb levels off, and where it started
	k           float64   // seconds from the cut to wmax
	cutAt       time.Time // when the last cut was made
	refused     time.Time // start of the request refused at the last cut
	granted     int       // accepted requests started since refused
	fastest     float64   // the fastest rate the API carried for this pace
	lastGood    time.Time // start of the latest accepted request
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

func (p *pacer) start(now time.Time, queued bool) (ticket, time.Duration) {
	if d := p.due(now); d > 0 {
		return ticket{}, d
	}
	if p.refused.IsZero() {
		// A full bucket of up to a second of rate is one that was empty
		// a second before the first request.
		p.refused = now.Add(-time.Second)
	}
	p.inflight++
	p.last, p.reserved = now, now
	return ticket{start: now, rate: p.rate, queued: queued}, 0
}

// sentRate is the rate an attempt went out at as a token bucket refilling
// from the last accepted request saw it: the pacer's, or less when the
// caller was slower.
func (p *pacer) sentRate(t ticket) float64 {
	if p.lastGood.IsZero() || !p.lastGood.Before(t.start) {
		return t.rate
	}
	return min(t.rate, 1/t.start.Sub(p.lastGood).Seconds())
}

// throttledAt records a 429 for the attempt t, with the server's
// Retry-After when hasRetryAfter.
func (p *pacer) throttledAt(t ticket, retryAfter time.Duration, hasRetryAfter bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	p.throttled++
	p.inflight--
	p.answered++
	p.step(now, func() { p.cut(t, now, retryAfter, hasRetryAfter) })
}

func (p *pacer) cut(t ticket, now time.Time, retryAfter time.Duration, hasRetryAfter bool) {
	if t.start.Before(p.cutAt) {
		return // sent before the last cut: its answer belongs to it
	}
	sent := p.sentRate(t)
	if p.accepted == 0 {
		p.fastest = max(p.fastest, sent) // others carry the limit at this rate
	}
	proved := float64(p.granted-1) / t.start.Sub(p.refused).Seconds()
	p.wmax, p.floor = settle*sent, beta*sent
	switch {
	case !p.limited && p.granted >= 2:
		p.wmax, p.floor = proved, proved
	case !p.limited:
		p.floor = 1 / t.start.Sub(p.refused).Seconds()
	case p.granted >= 2:
		p.floor = max(p.floor, min(proved, sent))
	case p.accepted == 0:
		p.wmax, p.floor = p.rate, p.rate
	}
	if hasRetryAfter && retryAfter >= 2*time.Second && !p.lastGood.IsZero() {
		// Whole seconds after a gap since the last accepted request bracket
		// a token bucket's interval to within the header's one second.
		g := t.start.Sub(p.lastGood) + retryAfter
		p.wmax = min(p.wmax, 1/(g-time.Second).Seconds())
		p.floor = max(min(p.floor, p.wmax), 1/(g+time.Second).Seconds())
	}
	p.floor = min(p.floor, p.wmax)
	p.k = math.Cbrt((p.wmax - p.floor) / cubicC)
	if sent > p.fastest {
		p.k = max(p.k, returnRun/p.wmax) // alone at its limit
	}
	p.limited = true
	p.cutAt, p.refused, p.granted = now, t.start, 0
	p.rate = p.floor
	p.clamp()
	if !p.lastGood.IsZero() && p.inflight == 0 {
		// The refused attempt took no token: the spacing counts from the
		// last accepted request, unless others are still on their way.
		p.last = p.lastGood
	}
	switch {
	case hasRetryAfter && retryAfter >= 2*time.Second:
		p.hold = later(p.hold, now.Add(retryAfter))
	case p.lastGood.IsZero():
		p.hold = later(p.hold, now.Add(interval(p.rate)))
	}
}

// succeeded records an answer other than 429 for the attempt t.
func (p *pacer) succeeded(t ticket) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inflight--
	p.answered++
	now := p.now()
	p.step(now, func() { p.grow(t, now) })
}

func (p *pacer) grow(t ticket, now time.Time) {
	p.accepted++
	sent := p.sentRate(t)
	if t.start.After(p.lastGood) {
		p.lastGood = t.start
	}
	if t.start.After(p.refused) {
		p.granted++
	}
	if p.limited && t.start.Before(p.cutAt) && t.start.After(p.refused) && sent > p.floor {
		// In flight at the cut, sent after the refused one and accepted
		// anyway: the API grants this rate, and a bucket refilled within
		// its gap. The climb restarts from it, back toward the pace the
		// request went out at.
		p.floor, p.wmax = sent, max(p.wmax, sent, settle*t.rate)
		p.k = math.Cbrt((p.wmax - p.floor) / cubicC)
		p.rate = max(p.rate, sent)
		p.clamp()
	}
	if t.start.Before(p.cutAt) || !t.queued {
		return // the caller, not the pacer, set its pace
	}
	if !p.limited {
		p.rate *= growth
		p.clamp()
		return
	}
	p.fastest = max(p.fastest, sent)
	if d := now.Sub(p.cutAt).Seconds() - p.k; d < 0 {
		x := -d / p.k
		p.rate = p.wmax - (p.wmax-p.floor)*x*x*x
	} else {
		p.rate = p.wmax + cubicC*d*d*d
	}
	p.rate = min(p.rate, 2*sent) // as the AWS SDKs: at most twice the rate sent
	p.clamp()
}

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

// Throttles returns how many 429s this process has seen.
func (p *pacer) Throttles() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.throttled
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
