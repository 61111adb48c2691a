package upswift

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// Pacing parameters. The pacer keeps one rate (request starts per second)
// for all requests of a client. It starts by spacing requests a little, so
// that parallel workers do not all start in one burst, and grows the rate
// fast (slow start) until the first 429, which halves it; where the client
// was sending at more than twice the rate the API accepted, it goes straight
// to just under that accepted rate instead. From then on it cuts the rate
// once per congestion episode (multiplicative decrease) and probes upward
// slowly (additive increase), as TCP does.
const (
	// initialRate is where slow start begins, in requests per second: it
	// spreads the first requests of parallel workers over a few
	// milliseconds instead of one burst.
	initialRate = 100.0
	// slowStartGrowth scales the rate up on every success until the first
	// 429: in a few dozen requests the pacer no longer holds back a client
	// that no rate limit stops.
	slowStartGrowth = 1.05
	// settleFactor places the rate under the measured capacity, leaving
	// room for jitter between the client and the API.
	settleFactor = 0.95
	// window is how far back accepted requests count towards the measured
	// capacity.
	window = time.Second
	// maxRate is the fastest the pacer paces; beyond it requests are
	// effectively not paced.
	maxRate = 1000.0
	// minRate is the slowest: one request every ten seconds.
	minRate = 0.1
	// decreaseFactor cuts the rate on a 429 once slow start is over, once
	// per congestion episode.
	decreaseFactor = 0.85
	// slowStartCut cuts the rate on the first 429, unless the capacity
	// measured then is lower still.
	slowStartCut = 0.5
	// increasePerSecond is how many requests per second the rate grows by
	// for each second of successful requests after the first 429.
	increasePerSecond = 2.0
	// minEpisode is the shortest time over which 429s count as one
	// congestion episode: the answers to requests already under way.
	minEpisode = 100 * time.Millisecond
)

// Pacer spaces the starts of all requests of one client so that parallel
// workers share one view of the API's rate limit instead of each retrying
// on its own. It is safe for concurrent use.
type Pacer struct {
	mu  sync.Mutex
	now func() time.Time

	ceiling   float64   // highest rate allowed by configuration; 0 = none
	rate      float64   // current rate
	slowStart bool      // no 429 yet: grow fast
	next      time.Time // earliest start of the next request
	episode   time.Time // 429s before this belong to the last cut
	started   time.Time // first request
	accepted  []time.Time
	throttled int
}

// NewPacer returns a pacer. requestsPerMinute > 0 caps the rate and is
// where it starts. now is the clock (time.Now when nil).
func NewPacer(requestsPerMinute int, now func() time.Time) *Pacer {
	if now == nil {
		now = time.Now
	}
	p := &Pacer{now: now, rate: initialRate, slowStart: true}
	if requestsPerMinute > 0 {
		p.ceiling = float64(requestsPerMinute) / 60
		p.rate = p.ceiling
	}
	return p
}

// tryStart starts a request if its turn has come and returns 0, or returns
// how long to wait before asking again. Turns are not booked ahead: the
// spacing holds between the moments requests really start, however late a
// waiting worker wakes up.
func (p *Pacer) tryStart() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if now.Before(p.next) {
		return p.next.Sub(now)
	}
	if p.started.IsZero() {
		p.started = now
	}
	p.next = now.Add(interval(p.rate))
	return 0
}

// Wait blocks until a request may start or until ctx ends.
func (p *Pacer) Wait(ctx context.Context) error {
	for {
		d := p.tryStart()
		if d <= 0 {
			return ctx.Err()
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Throttled records a 429. retryAfter > 0 is the server's advice: every
// request of the client holds back that long. Without it the client holds
// back one interval of the new rate.
func (p *Pacer) Throttled(retryAfter time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	p.throttled++
	if !now.Before(p.episode) {
		// One cut per congestion episode: 429s answered to requests that
		// were already on their way belong to the same one.
		capacity, measured := p.capacity(now)
		switch {
		case measured && capacity < p.rate/2:
			// Sending at more than twice what the API accepts: what it
			// accepted meanwhile is its capacity.
			p.rate = capacity * settleFactor
		case p.slowStart:
			p.rate *= slowStartCut
		default:
			p.rate *= decreaseFactor
		}
		p.slowStart = false
		p.rate = max(p.rate, minRate)
		p.episode = now.Add(max(minEpisode, 3*interval(p.rate)))
	}
	hold := interval(p.rate)
	if retryAfter > 0 {
		hold = retryAfter
	}
	if until := now.Add(hold); until.After(p.next) {
		p.next = until
	}
}

// Succeeded records an answer that was not a 429.
func (p *Pacer) Succeeded() {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	p.accepted = append(p.accepted, now)
	if len(p.accepted) > 512 {
		p.accepted = append(p.accepted[:0], p.accepted[len(p.accepted)-256:]...)
	}
	switch {
	case now.Before(p.episode):
		// No probing while the answers to a cut are still coming in.
	case p.slowStart:
		p.rate *= slowStartGrowth
	default:
		p.rate += increasePerSecond / p.rate
	}
	p.rate = min(p.rate, maxRate)
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

// capacity measures the rate at which the API accepted the latest requests,
// from the spacing of up to the last 10 accepted within the last window:
// while the client sends faster than the API allows, that is the API's
// capacity. It needs at least 8 of them.
func (p *Pacer) capacity(now time.Time) (float64, bool) {
	recent := p.accepted[max(0, len(p.accepted)-10):]
	for len(recent) > 0 && recent[0].Before(now.Add(-window)) {
		recent = recent[1:]
	}
	if len(recent) < 8 {
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

// pacedTransport makes every attempt, retries included, wait for the
// client's pacer, bounds the attempt itself by timeout, and reports the
// answers back to the pacer.
type pacedTransport struct {
	base    http.RoundTripper
	pacer   *Pacer
	timeout time.Duration
}

func (t *pacedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.pacer.Wait(req.Context()); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	resp, err := t.base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		if errors.Is(err, context.DeadlineExceeded) && req.Context().Err() == nil {
			err = fmt.Errorf("no answer within %s: %w", t.timeout, err)
		}
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	if resp.StatusCode == http.StatusTooManyRequests {
		d, _ := ParseRetryAfter(resp.Header.Get("Retry-After"), t.pacer.now())
		t.pacer.Throttled(d)
	} else {
		t.pacer.Succeeded()
	}
	return resp, nil
}

// cancelOnClose ends an attempt's timeout once its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}
