package upswift

import (
	"context"
	"errors"
	"io"
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

func newFakePacer(rpm int) (*pacer, *fakeClock) {
	c := &fakeClock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	return newPacer(rpm, c.now), c
}

func TestPacerSpacesRequestsFromTheStart(t *testing.T) {
	p, clock := newFakePacer(0)
	first, d := p.tryStart(false)
	if d != 0 {
		t.Fatalf("the first request waits %s", d)
	}
	// Until the first answer, the other workers wait: the first burst is
	// one request.
	clock.advance(time.Second)
	if d := try0(p); d == 0 {
		t.Fatal("a second request started before the first was answered")
	}
	p.succeeded(first)
	if d := try0(p); d != 0 {
		t.Fatalf("after the first answer the next request still waits %s", d)
	}
	// Then requests are spaced by the rate, from the moments they start.
	want := interval(p.Rate())
	if d := try0(p); d != want {
		t.Fatalf("a request at once waits %s, want %s", d, want)
	}
	clock.advance(want + 7*time.Millisecond) // a worker that wakes late
	try0(p)
	if d := try0(p); d != want {
		t.Fatalf("the request after a late one waits %s, want a full %s", d, want)
	}
}

// TestPacerRetryAfter: both forms of Retry-After hold every request back
// until then.
func TestPacerRetryAfter(t *testing.T) {
	for _, form := range []string{"3", "date"} {
		t.Run(form, func(t *testing.T) {
			p, clock := newFakePacer(0)
			tk, _ := p.tryStart(false)
			v := form
			if form == "date" {
				v = clock.now().Add(3 * time.Second).Format(http.TimeFormat)
			}
			d, ok := ParseRetryAfter(v, clock.now())
			if !ok {
				t.Fatalf("Retry-After %q not understood", v)
			}
			p.throttledAt(tk, d, ok)
			if w := try0(p); w < 2*time.Second || w > 3*time.Second {
				t.Fatalf("next request waits %s, want the Retry-After of about 3s", w)
			}
			clock.advance(3 * time.Second)
			if w := try0(p); w != 0 {
				t.Fatalf("after the Retry-After the next request still waits %s", w)
			}
		})
	}
}

// TestPacerCeilingHoldsAfter429: requests_per_minute under the pacer's
// own minimum stays the ceiling after a 429.
func TestPacerCeilingHoldsAfter429(t *testing.T) {
	p, clock := newFakePacer(3) // 0.05/s, under minRate
	for range 5 {
		tk, _ := p.tryStart(true)
		clock.advance(time.Second)
		p.throttledAt(tk, 0, false)
		if r := p.Rate(); r > 0.05+1e-9 {
			t.Fatalf("rate %.3f/s after a 429 exceeds the ceiling of 3 per minute", r)
		}
		clock.advance(time.Minute)
		tk, _ = p.tryStart(true)
		clock.advance(time.Second)
		p.succeeded(tk)
		if r := p.Rate(); r > 0.05+1e-9 {
			t.Fatalf("rate %.3f/s after a success exceeds the ceiling of 3 per minute", r)
		}
	}
}

func TestPacerCeiling(t *testing.T) {
	p, clock := newFakePacer(120) // 2 per second
	if r := p.Rate(); r != 2 {
		t.Fatalf("start rate %.1f, want 2", r)
	}
	for range 100 {
		startNow(p, clock)
		p.succeeded(ticket{start: clock.now(), rate: p.Rate(), queued: true})
	}
	if r := p.Rate(); r != 2 {
		t.Fatalf("rate %.1f grew past the ceiling of 2/s", r)
	}
	try0(p)
	if d := try0(p); d != 500*time.Millisecond {
		t.Fatalf("second request waits %s, want 500ms", d)
	}
}

func TestPacerWaitStopsOnCancel(t *testing.T) {
	p := newPacer(1, nil) // one per minute
	try0(p)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := p.wait(ctx, nil); err == nil {
		t.Fatal("Wait returned nil after its context ended")
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("Wait kept waiting after cancel")
	}
}

// TestClientSharesPacingUnderRateLimit: parallel callers of one client
// against a server that allows 50 requests per second with a bucket of 1
// all succeed without retries, with at most max(5, N/10) answers of 429.
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
	// No retries: 429s do not need them.
	c, err := NewClient(Options{Endpoint: srv.URL, UserToken: testToken, MaxRetries: 0})
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
	if n := got429.Load(); n > 10 {
		t.Fatalf("%d answers of 429 for 100 requests, want at most max(5, N/10) = 10", n)
	}
	t.Logf("429 answers: %d, final rate %.1f/s", got429.Load(), c.pacer.Rate())
}

// startWhenDue waits on the fake clock until a request may start, and
// returns its ticket.
func startWhenDue(p *pacer, clock *fakeClock) ticket {
	for {
		tk, d := p.tryStart(true)
		if d == 0 {
			return tk
		}
		clock.advance(d)
	}
}

// try0 asks to start a request and returns how long it must wait.
func try0(p *pacer) time.Duration {
	_, d := p.tryStart(false)
	return d
}

// startNow waits on the fake clock until a request may start, and starts it.
func startNow(p *pacer, clock *fakeClock) {
	for d := try0(p); d > 0; d = try0(p) {
		clock.advance(d)
	}
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

// TestPacerWaitReportsLongHolds: a request held back for a second or more
// is reported once, with the wait ahead; the ordinary spacing of a few
// milliseconds is not.
func TestPacerWaitReportsLongHolds(t *testing.T) {
	tests := []struct {
		name string
		rpm  int // one request has started at this rate; the clock stands still
		want []time.Duration
	}{
		{"one request per 1.5s", 40, []time.Duration{1500 * time.Millisecond}},
		{"the spacing at 100/s", 6000, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _ := newFakePacer(tt.rpm)
			try0(p)
			// The fake clock never reaches the next turn: wait ticks on
			// until the context ends, and must report at most once.
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			var got []time.Duration
			if _, err := p.wait(ctx, func(d time.Duration) { got = append(got, d) }); err == nil {
				t.Fatal("wait started a request the pacer holds back")
			}
			if len(got) != len(tt.want) || (len(got) > 0 && got[0] != tt.want[0]) {
				t.Errorf("reported holds %v, want %v", got, tt.want)
			}
		})
	}
}
