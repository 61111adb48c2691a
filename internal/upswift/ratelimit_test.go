package upswift

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

var testRemoval = RemoveAppRequest{AppName: "legacy-agent", DeviceFilter: DeviceFilter{Project: Project{Name: "Demo"}}}

// TestRateLimitUsesNoRetries: 429s are waited out, not counted against
// max_retries, and every attempt carries the same body.
func TestRateLimitUsesNoRetries(t *testing.T) {
	// Two 429s in a row already teach the pacer a slow limit (the second
	// waits 640ms); more would only make the test slower.
	c, rec := newTestClient(t, answer{status: 429, body: `{}`}, answer{status: 429, body: `{}`}, ok200)
	c.http.RetryMax = 0
	if err := c.RemoveApp(context.Background(), testRemoval); err != nil {
		t.Fatalf("two 429s with max_retries 0 failed the removal: %v", err)
	}
	got := rec.got()
	if len(got) != 3 {
		t.Fatalf("server saw %d attempts, want 3", len(got))
	}
	for i, r := range got[1:] {
		if r.body != got[0].body || r.body == "" {
			t.Errorf("attempt %d body %q differs from the first %q", i+2, r.body, got[0].body)
		}
	}
	// The pacer's answers less those it accepted: the 429s it learned from.
	if n := c.pacer.answered - c.pacer.accepted; n != 2 {
		t.Errorf("pacer counted %d 429s, want 2", n)
	}
}

// TestRateLimitUntilDeadline: a request answered 429 until its deadline
// fails with an error that says how long it waited, how many 429s it got
// and the rate learned, and that is a deadline error.
func TestRateLimitUntilDeadline(t *testing.T) {
	c, rec := newTestClient(t, answer{status: 429, body: `{}`})
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	err := c.RemoveApp(ctx, testRemoval)
	var rl *RateLimitError
	if !errors.As(err, &rl) {
		t.Fatalf("want a *RateLimitError, got %T: %v", err, err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("%v is not a deadline error", err)
	}
	if rl.Throttles != len(rec.got()) || rl.Throttles < 2 {
		t.Errorf("error counts %d 429s, server answered %d", rl.Throttles, len(rec.got()))
	}
	if rl.Waited < time.Second || rl.Waited > 2*time.Second {
		t.Errorf("waited %s, want about the 1.5s deadline", rl.Waited)
	}
	msg := err.Error()
	for _, want := range []string{"rate limit", "answers of 429", "requests/s", formatRate(rl.Rate)} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not mention %q", msg, want)
		}
	}
	if strings.Contains(msg, testToken) {
		t.Errorf("error %q holds the token", msg)
	}
}

// TestRateLimitHeldBackUnsent: a request whose turn never came before its
// deadline, because the client's other requests were answered 429, fails
// with a rate-limit error that says so, not as a request that got no answer.
func TestRateLimitHeldBackUnsent(t *testing.T) {
	c, rec := newTestClient(t, answer{status: 429, header: map[string]string{"Retry-After": "30"}, body: `{}`})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := c.RemoveApp(ctx, testRemoval); !errors.As(err, new(*RateLimitError)) {
		t.Fatalf("the refused request: want a *RateLimitError, got %v", err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := c.RemoveApp(ctx, testRemoval)
	var rl *RateLimitError
	if !errors.As(err, &rl) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the request held back: want a *RateLimitError and a deadline error, got %T: %v", err, err)
	}
	if rl.Throttles != 0 || rl.Waited < 250*time.Millisecond {
		t.Errorf("error counts %d 429s after %s, want none after about 300ms", rl.Throttles, rl.Waited)
	}
	if n := len(rec.got()); n != 1 {
		t.Errorf("server saw %d requests, want only the refused one", n)
	}
	if msg := err.Error(); !strings.Contains(msg, "its turn never came") {
		t.Errorf("error %q does not say its turn never came", msg)
	}
}

// TestRateLimitStopsOnCancel: an interrupt ends the wait at once.
func TestRateLimitStopsOnCancel(t *testing.T) {
	c, _ := newTestClient(t, answer{status: 429, body: `{}`})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	err := c.RemoveApp(ctx, testRemoval)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want a cancellation, got %v", err)
	}
	var rl *RateLimitError
	if errors.As(err, &rl) {
		t.Errorf("a cancellation reported as a rate-limit timeout: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("kept waiting %s after the cancel", d)
	}
}

// TestServerErrorsStillUseRetries: 5xx answers stay bounded by
// max_retries, 429s in between or not.
func TestServerErrorsStillUseRetries(t *testing.T) {
	c, rec := newTestClient(t,
		answer{status: 429, body: `{}`},
		answer{status: 500, body: `{"error_message": "boom"}`})
	c.http.RetryMax = 2
	err := c.RemoveApp(context.Background(), testRemoval)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 500 {
		t.Fatalf("want the 500, got %v", err)
	}
	// One 429, then the first attempt's 500 and two retries.
	if n := len(rec.got()); n != 4 {
		t.Fatalf("server saw %d attempts, want 4", n)
	}
	if apiErr.Attempts != 4 {
		t.Errorf("error counts %d attempts, want 4", apiErr.Attempts)
	}
}

// TestRateLimitHintDoesNotAskForRetries: a 429's hint names the timeout
// that bounds the call's waits, never max_retries.
func TestRateLimitHintDoesNotAskForRetries(t *testing.T) {
	tests := []struct {
		call *call
		want string
	}{
		{&removeAppCall, "timeouts.create"},
		{&removeTagCall, "timeouts.create"},
		{&devicesDetailsCall, "timeouts.read"},
		{&devicesStateCall, "timeouts.read"},
		{nil, "the operation's timeout"},
	}
	for _, tt := range tests {
		hint := (&APIError{StatusCode: 429, call: tt.call}).Hint()
		if strings.Contains(hint, "max_retries") || !strings.Contains(hint, tt.want) {
			t.Errorf("429 hint %q: want %s, not max_retries", hint, tt.want)
		}
	}
}

// recordingLogger keeps the log lines it gets.
type recordingLogger struct {
	mu    sync.Mutex
	lines []string
}

func (l *recordingLogger) Debug(_ context.Context, msg string, f map[string]any) { l.add(msg, f) }
func (l *recordingLogger) Warn(_ context.Context, msg string, f map[string]any)  { l.add(msg, f) }
func (l *recordingLogger) add(msg string, f map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprint(msg, f))
}

