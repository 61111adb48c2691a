package upswift

import (
	"context"
	"math"
	"slices"
	"sync"
	"time"
)

// The pacer keeps one rate (request starts per second) for all requests of
// a client: a client-side token bucket of one whose rate follows the API's
// answers, as in the adaptive retry mode of the AWS SDKs. A 429 is the API
// asking to slow down, so it is the pacer's signal, never a failure. The
// design borrows from TCP (slow start, one cut per congestion episode) and
// CUBIC (return quickly to just under the last refused rate, W_max, and
// probe beyond it ever further):
//
//   - Slow start: one request in flight until the second answer, then a
//     window that grows by one per success, spaced at initialRate, which
//     grows while requests wait for it. Nothing is refused, nothing slows.
//   - The first 429 after a burst estimates the limit: a token bucket
//     starts full, so the k requests accepted in the t1 seconds up to the
//     first refused one are its B tokens plus R x t1, and k / (t1 + 1s)
//     is R when the bucket holds a second of rate and under R when it
//     holds less. The burst alone cannot tell a small bucket at a high
//     rate from a large one at a low rate (three accepted fit a bucket of
//     1 at 50/s and one of 3 at 3/s alike), so the estimate is taken as
//     known-good and the bracket below is searched up from it, settling
//     back there at a refusal within twice of it. A request sent after
//     the refused one and still accepted tells them apart: the bucket
//     refilled within its gap, so the search starts just under the rate
//     that gap stands for. Requests sent after it and refused as well
//     tell the opposite: the burst emptied a bucket larger than one, so
//     the estimate is about the limit (over it when the bucket holds
//     more than a second of rate). The pacer settles there instead of
//     trying above it, and probes up from there (after a burst of two,
//     which fits any limit from about 1.5 to 50 requests/s, sooner and
//     further); refused there, it steps to (k-1)/k of it, the rate of a
//     bucket one token larger than a second of rate. (After a single
//     accepted request there is nothing to measure: the pacer tries
//     well under the refused rate, and at least the next of a few fixed
//     rates about three-fold apart, blindRates, until one is accepted.)
//   - Every later 429 is evidence of a refused rate: the rate the request
//     really went out at, from the time since the last accepted request
//     started (what a token bucket refilling from its last accepted
//     request saw), so that a Terraform slower than the pacer does not
//     pass for the API's capacity. Successes that really went out at the
//     current rate are evidence of an accepted one. Answers to requests
//     sent before the last cut belong to that cut.
//   - The pacer keeps the limit bracketed between the highest accepted rate
//     lo and the latest refused rate hi. In a wide bracket it tries a point
//     nearer lo (a refused try costs a 429, an accepted one only a little
//     time), and nearer still when one more refusal would use up the 429s
//     the pacer allows itself, no further than spentBracket above lo
//     (once they are used up, it tries only in a bracket wider than
//     that); in a narrow one it settles at lo, just under hi (and a
//     little under lo once those 429s are used up, off the edge of a
//     bucket of one). So after a cut it is back near the limit in a few
//     requests, and a limit of 0.2 requests/s is found from 100/s in a
//     handful of tries.
//   - A 429 at or under lo means lo was wrong. At about lo it is the edge
//     of a bucket of one, which refuses a request that arrives a
//     millisecond early (timers wake late, networks are uneven): the rate
//     steps 3% under it, and only a second such 429 without a long run of
//     successes between counts as more. Well under lo, a bucket that let
//     a burst through has run dry (lo becomes what the API accepted
//     between two 429s, when it was drained at both: a rate it is known
//     to grant), or jitter (a step just under it), or else the AWS SDKs'
//     beta of 0.7; twice in a row, the limit dropped and the bracket is
//     searched again from far under it.
//   - At the plateau the pacer probes above it after a run of successes,
//     slightly at first, then, as long as probes hold, twice as far (up
//     to maxProbe) after half as many successes each time: like CUBIC,
//     slow near the last refused rate and fast away from it, so a limit
//     that rose is found in a few dozen requests. A refusal brings the
//     step back to its smallest; a refused probe doubles the run its
//     series began with. A
//     refusal within twice of where the probes began means a bucket
//     larger than one let them through on tokens saved under the limit:
//     the pacer settles back at that start, or at what the API accepted
//     since the last cut if more. Above a bucket the first burst found
//     larger than one, the start itself may have ridden on saved tokens
//     and a refusal further up means the same: the pacer settles no
//     higher than the rate the answers since the last cut prove the API
//     grants, counting the tokens the bucket may have saved
//     (grantedRate). Probes happen only while one more 429 keeps the
//     pacer's 429s under max(5, successes/20), so they cost few however
//     long the apply.
//   - A Retry-After of two seconds or more holds back every request that
//     long and brackets the limit itself; a shorter one (servers round up
//     to whole seconds, so often one second for a few milliseconds) holds
//     back only the refused request, while the others keep to the reduced
//     rate. Without Retry-After, the next request goes one interval of the
//     new rate after the last accepted one.
//   - requests_per_minute is a ceiling on the rate at every step.
const (
	// initialRate is where slow start begins, in requests per second: it
	// spreads the first requests of parallel workers over a few
	// milliseconds instead of one burst.
	initialRate = 100.0
	// slowStartGrowth scales the rate up on every success until the first
	// 429.
	slowStartGrowth = 1.05
	// maxRate is the fastest the pacer paces; beyond it requests are
	// effectively not paced.
	maxRate = 1000.0
	// minRate is the slowest: one request every ten seconds.
	minRate = 0.1
	// plateauFactor places the plateau just under the last refused rate,
	// leaving room for jitter between the client and the API.
	plateauFactor = 0.93
	// plateauRun is how many successes at the plateau come before the
	// first probe above it.
	plateauRun = 16
	// climbRun is how many successes at the first plateau (found from the
	// first burst's estimate) come before the first probe above it: fewer
	// than plateauRun, as that plateau may sit under a bucket of 1's rate.
	climbRun = 4
	// minRun is the shortest run of successes between two probes.
	minRun = 2
	// firstProbe is the first probe's step above the plateau; it doubles
	// with every probe that is not refused, and the run before the next
	// one halves, down to minRun.
	firstProbe = 0.05
	// probeFree and probeShare bound what probing costs: the pacer probes
	// only while one more 429 keeps its 429s under max(probeFree,
	// successes / probeShare), half of the max(5, N/10) it promises.
	probeFree  = 5
	probeShare = 20
	// window is how far back accepted requests count towards the accepted
	// rate measured at the first 429.
	window = time.Second
	// testedShare: a success tested the current rate when it went out at
	// least this close to it (timers wake late by a little).
	testedShare = 0.9
	// jitterRun is how many successes make a following 429 at the same
	// rate an isolated one.
	jitterRun = 16
	// blindStep is how far under a refused rate the next try goes while
	// no rate under it was accepted yet (at least down to blindRates).
	blindStep = 5.28
	// tryWeight places a try in a wide bracket: 0.5 is its middle in log
	// terms; less is nearer the accepted end.
	tryWeight = 0.4
	// bracket is the widest ratio of refused to accepted rate at which the
	// pacer settles; over it, it tries the middle.
	bracket = 1.15
	// beta is where known-good goes, as a share of the refused rate, when
	// a 429 comes at or under it and nothing better is known (the AWS
	// SDKs' adaptive mode cuts by the same factor).
	beta = 0.7
	// minSamples is how many accepted requests in window make the accepted
	// rate a measurement.
	minSamples = 8
	// drainedSamples is how many requests accepted between two 429s
	// make a drained rate: with fewer, the one token a bucket may hold
	// at the first 429 weighs too much.
	drainedSamples = 12
	// edgeFactor is where the rate goes after a 429 at about the accepted
	// rate: the edge of a bucket of one, just under it.
	edgeFactor = 0.97
	// inflightBeta: a request sent after a refused one of the first
	// search, and accepted, went out at some rate; the search goes on
	// from this share of it.
	inflightBeta = 0.7
	// lastTryWeight replaces tryWeight when one more refused try would
	// reach the 429s the pacer allows itself (max(probeFree, successes /
	// 10)): the last tries go nearer the accepted rate.
	lastTryWeight = 0.3
	// pairProbe is the first probe's step above the estimate of a first
	// burst of two that emptied its bucket (see emptied).
	pairProbe = 0.2
	// maxProbe bounds the step of a probe above the plateau, so that a
	// series of probes riding on tokens saved by a large bucket does not
	// run far past the limit.
	maxProbe = 0.4
	// spentBracket: once the 429s reach what the pacer allows itself,
	// a bracket at most this wide is settled at its accepted end rather
	// than tried in (a wider one is still tried: settling far under the
	// limit would cost more than the 429 saved).
	spentBracket = 1.3
	// spentFactor: once the 429s reach what the pacer allows itself, the
	// rate settles this far under the accepted rate.
	spentFactor = 0.985
)

