package upswift

import (
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a clock that moves only when told.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newFakePacer(rpm int) (*Pacer, *fakeClock) {
	c := &fakeClock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	return NewPacer(rpm, c.now), c
}

func TestPacerSpacesRequestsFromTheStart(t *testing.T) {
	p, clock := newFakePacer(0)
	if d := p.tryStart(); d != 0 {
		t.Fatalf("the first request waits %s", d)
	}
	// Other workers arriving at once wait one interval of the initial rate,
	// instead of going out in a burst.
	want := interval(initialRate)
	for range 3 {
		if d := p.tryStart(); d != want {
			t.Fatalf("a second request at once waits %s, want %s", d, want)
		}
	}
	clock.advance(want)
	if d := p.tryStart(); d != 0 {
		t.Fatalf("after one interval the next request still waits %s", d)
	}
	// A worker that wakes late does not shorten the next spacing.
	clock.advance(want + 7*time.Millisecond)
	p.tryStart()
	if d := p.tryStart(); d != want {
		t.Fatalf("the request after a late one waits %s, want a full %s", d, want)
	}
}

func TestPacerSlowStartGrowsUntilFirst429(t *testing.T) {
	p, clock := newFakePacer(0)
	for range 100 {
		startNow(p, clock)
		p.Succeeded()
	}
	if r, want := p.Rate(), min(initialRate*math.Pow(slowStartGrowth, 100), maxRate); math.Abs(r-want) > 0.5 {
		t.Fatalf("after 100 successes the rate is %.1f, want %.1f", r, want)
	}
	p2, _ := newFakePacer(0)
	for range 5000 {
		p2.Succeeded()
	}
	if r := p2.Rate(); r != maxRate {
		t.Fatalf("rate %.1f exceeds or misses the cap %v", r, maxRate)
	}
}

func TestPacerSettlesUnderMeasuredCapacity(t *testing.T) {
	p, clock := newFakePacer(0)
	// The API accepts one request every 20ms (50/s) while slow start
	// keeps raising the rate past that.
	for range 30 {
		startNow(p, clock)
		clock.advance(20 * time.Millisecond)
		p.Succeeded()
	}
	if p.Rate() < 100 {
		t.Fatalf("slow start did not grow: %.1f", p.Rate())
	}
	p.Throttled(0)
	if got, want := p.Rate(), 50*settleFactor; math.Abs(got-want) > 2 {
		t.Fatalf("rate after the first 429 is %.1f, want about %.1f (capacity 50/s x %.2f)", got, want, settleFactor)
	}
	// 429s answered to requests already under way do not cut again.
	r := p.Rate()
	clock.advance(minEpisode / 2)
	p.Throttled(0)
	p.Throttled(0)
	if p.Rate() != r {
		t.Fatalf("a 429 of the same episode cut the rate again: %.2f -> %.2f", r, p.Rate())
	}
	if p.Throttles() != 3 {
		t.Fatalf("counted %d 429s, want 3", p.Throttles())
	}
	// After the episode a new 429 cuts gently; slow start is over.
	clock.advance(time.Second)
	p.Throttled(0)
	if got, want := p.Rate(), r*decreaseFactor; math.Abs(got-want) > 0.01 {
		t.Fatalf("a 429 after the episode: rate %.2f, want %.2f", got, want)
	}
	clock.advance(time.Second)
	r = p.Rate()
	p.Succeeded()
	if got, want := p.Rate()-r, increasePerSecond/r; math.Abs(got-want) > 0.01 {
		t.Fatalf("one success after the episode added %.3f req/s, want %.3f: additive, not slow start", got, want)
	}
}

func TestPacerEarly429HalvesTheRate(t *testing.T) {
	p, _ := newFakePacer(0)
	p.tryStart()
	p.Throttled(0) // nothing accepted yet: no capacity to measure
	if got, want := p.Rate(), initialRate*slowStartCut; got != want {
		t.Fatalf("rate %.1f, want %.1f", got, want)
	}
}

func TestPacerAdditiveIncreaseAfterThrottle(t *testing.T) {
	p, clock := newFakePacer(0)
	p.Throttled(0)
	// No probing while the episode lasts.
	before := p.Rate()
	p.Succeeded()
	if p.Rate() != before {
		t.Fatalf("the rate grew from %.2f to %.2f right after a 429", before, p.Rate())
	}
	clock.advance(time.Second)
	// One second of successes at the current rate adds about
	// increasePerSecond.
	for range int(before) {
		clock.advance(interval(p.Rate()))
		p.Succeeded()
	}
	if got := p.Rate() - before; math.Abs(got-increasePerSecond) > 0.3 {
		t.Fatalf("one second of successes added %.2f req/s, want about %.1f", got, increasePerSecond)
	}
}

func TestPacerHonoursRetryAfterForEveryone(t *testing.T) {
	p, clock := newFakePacer(0)
	p.tryStart()
	p.Throttled(3 * time.Second)
	if d := p.tryStart(); d < 3*time.Second {
		t.Fatalf("next request waits %s, want at least the 3s Retry-After", d)
	}
	clock.advance(5 * time.Second)
	if d := p.tryStart(); d != 0 {
		t.Fatalf("after the hold the next request waits %s", d)
	}
}

func TestPacerWithoutRetryAfterHoldsOneInterval(t *testing.T) {
	p, _ := newFakePacer(0)
	p.Throttled(0)
	want := interval(p.Rate())
	if d := p.tryStart(); absDur(d-want) > time.Millisecond {
		t.Fatalf("next request waits %s, want one interval %s, not whole seconds", d, want)
	}
}

func TestPacerCeiling(t *testing.T) {
	p, _ := newFakePacer(120) // 2 per second
	if r := p.Rate(); r != 2 {
		t.Fatalf("start rate %.1f, want 2", r)
	}
	for range 100 {
		p.Succeeded()
	}
	if r := p.Rate(); r != 2 {
		t.Fatalf("rate %.1f grew past the ceiling of 2/s", r)
	}
	p.tryStart()
	if d := p.tryStart(); d != 500*time.Millisecond {
		t.Fatalf("second request waits %s, want 500ms", d)
	}
}

func TestPacerWaitStopsOnCancel(t *testing.T) {
	p := NewPacer(1, nil) // one per minute
	p.tryStart()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := p.Wait(ctx); err == nil {
		t.Fatal("Wait returned nil after its context ended")
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("Wait kept waiting after cancel")
	}
}

// TestClientSharesPacingUnderRateLimit: parallel callers of one client
// against a server that allows 50 requests per second with a bucket of 1
// all succeed with few 429 answers.
func TestClientSharesPacingUnderRateLimit(t *testing.T) {
	var mu sync.Mutex
	var last time.Time
	var ok200, got429 atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		now := time.Now()
		allowed := now.Sub(last) >= 20*time.Millisecond
		if allowed {
			last = now
		}
		mu.Unlock()
		if !allowed {
			got429.Add(1)
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{}`))
			return
		}
		ok200.Add(1)
		_, _ = w.Write([]byte(`{"message": "Success"}`))
	}))
	defer srv.Close()
	c, err := NewClient(Options{Endpoint: srv.URL, UserToken: testToken, MaxRetries: 10, RetryWaitMin: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for range 10 {
		wg.Go(func() {
			for range 10 {
				errs <- c.RemoveApp(context.Background(), RemoveAppRequest{AppName: "a", DeviceFilter: DeviceFilter{Project: Project{Name: "P"}}})
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("a removal failed: %v", err)
		}
	}
	if ok200.Load() != 100 {
		t.Fatalf("%d successes, want 100", ok200.Load())
	}
	if n := got429.Load(); n > 8 {
		t.Fatalf("%d answers of 429 for 100 requests, want at most 8", n)
	}
	t.Logf("429 answers: %d, final rate %.1f/s", got429.Load(), c.pacer.Rate())
}

// startNow waits on the fake clock until a request may start, and starts it.
func startNow(p *Pacer, clock *fakeClock) {
	for d := p.tryStart(); d > 0; d = p.tryStart() {
		clock.advance(d)
	}
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// TestPacingWaitIsNotPartOfTheRequestTimeout: an attempt that waits for its
// turn longer than the per-request timeout still gets its full timeout once
// it goes.
func TestPacingWaitIsNotPartOfTheRequestTimeout(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		_, _ = w.Write([]byte(`{"message": "Success"}`))
	}))
	defer srv.Close()
	// Two per second: the second request waits 500ms for its turn, five
	// times the 100ms per-request timeout.
	c, err := NewClient(Options{Endpoint: srv.URL, UserToken: testToken, MaxRetries: 0, RequestTimeout: 100 * time.Millisecond, RequestsPerMinute: 120})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for range 2 {
		wg.Go(func() {
			errs <- c.RemoveApp(context.Background(), RemoveAppRequest{AppName: "a", DeviceFilter: DeviceFilter{Project: Project{Name: "P"}}})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("a request failed while waiting for its turn: %v", err)
		}
	}
	if hits.Load() != 2 {
		t.Fatalf("server got %d requests, want 2", hits.Load())
	}
}

func TestRequestTimeoutBoundsEachAttempt(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = io.ReadAll(r.Body) // so that the server notices the client leaving
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer srv.Close()
	c, err := NewClient(Options{Endpoint: srv.URL, UserToken: testToken, MaxRetries: 1, RequestTimeout: 100 * time.Millisecond, RetryWaitMin: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = c.RemoveApp(context.Background(), RemoveAppRequest{AppName: "a", DeviceFilter: DeviceFilter{Project: Project{Name: "P"}}})
	var reqErr *RequestError
	if !errors.As(err, &reqErr) || !strings.Contains(err.Error(), "no answer within 100ms") {
		t.Fatalf("want a per-request timeout error, got %v", err)
	}
	if reqErr.Attempts != 2 || hits.Load() != 2 {
		t.Fatalf("attempts %d, server saw %d; want 2", reqErr.Attempts, hits.Load())
	}
	if time.Since(start) > 3*time.Second {
		t.Fatalf("two attempts of 100ms took %s", time.Since(start))
	}
}