// TestRateLimitIsLogged: each 429 the transport waits out is logged, with
// the Retry-After and the learned rate, and without the token.
func TestRateLimitIsLogged(t *testing.T) {
	rec := &recorder{answers: []answer{{status: 429, header: map[string]string{"Retry-After": "1"}, body: `{}`}, ok200}}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	log := &recordingLogger{}
	c, err := NewClient(Options{Endpoint: srv.URL, UserToken: testToken, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.RemoveApp(context.Background(), testRemoval); err != nil {
		t.Fatal(err)
	}
	var found string
	for _, l := range log.lines {
		if strings.Contains(l, testToken) {
			t.Errorf("log line holds the token: %s", l)
		}
		if strings.Contains(l, "rate limit reached") {
			found = l
		}
	}
	if !strings.Contains(found, "retry_after_ms:1000") || !strings.Contains(found, "rate_per_second") {
		t.Fatalf("no log line for the 429 with its Retry-After and rate; got %q", log.lines)
	}
}

// TestRateLimitReportedBeforeRetryAfter: the 429 is reported as soon as it
// comes, before the request waits out the server's Retry-After, so that a
// user watching sees why nothing happens during the wait. Here the user
// stops at that report: the request ends at once, canceled, instead of
// after an hour's Retry-After (or the test's deadline).
func TestRateLimitReportedBeforeRetryAfter(t *testing.T) {
	c, rec := newTestClient(t, answer{status: 429, header: map[string]string{"Retry-After": "3600"}, body: `{}`}, ok200)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	stop, stopNow := context.WithCancel(ctx)
	defer stopNow()
	var kinds []EventKind
	ctx = WithProgress(stop, func(e Event) {
		kinds = append(kinds, e.Kind)
		if e.Kind == EventRateLimited {
			stopNow()
		}
	})
	err := c.RemoveApp(ctx, testRemoval)
	if !errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want the cancel at the 429's report (not the deadline after the Retry-After)", err)
	}
	if !slices.Contains(kinds, EventRateLimited) {
		t.Errorf("events %v: want the 429 reported", kinds)
	}
	if n := len(rec.got()); n != 1 {
		t.Errorf("server saw %d requests, want 1", n)
	}
}

// TestFormatRate: a slow rate is also given per minute, the unit of
// requests_per_minute.
func TestFormatRate(t *testing.T) {
	tests := []struct {
		rate float64
		want string
	}{
		{50, "50 requests/s"},
		{1, "1 requests/s"},
		{0.5, "0.5 requests/s (30 per minute)"},
		{0.1, "0.1 requests/s (6 per minute)"},
	}
	for _, tt := range tests {
		if got := formatRate(tt.rate); got != tt.want {
			t.Errorf("formatRate(%g) = %q, want %q", tt.rate, got, tt.want)
		}
	}
}