// blindRates are the rates tried after the first, second ... 429 while no
// rate under the refused one was accepted yet, spread over the range the
// pacer promises (0.2 to 200 requests/s) about three-fold apart: where the
// search goes does not then hang on the gaps of the first few requests.
var blindRates = [...]float64{10, 2.5, 0.7, 0.22, 0.1}

// Pacer spaces the starts of all requests of one client so that parallel
// workers share one view of the API's rate limit instead of each retrying
// on its own. It is safe for concurrent use.
type Pacer struct {
	mu  sync.Mutex
	now func() time.Time

	ceiling float64   // highest rate allowed by configuration; 0 = none
	rate    float64   // current rate
	last    time.Time // start of the latest request that counts for spacing
	hold    time.Time // no request starts before this (after a 429)

	limited bool    // a 429 was seen: slow start is over
	hi      float64 // the latest refused rate
	lo      float64 // highest rate known to be accepted; 0 = none
	// contradicted: the last 429 came under the accepted rate, and no
	// success has tested the rate since.
	contradicted bool
	since        int         // successes that tested the rate since the last cut
	blind        int         // 429s while no rate under hi was accepted
	refusedAt    time.Time   // start of the request of the last cut
	sinceRefused []time.Time // starts of the requests accepted after it
	cut          time.Time   // answers to requests started before belong to the last cut
	run          int         // successes at the plateau since it was reached or probed
	runLen       int         // successes at the plateau before the next probe
	probe        float64     // next probe's step above the plateau
	probing      bool        // the plateau is raised by a probe not yet confirmed
	base         float64     // the plateau where the current series of probes began
	baseRun      int         // the run before the first probe of that series
	raised       bool        // a probe was accepted since the last cut
	climb        bool        // searching up from the first burst's estimate
	edge         bool        // the last 429 came at about the accepted rate (see edgeFactor)
	// burst is how many requests the first burst had accepted at its
	// first 429, burstHi the rate refused there. emptied: the burst
	// emptied a bucket larger than one (the requests in flight after the
	// refused one were refused too), so probes above the limit may ride
	// on tokens it saved.
	burst     int
	burstHi   float64
	emptied   bool
	burstEdge bool      // a 429 came at the first burst's estimate
	lastGood  time.Time // start of the latest accepted request
	first     time.Time // start of the first request
	inflight  int       // requests started and not yet answered
	window    int       // in slow start, how many may be in flight

	goods     [minSamples + 1]time.Time // ring of recent accepted starts
	ngoods    int
	accepted  []time.Time
	throttled int
}

