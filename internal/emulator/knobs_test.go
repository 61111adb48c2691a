package emulator

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock for the rate limiter.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type answer struct {
	status int
	header http.Header
	body   string
	err    error
}

// call sends a valid removal to a running server.
func call(t testing.TB, client *http.Client, url string) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodDelete, url+DeviceAppsPath, strings.NewReader(mustJSON(t, body(nil))))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return answer{err: err}
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, body: string(data), err: err}
}

func newServer(t testing.TB, e *Emulator) *httptest.Server {
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv
}

// TestRateLimitRetryAfterDate: SetRetryAfterDate sends Retry-After as the
// HTTP date at which a token is free, rounded up to whole seconds.
func TestRateLimitRetryAfterDate(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	e := New(DemoFleet())
	e.now = clock.now
	e.SetRateLimit(0.25, 1, true) // one token every 4s
	e.SetRetryAfterDate(true)
	if code := serve(e, http.MethodDelete, DeviceAppsPath, "{}").Code; code != 400 {
		t.Fatalf("first request: %d, want the token (400 for the empty body)", code)
	}
	clock.advance(1500 * time.Millisecond)
	rec := serve(e, http.MethodDelete, DeviceAppsPath, "{}")
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("status %d, want 429", rec.Code)
	}
	// 2.5s to wait, rounded up to 3s after now (12:00:01.5).
	if got, want := rec.Header().Get("Retry-After"), "Wed, 25 Nov 2026 12:00:04 GMT"; got != want {
		t.Errorf("Retry-After %q, want %q", got, want)
	}
	e.SetRetryAfterDate(false)
	if got := serve(e, http.MethodDelete, DeviceAppsPath, "{}").Header().Get("Retry-After"); got != "3" {
		t.Errorf("back to seconds: Retry-After %q, want 3", got)
	}
}

