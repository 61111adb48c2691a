package upswift

import (
	"math"
	"time"
)

// The pacer's rules (the numbered list atop pacer.go), each a step of the
// same name: cut applies them to a 429, grow to an accepted answer.

// throttledAt records a 429 for the attempt t, with the server's
// Retry-After when hasRetryAfter.
func (p *pacer) throttledAt(t ticket, retryAfter time.Duration, hasRetryAfter bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	p.inflight--
	p.answered++
	if !hasRetryAfter || retryAfter < 2*time.Second {
		retryAfter = 0 // rule 8 reads whole seconds: under 2 they bracket nothing
	}
	p.step(now, func() { p.cut(t, now, retryAfter) })
}

// cut cuts the rate for the 429 of the attempt t: CUBIC's cut from the rate
// t went out at, then the rules that apply.
func (p *pacer) cut(t ticket, now time.Time, retryAfter time.Duration) {
	if t.start.Before(p.cutAt) {
		return // sent before the last cut: its answer belongs to it
	}
	sent := p.sentRate(t)
	p.wmax, p.floor = settle*sent, beta*sent
	switch {
	case !p.limited:
		p.firstBurst(t)
	case p.acceptedAfterRefused >= 2:
		p.provedRate(t, sent)
	}
	p.refusedFirstRequest(sent)
	if retryAfter > 0 {
		p.retryAfter(t, now, retryAfter)
	}
	p.floor = min(p.floor, p.wmax)
	if sent > p.fastest {
		p.aloneAtItsLimit()
	} else {
		p.neighbours()
	}
	p.limited = true
	p.cutAt, p.refusedStart, p.acceptedAfterRefused = now, t.start, 0
	p.rate = p.floor
	p.clamp()
	switch {
	case !p.lastGood.IsZero() && p.inflight == 0:
		// The refused attempt took no token: the spacing counts from the
		// last accepted request, unless others are still on their way.
		p.last = p.lastGood
	case p.lastGood.IsZero() && retryAfter == 0:
		p.hold = later(p.hold, now.Add(interval(p.rate))) // no token seen yet
	}
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

// cubic (rule 1) is the rate t seconds after a cut from wmax to floor:
// W(t) = C (t-k)^3 + W_max, whose half below W_max is stretched to start
// at floor when the climb back takes k seconds, longer than CUBIC's own K.
func cubic(wmax, floor, k, t float64) float64 {
	d := t - k
	if d < 0 {
		x := -d / k
		return wmax - (wmax-floor)*x*x*x
	}
	return wmax + cubicC*d*d*d
}

// cubicK is CUBIC's K: the seconds its curve takes from floor to wmax.
func cubicK(wmax, floor float64) float64 { return math.Cbrt((wmax - floor) / cubicC) }

// proved is what a token bucket, empty at the last cut (or full a second
// before the first request) and empty again at t, granted in between: all
// it accepted, less one.
func (p *pacer) proved(t ticket) float64 {
	return float64(p.acceptedAfterRefused-1) / t.start.Sub(p.refusedStart).Seconds()
}

// firstBurst (rule 2) ends slow start.
func (p *pacer) firstBurst(t ticket) {
	if p.acceptedAfterRefused >= 2 {
		p.wmax, p.floor = p.proved(t), p.proved(t)
		return
	}
	p.floor = 1 / t.start.Sub(p.refusedStart).Seconds()
}

// provedRate (rule 3) is the floor of every later cut.
func (p *pacer) provedRate(t ticket, sent float64) {
	p.floor = max(p.floor, min(p.proved(t), sent))
}

// inFlightAccepted (rule 4): sent after the refused request, t went out at
// a rate the API grants (a bucket refilled within its gap): the climb
// restarts from it, back toward the pace t went out at.
func (p *pacer) inFlightAccepted(t ticket, sent float64) {
	p.floor, p.wmax = sent, max(p.wmax, sent, settle*t.rate)
	p.secsToWmax = cubicK(p.wmax, p.floor)
	p.rate = max(p.rate, sent)
	p.clamp()
}

// aloneAtItsLimit (rule 5): refused above every rate the API carried for
// this pace.
func (p *pacer) aloneAtItsLimit() {
	p.secsToWmax = max(cubicK(p.wmax, p.floor), returnRun/p.wmax)
}

// neighbours (rule 6): refused at or under a rate the API carried.
func (p *pacer) neighbours() {
	p.secsToWmax = cubicK(p.wmax, p.floor)
}

// refusedFirstRequest (rule 7): with nothing accepted yet, the rate sent is
// one the API carries for others, so no later 429 under it is alone at its
// limit; past the first 429 the pacer keeps its pace.
func (p *pacer) refusedFirstRequest(sent float64) {
	if p.accepted > 0 {
		return
	}
	p.fastest = max(p.fastest, sent)
	if p.limited {
		p.wmax, p.floor = p.rate, p.rate
	}
}

// retryAfter (rule 8): whole seconds after a gap since the last accepted
// request bracket a token bucket's interval to within the header's second.
func (p *pacer) retryAfter(t ticket, now time.Time, d time.Duration) {
	p.hold = later(p.hold, now.Add(d))
	if p.lastGood.IsZero() {
		return
	}
	g := t.start.Sub(p.lastGood) + d
	p.wmax = min(p.wmax, 1/(g-time.Second).Seconds())
	p.floor = max(min(p.floor, p.wmax), 1/(g+time.Second).Seconds())
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

// grow counts an accepted answer and moves the rate along slow start or
// the curve.
func (p *pacer) grow(t ticket, now time.Time) {
	p.accepted++
	sent := p.sentRate(t)
	if t.start.After(p.lastGood) {
		p.lastGood = t.start
	}
	if t.start.After(p.refusedStart) {
		p.acceptedAfterRefused++
	}
	if p.limited && t.start.Before(p.cutAt) && t.start.After(p.refusedStart) && sent > p.floor {
		p.inFlightAccepted(t, sent)
	}
	if t.start.Before(p.cutAt) || !t.queued {
		return // the caller, not the pacer, set its pace
	}
	if !p.limited {
		p.rate *= growth
	} else {
		p.fastest = max(p.fastest, sent)
		// As the AWS SDKs: at most twice the rate sent.
		p.rate = min(cubic(p.wmax, p.floor, p.secsToWmax, now.Sub(p.cutAt).Seconds()), 2*sent)
	}
	p.clamp()
}