// ticket is what the pacer knows about one attempt when it starts.
type ticket struct {
	start  time.Time
	rate   float64 // the pacer's rate when it started
	queued bool    // it waited for its turn: the pacer, not the caller, set its pace
}

// NewPacer returns a pacer. requestsPerMinute > 0 is a ceiling that holds
// after 429s too, and where the rate starts. now is the clock (time.Now
// when nil).
func NewPacer(requestsPerMinute int, now func() time.Time) *Pacer {
	if now == nil {
		now = time.Now
	}
	p := &Pacer{now: now, rate: initialRate, runLen: plateauRun, probe: firstProbe, window: 1}
	if requestsPerMinute > 0 {
		p.ceiling = float64(requestsPerMinute) / 60
		p.rate = p.ceiling
	}
	return p
}

// tryStart starts a request if its turn has come, or returns how long to
// wait before asking again. Turns are not booked ahead: the spacing holds
// between the moments requests really start, however late a waiting worker
// wakes up.
func (p *Pacer) tryStart(queued bool) (ticket, time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	next := p.hold
	if !p.last.IsZero() {
		next = later(next, p.last.Add(interval(p.rate)))
	}
	if now.Before(next) {
		return ticket{}, next.Sub(now)
	}
	if !p.limited && p.inflight >= p.window {
		// Slow start also bounds the requests in flight, so that the
		// first burst is one request, not one per worker.
		return ticket{}, interval(p.rate)
	}
	p.inflight++
	p.last = now
	if p.first.IsZero() {
		p.first = now
	}
	return ticket{start: now, rate: p.rate, queued: queued}, 0
}