func TestRateLimit(t *testing.T) {
	tests := []struct {
		name       string
		retryAfter bool
		wantHeader string
		wantBody   string
	}{
		{"with Retry-After", true, "1", `{"error_message":"API limit reached"}`},
		{"without Retry-After", false, "", `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &fakeClock{t: time.Unix(1000, 0)}
			e := New(DemoFleet())
			e.now = clock.now
			e.SetRateLimit(2, 2, tt.retryAfter) // one token every 500ms, burst 2

			var got []int
			for range 3 {
				got = append(got, serve(e, http.MethodDelete, DeviceAppsPath, "{}").Code)
			}
			if want := []int{400, 400, 429}; !reflect.DeepEqual(got, want) {
				t.Fatalf("statuses %v, want %v (burst 2 then limited)", got, want)
			}

			rec := serve(e, http.MethodDelete, DeviceAppsPath, mustJSON(t, body(nil)))
			if rec.Code != http.StatusTooManyRequests {
				t.Fatalf("status %d, want 429", rec.Code)
			}
			if got := rec.Header().Get("Retry-After"); got != tt.wantHeader {
				t.Errorf("Retry-After %q, want %q", got, tt.wantHeader)
			}
			if got := strings.TrimSpace(rec.Body.String()); got != tt.wantBody {
				t.Errorf("body %s, want %s", got, tt.wantBody)
			}
			if !reflect.DeepEqual(e.Fleet(), DemoFleet()) {
				t.Error("a rate-limited request was applied")
			}
			if r := e.Requests()[3]; r.Status != 429 || r.Outcome != OutcomeRateLimited {
				t.Errorf("logged %d %q", r.Status, r.Outcome)
			}

			clock.advance(499 * time.Millisecond)
			if code := serve(e, http.MethodDelete, DeviceAppsPath, "{}").Code; code != 429 {
				t.Errorf("after 499ms: %d, want 429", code)
			}
			clock.advance(time.Millisecond)
			if code := serve(e, http.MethodDelete, DeviceAppsPath, "{}").Code; code != 400 {
				t.Errorf("after 500ms: %d, want a token (400 for the empty body)", code)
			}
			clock.advance(time.Hour) // refill is capped at the burst
			for i, want := range []int{400, 400, 429} {
				if code := serve(e, http.MethodDelete, DeviceAppsPath, "{}").Code; code != want {
					t.Errorf("after an hour, request %d: %d, want %d", i, code, want)
				}
			}
			if got := e.Counts(); !reflect.DeepEqual(got, map[int]int{400: 5, 429: 4}) {
				t.Errorf("Counts = %v", got)
			}

			e.SetRateLimit(0, 1, true)
			if code := serve(e, http.MethodDelete, DeviceAppsPath, "{}").Code; code != 400 {
				t.Errorf("rate limit off: %d", code)
			}
		})
	}
}

func TestRetryAfterSeconds(t *testing.T) {
	tests := []struct {
		wait time.Duration
		want string
	}{
		{0, "1"},
		{20 * time.Millisecond, "1"},
		{time.Second, "1"},
		{1001 * time.Millisecond, "2"},
		{90 * time.Second, "90"},
	}
	for _, tt := range tests {
		if got := retryAfterSeconds(tt.wait); got != tt.want {
			t.Errorf("retryAfterSeconds(%v) = %s, want %s", tt.wait, got, tt.want)
		}
	}
}

func TestRateLimitRetryAfterOverRealServer(t *testing.T) {
	e := New(DemoFleet())
	srv := newServer(t, e)
	e.SetRateLimit(0.1, 1, true) // one call per 10 s
	if a := call(t, srv.Client(), srv.URL); a.status != 200 {
		t.Fatalf("first call: %+v", a)
	}
	a := call(t, srv.Client(), srv.URL)
	if a.status != 429 {
		t.Fatalf("second call: %+v", a)
	}
	secs, err := strconv.Atoi(a.header.Get("Retry-After"))
	if err != nil || secs < 9 || secs > 10 {
		t.Errorf("Retry-After %q, want about 10", a.header.Get("Retry-After"))
	}
}

func TestFailNext(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		html        bool
		wantStatus  int
		contentType string
		wantBody    string
	}{
		{"JSON 500", 500, false, 500, "application/json", `{"error_message":"internal server error (injected by the emulator)"}`},
		{"JSON 503", 503, false, 503, "application/json", `{"error_message":"service unavailable (injected by the emulator)"}`},
		{"HTML 502", 502, true, 502, "text/html", "<h1>502 Bad Gateway</h1>"},
		{"HTML 504", 504, true, 504, "text/html", "<title>504 Gateway Timeout</title>"},
		{"invalid status becomes 500", 42, false, 500, "application/json", "internal server error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New(DemoFleet())
			e.FailNext(2, tt.status, tt.html)
			for i := range 2 {
				rec := serve(e, http.MethodDelete, DeviceAppsPath, mustJSON(t, body(nil)))
				if rec.Code != tt.wantStatus {
					t.Fatalf("request %d: status %d, want %d", i, rec.Code, tt.wantStatus)
				}
				if ct := rec.Header().Get("Content-Type"); ct != tt.contentType {
					t.Errorf("Content-Type %q, want %q", ct, tt.contentType)
				}
				if !strings.Contains(rec.Body.String(), tt.wantBody) {
					t.Errorf("body %q lacks %q", rec.Body, tt.wantBody)
				}
				if tt.html && !strings.Contains(rec.Body.String(), "<center>nginx</center>") {
					t.Errorf("not an nginx page: %q", rec.Body)
				}
			}
			if !reflect.DeepEqual(e.Fleet(), DemoFleet()) {
				t.Error("a failed request was applied")
			}
			if rec := serve(e, http.MethodDelete, DeviceAppsPath, mustJSON(t, body(nil))); rec.Code != 200 {
				t.Errorf("third request: %d, want 200", rec.Code)
			}
			if got := e.Counts(); !reflect.DeepEqual(got, map[int]int{tt.wantStatus: 2, 200: 1}) {
				t.Errorf("Counts = %v", got)
			}
			if r := e.Requests()[0]; r.Outcome != OutcomeFailed || r.Status != tt.wantStatus {
				t.Errorf("logged %d %q", r.Status, r.Outcome)
			}
		})
	}
}

func TestFailNextReplacesAndClears(t *testing.T) {
	e := New(DemoFleet())
	e.FailNext(5, 500, false)
	e.FailNext(1, 502, false)
	e.DropNext(3)
	e.DropNext(0)
	var got []int
	for range 3 {
		got = append(got, serve(e, http.MethodDelete, DeviceAppsPath, "{}").Code)
	}
	if want := []int{502, 400, 400}; !reflect.DeepEqual(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
}

func TestDropNext(t *testing.T) {
	e := New(DemoFleet())
	srv := newServer(t, e)
	e.DropNext(2)
	for i := range 2 {
		a := call(t, srv.Client(), srv.URL)
		if a.err == nil {
			t.Fatalf("request %d: got an answer %d %q, want a transport error", i, a.status, a.body)
		}
	}
	if a := call(t, srv.Client(), srv.URL); a.err != nil || a.status != 200 {
		t.Fatalf("third request: %+v", a)
	}
	if got := e.Counts(); !reflect.DeepEqual(got, map[int]int{0: 2, 200: 1}) {
		t.Errorf("Counts = %v", got)
	}
	log := e.Requests()
	if len(log) != 3 || log[0].Outcome != OutcomeDropped || log[0].Status != 0 || log[0].Body == nil {
		t.Errorf("log = %+v", log)
	}
	if n := len(log[2].Removed); n != 7 {
		t.Errorf("third request removed %d, want 7 (dropped ones must not be applied)", n)
	}
}

func TestDropNextWithoutHijackerAborts(t *testing.T) {
	e := New(DemoFleet())
	e.DropNext(1)
	defer func() {
		if r := recover(); r != http.ErrAbortHandler {
			t.Errorf("recovered %v, want http.ErrAbortHandler", r)
		}
	}()
	serve(e, http.MethodDelete, DeviceAppsPath, "{}")
}

func TestKnobOrder(t *testing.T) {
	e := New(DemoFleet())
	srv := newServer(t, e)
	e.SetRateLimit(0.001, 1, true)
	e.FailNext(1, 503, false)
	e.DropNext(1)
	var got []string
	for range 4 {
		a := call(t, srv.Client(), srv.URL)
		if a.err != nil {
			got = append(got, "dropped")
		} else {
			got = append(got, strconv.Itoa(a.status))
		}
	}
	// Drop first, then the failure; neither takes a rate-limit token.
	if want := []string{"dropped", "503", "200", "429"}; !reflect.DeepEqual(got, want) {
		t.Errorf("answers %v, want %v", got, want)
	}
}

func TestKnobsSkipInspection(t *testing.T) {
	e := New(DemoFleet())
	e.DropNext(1)
	e.FailNext(1, 500, true)
	e.SetRateLimit(0.001, 1, false)
	e.SetLatency(time.Hour)
	for _, p := range []string{"/_emulator/health", "/_emulator/devices", "/_emulator/requests"} {
		if rec := serve(e, http.MethodGet, p, ""); rec.Code != 200 {
			t.Errorf("GET %s: %d", p, rec.Code)
		}
	}
	if len(e.Requests()) != 0 || len(e.Counts()) != 0 {
		t.Error("inspection requests were logged or counted")
	}
}

func TestLatency(t *testing.T) {
	e := New(DemoFleet())
	srv := newServer(t, e)
	const d = 80 * time.Millisecond
	e.SetLatency(d)
	start := time.Now()
	if a := call(t, srv.Client(), srv.URL); a.status != 200 {
		t.Fatalf("answer %+v", a)
	}
	if took := time.Since(start); took < d {
		t.Errorf("answered after %v, want at least %v", took, d)
	}

	e.Reset()
	e.SetLatency(time.Hour)
	client := &http.Client{Timeout: 50 * time.Millisecond}
	a := call(t, client, srv.URL)
	var ue interface{ Timeout() bool }
	if a.err == nil || !errors.As(a.err, &ue) || !ue.Timeout() {
		t.Fatalf("want a client timeout, got %+v", a)
	}
	// The handler notices the client is gone and logs the request unapplied.
	deadline := time.Now().Add(5 * time.Second)
	for len(e.Requests()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	log := e.Requests()
	if len(log) != 1 || log[0].Outcome != OutcomeClientGone || log[0].Status != 0 {
		t.Fatalf("log = %+v", log)
	}
	if !reflect.DeepEqual(e.Fleet(), DemoFleet()) {
		t.Error("a request abandoned during latency was applied")
	}
	if got := e.Counts(); !reflect.DeepEqual(got, map[int]int{0: 1}) {
		t.Errorf("Counts = %v", got)
	}
}

func TestLatencyRespectsContext(t *testing.T) {
	e := New(DemoFleet())
	e.SetLatency(time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	req := httptest.NewRequest(http.MethodDelete, DeviceAppsPath, strings.NewReader("{}")).WithContext(ctx)
	done := make(chan struct{})
	go func() {
		e.ServeHTTP(httptest.NewRecorder(), req)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("handler still sleeping after its context ended")
	}
}
