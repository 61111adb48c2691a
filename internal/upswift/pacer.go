package upswift

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// Pacing parameters. The pacer keeps a rate (request starts per second) for
// the whole client: unlimited until the API first answers 429, then
// additive increase on every success and multiplicative decrease on a 429,
// at most once per congestion episode.
const (
	// decreaseFactor scales the rate down on a 429.
	decreaseFactor = 0.7
	// increasePerSecond is how many requests per second the rate grows by
	// for each second's worth of successful requests.
	increasePerSecond = 8.0
	// minRate is the slowest the pacer goes: one request every ten seconds.
	minRate = 0.1
	// burstWindow is the span over which the send rate is measured when the
	// first 429 arrives, so that the pacer starts from what was sent.
	burstWindow = time.Second
)

// Pacer spaces the starts of all requests of one client so that parallel
// workers share one view of the API's rate limit. It is safe for
// concurrent use.
type Pacer struct {
	mu  sync.Mutex
	now func() time.Time

	ceiling   float64   // highest rate allowed by configuration; 0 = none
	rate      float64   // current rate; 0 = not paced (no 429 seen, no ceiling)
	next      time.Time // earliest start of the next request
	episode   time.Time // end of the current congestion episode
	recent    []time.Time
	throttled int
}

// NewPacer returns a pacer; requestsPerMinute > 0 paces requests from the
// first one on. now is the clock (time.Now when nil).
func NewPacer(requestsPerMinute int, now func() time.Time) *Pacer {
	if now == nil {
		now = time.Now
	}
	p := &Pacer{now: now}
	if requestsPerMinute > 0 {
		p.ceiling = float64(requestsPerMinute) / 60
		p.rate = p.ceiling
	}
	return p
}

// Reserve books the next start slot and returns how long to wait for it.
func (p *Pacer) Reserve() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	start := now
	if p.next.After(start) {
		start = p.next
	}
	if p.rate > 0 {
		p.next = start.Add(interval(p.rate))
	}
	p.recent = append(p.recent, start)
	if len(p.recent) > 256 {
		p.recent = p.recent[len(p.recent)-128:]
	}
	return start.Sub(now)
}

// Wait blocks until the next slot or until ctx ends.
func (p *Pacer) Wait(ctx context.Context) error {
	d := p.Reserve()
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Throttled records a 429. retryAfter > 0 is the server's advice: every
// request of the client holds back that long. Without advice the client
// holds back for one interval of the reduced rate.
func (p *Pacer) Throttled(retryAfter time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	p.throttled++
	if !now.Before(p.episode) {
		// A new congestion episode: cut the rate once. 429s answered to
		// requests that were already in flight belong to the same episode.
		if p.rate == 0 {
			p.rate = p.sentRate(now)
		}
		p.rate = max(p.rate*decreaseFactor, minRate)
		p.episode = now.Add(2 * interval(p.rate))
	}
	hold := interval(p.rate)
	if retryAfter > 0 {
		hold = retryAfter
	}
	if until := now.Add(hold); until.After(p.next) {
		p.next = until
	}
}

// Succeeded records an answer that was not a 429: the rate grows by
// increasePerSecond for each second's worth of requests.
func (p *Pacer) Succeeded() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.rate == 0 {
		return
	}
	p.rate += increasePerSecond / p.rate
	if p.ceiling > 0 && p.rate > p.ceiling {
		p.rate = p.ceiling
	}
}

// Rate returns the current rate in requests per second; 0 means not paced.
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

// sentRate measures the rate of request starts over the last burstWindow,
// counting a window of at least 100ms so that a burst of simultaneous starts
// does not read as an infinite rate.
func (p *Pacer) sentRate(now time.Time) float64 {
	from := now.Add(-burstWindow)
	n := 0
	first := now
	for _, t := range p.recent {
		if t.After(from) {
			n++
			if t.Before(first) {
				first = t
			}
		}
	}
	span := max(now.Sub(first), 100*time.Millisecond)
	return max(float64(n)/span.Seconds(), minRate)
}

func interval(rate float64) time.Duration {
	return time.Duration(float64(time.Second) / rate)
}

// pacedTransport makes every attempt, retries included, wait for the
// client's pacer and reports 429s back to it.
type pacedTransport struct {
	base  http.RoundTripper
	pacer *Pacer
}

func (t *pacedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.pacer.Wait(req.Context()); err != nil {
		return nil, err
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		d, _ := ParseRetryAfter(resp.Header.Get("Retry-After"), t.pacer.now())
		t.pacer.Throttled(d)
	} else {
		t.pacer.Succeeded()
	}
	return resp, nil
}