// waitNotice is how long a request may be held back before the pacer
// says so (an EventWaiting): shorter waits are the ordinary spacing.
const waitNotice = time.Second

// wait blocks until a request may start or until ctx ends. A request
// that starts must be reported with succeeded, throttledAt or release.
// onHold (when not nil) is called once, when the request has been or will
// be held back for waitNotice or more, with the wait ahead.
func (p *Pacer) wait(ctx context.Context, onHold func(time.Duration)) (ticket, error) {
	queued := false
	var since time.Time
	for {
		if err := ctx.Err(); err != nil {
			return ticket{}, err
		}
		t, d := p.tryStart(queued)
		if d <= 0 {
			return t, nil
		}
		if !queued {
			since = p.now()
		}
		queued = true
		if onHold != nil && p.now().Sub(since)+d >= waitNotice {
			onHold(d)
			onHold = nil
		}
		timer := time.NewTimer(d)
		select {
		case <-ctx.Done():
			timer.Stop()
			return ticket{}, ctx.Err()
		case <-timer.C:
		}
	}
}

// throttledAt records a 429 for the attempt t, with the server's
// Retry-After when hasRetryAfter (see the package comment for how it holds
// requests back).
func (p *Pacer) throttledAt(t ticket, retryAfter time.Duration, hasRetryAfter bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	p.throttled++
	p.inflight--
	if t.start.Before(p.cut) && t.start.After(p.refusedAt) && p.climb && p.lo == p.base && !p.emptied {
		// Sent after the first refused request, before its answer, and
		// refused too: the first burst emptied a bucket larger than one
		// (a bucket of one below the burst's rate would have refilled
		// within a few gaps). Then the burst's estimate is about the
		// limit, not under it: settle there instead of searching above
		// it, unless a later answer in flight is accepted after all.
		p.emptied = true
		p.burstHi = p.hi
		p.hi = p.lo / plateauFactor
		if p.burst <= 2 {
			// Two accepted say least: a bucket of two fits any
			// limit from about 1.5 to 50 requests/s alike. Probe
			// above the estimate sooner, and further.
			p.probe, p.runLen = pairProbe, minRun
		}
		p.choose()
	}
	if !t.start.Before(p.cut) {
		// A new congestion episode (429s answered to requests that started
		// before the last cut belong to that cut). What was refused is the
		// rate really sent: the pacer's, or less when the caller
		// (Terraform) was slower than the pacer.
		refused := min(t.rate, p.gapRate(t.start))
		acc, measured := p.acceptedRate(now)
		drained := p.drainedRate(t.start)
		if hasRetryAfter && retryAfter >= 2*time.Second && !p.lastGood.IsZero() {
			// A Retry-After of whole seconds after a gap g since the last
			// accepted request brackets a token bucket's interval: more
			// than g + retryAfter - 1s, less than g + retryAfter + 1s
			// (the header's resolution is a second). Slow limits are
			// found from it instead of by refused tries.
			g := t.start.Sub(p.lastGood) + retryAfter
			refused = min(refused, 1/(g-time.Second).Seconds())
			if p.lo == 0 || p.contradicted {
				p.lo = 1 / (g + time.Second).Seconds()
			}
		}
		climb := false
		wasEdge := p.edge
		p.edge = false
		switch {
		case !p.limited && p.ngoods >= 2:
			// The first 429, after a burst. A token bucket starts full: the
			// k requests accepted in the t1 seconds up to the first refusal
			// are its B tokens plus R x t1. With a bucket of up to one
			// second of rate, k / (t1 + 1s) is at most R (exactly R when
			// B = R). But a bucket of 1 at 50/s and one of 3 at 3/s accept
			// the same first three, and one of 10 at 10/s the same ten as
			// one of 1 at 100/s: the estimate is only known-good, and the
			// bracket up to the refused rate is searched from it (a
			// refusal within twice of it settles back there).
			est := float64(p.ngoods) / (t.start.Sub(p.first).Seconds() + 1)
			p.burst = p.ngoods
			if est < refused {
				p.lo = est
				p.base = est
				p.runLen = climbRun
				climb = true
			}
		case !p.limited:
			// The first 429. Successes in the last window at a steady rate
			// are a known-good rate; without them nothing is known yet.
			if measured && acc < refused {
				p.lo = acc
			}
		case (p.probing || p.raised) && refused <= 2*p.base:
			// A refused probe, or a refusal at the rate a probe raised the
			// plateau to, near where the probes began: settled below, back
			// there (what the probes confirmed is not known-good).
		case refused <= p.lo && refused*bracket >= p.lo && (!wasEdge || p.since >= jitterRun):
			// Refused at about the accepted rate: the edge of the limit
			// (client and API clocks never agree to the millisecond).
			// Step just under it.
			p.lo = edgeFactor * refused
			if p.emptied && !p.burstEdge && refused <= bracket*p.base {
				// Refused at the estimate k / (t1 + 1s) of a burst that
				// emptied a bucket: the estimate took the bucket to
				// hold one second of rate. One token more (the rate
				// rounded up) makes it (k-1) / (t1 + 1s), (k-1)/k of
				// the estimate: step there, once, never under beta.
				p.burstEdge = true
				k := float64(p.burst)
				p.lo = min(p.lo, p.base*max(beta, (k-1)/k))
			}
			refused = p.lo / plateauFactor
			p.edge = true
		case refused <= p.lo && drained > 0:
			// Refused at what was accepted before: a bucket that let a
			// burst through has run dry, or jitter. Since the last 429 the
			// API accepted what its rate allows and no more: that is the
			// known-good rate now.
			p.lo = min(p.lo, drained)
			p.contradicted = true
		case refused <= p.lo && p.since >= jitterRun || refused <= p.lo && p.since >= 2 && !p.contradicted:
			// An isolated 429 after a long run of successes at about this
			// rate, or after a few since a cut that nothing contradicted:
			// the jitter between client and API more likely than a new
			// limit. Step just under it.
			p.lo = plateauFactor * refused
		case refused <= p.lo && p.contradicted:
			// Refused again under what was accepted, with no success in
			// between: the limit dropped. What was known no longer holds.
			p.lo = 0
		case refused <= p.lo:
			// Refused at what was accepted before, too soon after the last
			// 429 to measure what the API grants: known-good goes well
			// under it, and the bracket is tried from there.
			p.lo = beta * refused
			p.contradicted = true
		}
		settled := false
		if p.emptied && (p.raised || p.probing) && refused > 2*p.base {
			// Probes above a bucket larger than one, refused far above
			// where they began: the probes let through may have spent
			// tokens saved under the limit, so what they confirmed is
			// not known-good. Settle at what the API is known to grant.
			settled = true
			p.lo = min(p.lo, max(p.grantedRate(t.start), p.base))
			refused = p.lo / plateauFactor
		} else if (p.raised || p.probing || p.climb) && p.limited && refused <= 2*p.base {
			// Tries above a known-good rate (probes, or the search from a
			// short first burst) ended in a refusal near where they
			// began: the limit is close to that start, and a bucket larger
			// than one let tries through on tokens saved under it. Settle
			// back where they began, or at what the API accepted since the
			// last cut (drained then and now: a rate it grants) if more,
			// and stay at that known-good rate.
			settled = true
			if p.lo == 0 {
				// Refused twice under what was accepted: the start is
				// all that is still known.
				p.lo = max(drained, p.base)
			}
			p.lo = min(p.lo, max(drained, p.base))
			if p.emptied && (p.raised || p.probing) {
				// Above a bucket larger than one, that start may itself
				// have been let through on saved tokens: no higher than
				// the API is known to grant, unless that is far under.
				if g := p.grantedRate(t.start); g > 0 {
					p.lo = min(p.lo, max(g, beta*p.base))
				}
			}
			refused = p.lo / plateauFactor
		}
		// Growth starts small again after a refusal, as CUBIC's does.
		p.probe = firstProbe
		p.raised = false
		p.climb = climb || p.climb && !settled
		if p.probing {
			// A refused probe: wait twice as long before the next
			// series as before this one.
			p.runLen = 2 * max(p.runLen, p.baseRun)
			p.probing = false
		}
		if p.lo == 0 {
			p.blind++
		}
		p.refusedAt = t.start
		p.sinceRefused = p.sinceRefused[:0]
		p.limited = true
		p.hi = refused
		p.cut = now
		p.run = 0
		p.since = 0
		p.choose()

		// The refused attempts took no token: the spacing counts from the
		// last accepted request, unless others are still on their way
		// (any of them may take one).
		if !p.lastGood.IsZero() && p.inflight == 0 {
			p.last = p.lastGood
		}
	}
	switch {
	case hasRetryAfter && retryAfter >= 2*time.Second:
		// Advice well over the header's one-second resolution: every
		// request holds back that long.
		p.hold = later(p.hold, now.Add(retryAfter))
	case p.lastGood.IsZero():
		p.hold = later(p.hold, now.Add(interval(p.rate)))
	}
	// A shorter Retry-After (often one second, rounded up from a few
	// milliseconds) holds back only the refused request (the transport
	// waits it out); the others keep to the reduced rate.
}

// choose sets the rate from what is known of the limit: under the lowest
// refused rate hi and at or over the highest accepted rate lo.
func (p *Pacer) choose() {
	// allowed is the most 429s the pacer promises for an apply of as many
	// removals as have succeeded so far (max(5, N/10)).
	allowed := max(probeFree, p.ngoods/10)
	if p.lo == 0 {
		// Nothing accepted under hi yet: try well under it, and at least
		// at the next of a few rates spread over the range, so that the
		// search does not depend on the exact gaps of the first tries.
		step := blindRates[min(max(p.blind, 1), len(blindRates))-1]
		p.rate = min(plateauFactor*p.hi, max(p.hi/blindStep, step))
		p.clamp()
		return
	}
	switch {
	case p.hi > bracket*p.lo && (p.throttled < allowed || p.hi > spentBracket*p.lo):
		// A wide bracket: try a point in it (in log terms), nearer the
		// known-good end, since a refused try costs a 429 and an accepted
		// one only a little time.
		w := tryWeight
		top := p.hi
		if p.throttled+1 >= allowed {
			// The last 429 the pacer allows itself: nearer the
			// accepted rate, and no further than where a refusal
			// leaves a bracket narrow enough to settle in.
			w = lastTryWeight
			top = spentBracket * p.lo
		}
		p.rate = min(plateauFactor*p.hi, top, math.Pow(p.lo, 1-w)*math.Pow(p.hi, w))
	default:
		// A narrow one (or one the 429s spent no longer let the pacer try
		// in): settle at the accepted rate, just under hi.
		p.rate = min(p.lo, plateauFactor*p.hi)
		if p.throttled >= allowed {
			// No 429 left to spend: keep a little under the accepted
			// rate too, off the edge of a bucket of one.
			p.rate = min(p.rate, spentFactor*p.lo)
		}
	}
	p.clamp()
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// succeeded records an answer other than 429 for the attempt t.
func (p *Pacer) succeeded(t ticket) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	p.inflight--
	confirmed := min(t.rate, p.gapRate(t.start))
	p.goods[p.ngoods%len(p.goods)] = t.start
	p.ngoods++
	p.accepted = append(p.accepted, now)
	if len(p.accepted) > 64 {
		p.accepted = append(p.accepted[:0], p.accepted[len(p.accepted)-minSamples:]...)
	}
	if t.start.After(p.lastGood) {
		p.lastGood = t.start
	}
	if t.start.After(p.refusedAt) && len(p.sinceRefused) < 4096 {
		p.sinceRefused = append(p.sinceRefused, t.start)
	}
	switch {
	case !p.limited:
		if t.queued {
			// Grow only while the pacer holds requests back: while
			// Terraform is slower, a higher rate would be untested.
			p.rate *= slowStartGrowth
		}
		if p.ngoods > 1 {
			// The window opens from the second success: until then
			// one answer says little about the limit.
			p.window++
		}
		p.clamp()
		return
	case p.climb && t.start.After(p.refusedAt) && t.start.Before(p.cut) && inflightBeta*confirmed > p.lo:
		// Sent after the refused request and before its answer, and
		// accepted: the API's bucket refilled within this request's
		// gap, most likely at about that rate. Search from under it.
		p.lo = inflightBeta * confirmed
		if p.emptied {
			// A bucket of one after all.
			p.emptied = false
			p.hi = max(p.hi, p.burstHi)
			p.probe, p.runLen = firstProbe, climbRun
		}
		p.choose()
		return
	case t.start.Before(p.cut) || confirmed < p.rate*testedShare:
		// An answer to a request sent before the last change, or one that
		// went out slower than the current rate (Terraform, not the pacer,
		// set its pace), says nothing about the current rate.
		return
	}
	p.lo = max(p.lo, confirmed)
	p.contradicted = false
	p.blind = 0
	p.since++
	if p.probing {
		// The probe held: the limit is at least that. Probe further and
		// sooner, as CUBIC grows fast far from the last refused rate.
		p.probing = false
		p.raised = true
		p.probe = min(2*p.probe, maxProbe)
		p.runLen = max(p.runLen/2, minRun)
	}
	if p.hi > bracket*p.lo {
		p.choose()
		return
	}
	p.run++
	if p.run >= p.runLen && p.throttled+1 < max(probeFree, p.ngoods/probeShare) {
		// Probe above the plateau, in case the limit rose.
		p.run = 0
		if !p.raised {
			p.base, p.baseRun = p.lo, p.runLen
		}
		p.hi *= 1 + p.probe
		p.probing = true
		p.rate = plateauFactor * p.hi
		p.clamp()
	}
}

func (p *Pacer) clamp() {
	p.rate = min(max(p.rate, minRate), maxRate)
	if p.ceiling > 0 {
		p.rate = min(p.rate, p.ceiling)
	}
}

// Rate returns the current rate in requests per second.
func (p *Pacer) Rate() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rate
}

// Throttles returns how many 429s the pacer has seen.
func (p *Pacer) Throttles() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.throttled
}

// release ends an attempt that got no answer.
func (p *Pacer) release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inflight--
}

// drainedRate is a rate the API is known to accept, from the requests it
// accepted between the last cut's 429 and a 429 at t: a token bucket was
// empty at both (less than one token), so it refilled at least the
// accepted count less one over that time. 0 when too few to tell.
func (p *Pacer) drainedRate(t time.Time) float64 {
	if p.refusedAt.IsZero() {
		return 0
	}
	n := len(p.acceptedBefore(t))
	span := t.Sub(p.refusedAt)
	if n < drainedSamples || span <= 0 {
		return 0
	}
	return float64(n-1) / span.Seconds()
}

// acceptedBefore returns the starts of the requests accepted since the last
// cut that started before t.
func (p *Pacer) acceptedBefore(t time.Time) []time.Time {
	var starts []time.Time
	for _, s := range p.sinceRefused {
		if s.Before(t) {
			starts = append(starts, s)
		}
	}
	return starts
}

// grantedRate is a rate the API is known to grant, from the requests it
// accepted between the last cut's 429 and a 429 at t, above a bucket of at
// most burst tokens: it was empty at both, so it refilled at least as
// many as it accepted since the last cut, less one; and, over the last m
// accepted requests, at least m less the tokens it can hold. The highest
// of these bounds; 0 when none.
func (p *Pacer) grantedRate(t time.Time) float64 {
	starts := p.acceptedBefore(t)
	// Answers may come back in another order than their requests left.
	slices.SortFunc(starts, time.Time.Compare)
	n := len(starts)
	best := 0.0
	if span := t.Sub(p.refusedAt).Seconds(); n > 1 && span > 0 {
		best = float64(n-1) / span
	}
	for m := p.burst + 1; m <= n; m++ {
		if span := t.Sub(starts[n-m]).Seconds(); span > 0 {
			best = max(best, float64(m-p.burst)/span)
		}
	}
	return best
}

// gapRate is the rate that the time from the latest accepted request
// started before t to t stands for: what an attempt at t really asked of a
// token bucket that refills from its last accepted request. +Inf when none
// is known.
func (p *Pacer) gapRate(t time.Time) float64 {
	var prev time.Time
	for i := range min(p.ngoods, len(p.goods)) {
		if s := p.goods[i]; s.Before(t) && s.After(prev) {
			prev = s
		}
	}
	if prev.IsZero() {
		return math.Inf(1)
	}
	return 1 / t.Sub(prev).Seconds()
}

// acceptedRate is the rate at which the API accepted the latest requests,
// from the spacing of the last minSamples accepted within window.
func (p *Pacer) acceptedRate(now time.Time) (float64, bool) {
	recent := p.accepted[max(0, len(p.accepted)-minSamples):]
	for len(recent) > 0 && recent[0].Before(now.Add(-window)) {
		recent = recent[1:]
	}
	if len(recent) < minSamples {
		return 0, false
	}
	span := recent[len(recent)-1].Sub(recent[0])
	if span <= 0 {
		return 0, false
	}
	return float64(len(recent)-1) / span.Seconds(), true
}

func interval(rate float64) time.Duration {
	return time.Duration(float64(time.Second) / rate)
}
