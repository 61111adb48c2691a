package emulator

import (
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

// readPaths are the two reads, for tests that treat them alike.
var readPaths = []string{DevicesDetailsPath, DevicesStatePath}

// demoRead is a valid read body for the demo fleet.
const demoRead = `{"user_token":"demo-token","project_name":"Demo","limit":2}`

// getOverHTTP sends demoRead as a GET with a JSON body through a real
// client, which does not follow redirects.
func getOverHTTP(t testing.TB, url, path string) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url+path, strings.NewReader(demoRead))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		return answer{err: err}
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, body: string(data), err: err}
}

// TestReadsGoThroughTheKnobs: each knob answers a read as it answers a
// removal, the read after it is served, and both are logged and counted.
func TestReadsGoThroughTheKnobs(t *testing.T) {
	tests := []struct {
		name    string
		set     func(e *Emulator)
		status  int // 0: dropped
		outcome string
		check   func(t *testing.T, a answer)
	}{
		{"FailNext JSON", func(e *Emulator) { e.FailNext(1, 503, false) }, 503, OutcomeFailed, func(t *testing.T, a answer) {
			if !strings.Contains(a.body, "service unavailable (injected by the emulator)") {
				t.Errorf("body %s", a.body)
			}
		}},
		{"FailNext HTML", func(e *Emulator) { e.FailNext(1, 502, true) }, 502, OutcomeFailed, func(t *testing.T, a answer) {
			if a.header.Get("Content-Type") != "text/html" {
				t.Errorf("Content-Type %q", a.header.Get("Content-Type"))
			}
		}},
		{"DropNext", func(e *Emulator) { e.DropNext(1) }, 0, OutcomeDropped, func(t *testing.T, a answer) {
			if a.err == nil {
				t.Errorf("answered %d, want a transport error", a.status)
			}
		}},
		{"RedirectNext", func(e *Emulator) { e.RedirectNext(1, 307, "https://elsewhere.example/v1/x") }, 307, OutcomeRedirected, func(t *testing.T, a answer) {
			if a.header.Get("Location") != "https://elsewhere.example/v1/x" {
				t.Errorf("Location %q", a.header.Get("Location"))
			}
		}},
		{"rate limit with Retry-After", func(e *Emulator) { e.SetRateLimit(0.01, 1, true) }, 429, OutcomeRateLimited, nil},
		{"latency", func(e *Emulator) { e.SetLatency(30 * time.Millisecond) }, 200, "", nil},
	}
	for _, tt := range tests {
		for _, path := range readPaths {
			t.Run(tt.name+" "+path, func(t *testing.T) {
				e := New(DemoFleet())
				srv := newServer(t, e)
				tt.set(e)
				rateLimited := tt.outcome == OutcomeRateLimited
				if rateLimited {
					// The bucket starts full: the first read takes the token.
					if a := getOverHTTP(t, srv.URL, path); a.status != 200 {
						t.Fatalf("first read: %+v", a)
					}
				}
				start := time.Now()
				a := getOverHTTP(t, srv.URL, path)
				if tt.status != 0 && (a.err != nil || a.status != tt.status) {
					t.Fatalf("answer %+v, want %d", a, tt.status)
				}
				if tt.check != nil {
					tt.check(t, a)
				}
				if tt.name == "latency" && time.Since(start) < 30*time.Millisecond {
					t.Errorf("answered after %v, want at least the 30ms latency", time.Since(start))
				}
				log := e.Requests()
				last := log[len(log)-1]
				if last.Path != path || last.Method != http.MethodGet || last.Status != tt.status || last.Outcome != tt.outcome {
					t.Errorf("logged %s %s %d %q, want GET %s %d %q", last.Method, last.Path, last.Status, last.Outcome, path, tt.status, tt.outcome)
				}
				if e.Counts()[tt.status] != 1 {
					t.Errorf("Counts %v, want one %d", e.Counts(), tt.status)
				}
				if rateLimited {
					return
				}
				if a := getOverHTTP(t, srv.URL, path); a.err != nil || a.status != 200 {
					t.Errorf("next read: %+v, want 200", a)
				}
			})
		}
	}
}

// TestReadsRateLimited: reads and removals take tokens from one bucket, and
// a rate-limited read is answered like a rate-limited removal.
func TestReadsRateLimited(t *testing.T) {
	for _, retryAfter := range []bool{true, false} {
		clock := &fakeClock{t: time.Unix(1000, 0)}
		e := New(DemoFleet())
		e.now = clock.now
		e.SetRateLimit(2, 2, retryAfter) // one token every 500ms, burst 2
		var got []int
		for _, path := range []string{DevicesDetailsPath, DevicesStatePath, DevicesDetailsPath, DeviceAppsPath, DevicesStatePath} {
			method := http.MethodGet
			if path == DeviceAppsPath {
				method = http.MethodDelete
			}
			rec := serve(e, method, path, demoRead)
			got = append(got, rec.Code)
			if rec.Code == 429 {
				wantHeader, wantBody := "", "{}"
				if retryAfter {
					wantHeader, wantBody = "1", `{"error_message":"API limit reached"}`
				}
				if rec.Header().Get("Retry-After") != wantHeader || strings.TrimSpace(rec.Body.String()) != wantBody {
					t.Errorf("retryAfter %v: 429 with Retry-After %q, body %s", retryAfter, rec.Header().Get("Retry-After"), rec.Body)
				}
			}
		}
		clock.advance(500 * time.Millisecond)
		got = append(got, serve(e, http.MethodGet, DevicesStatePath, demoRead).Code)
		if want := []int{200, 200, 429, 429, 429, 200}; !reflect.DeepEqual(got, want) {
			t.Errorf("retryAfter %v: statuses %v, want %v", retryAfter, got, want)
		}
		perPath := map[string]int{}
		for _, r := range e.Requests() {
			if r.Status == 429 {
				perPath[r.Path]++
			}
		}
		if want := map[string]int{DevicesDetailsPath: 1, DeviceAppsPath: 1, DevicesStatePath: 1}; !reflect.DeepEqual(perPath, want) {
			t.Errorf("429s per path %v, want %v", perPath, want)
		}
	}
}

// TestReadsLogRedactsTheToken: a read is logged with its path, status and
// body, the token redacted everywhere, and no device removed.
func TestReadsLogRedactsTheToken(t *testing.T) {
	for _, path := range readPaths {
		e := New(DemoFleet())
		raw := `{"user_token":"demo-token","project_name":"Demo","limit":2,"note":"demo-token again"}`
		if rec := serve(e, http.MethodGet, path, raw); rec.Code != 200 || strings.Contains(rec.Body.String(), DemoToken) {
			t.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
		}
		if rec := serve(e, http.MethodGet, path, `{"user_token":"demo-token","project_name":"demo-token"}`); rec.Code != 400 || strings.Contains(rec.Body.String(), DemoToken) {
			t.Errorf("%s: %d %s, want 400 without the token", path, rec.Code, rec.Body)
		}
		log := e.Requests()
		if len(log) != 2 {
			t.Fatalf("%s: %d requests logged, want 2", path, len(log))
		}
		r := log[0]
		if r.Method != http.MethodGet || r.Path != path || r.Status != 200 || r.Outcome != "" || r.Removed != nil {
			t.Errorf("%s: logged %s %s %d %q %v", path, r.Method, r.Path, r.Status, r.Outcome, r.Removed)
		}
		if r.Body["user_token"] != Redacted || r.Body["note"] != Redacted+" again" || r.Body["project_name"] != "Demo" {
			t.Errorf("%s: logged body %v", path, r.Body)
		}
		for i, r := range log {
			if strings.Contains(string(r.RawBody), DemoToken) {
				t.Errorf("%s: log[%d] raw body %s", path, i, r.RawBody)
			}
			if data, err := r.MarshalJSON(); err != nil || strings.Contains(string(data), DemoToken) {
				t.Errorf("%s: log[%d] as JSON %s (%v)", path, i, data, err)
			}
		}
		if !e.TokenSeen(DemoToken) {
			t.Errorf("%s: TokenSeen false", path)
		}
	}
}

func TestReadsMethodNotAllowed(t *testing.T) {
	for _, path := range readPaths {
		for _, method := range []string{http.MethodDelete, http.MethodPost, http.MethodPut, http.MethodHead} {
			e := New(DemoFleet())
			rec := serve(e, method, path, demoRead)
			if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != http.MethodGet {
				t.Errorf("%s %s: %d, Allow %q; want 405, GET", method, path, rec.Code, rec.Header().Get("Allow"))
			}
			if method != http.MethodHead {
				if want := "method " + method + " is not allowed on " + path + " (allowed: GET)"; decodeBody(t, rec)["error_message"] != want {
					t.Errorf("%s %s: %s, want %q", method, path, rec.Body, want)
				}
			}
			if log := e.Requests(); len(log) != 1 || log[0].Status != 405 || e.Counts()[405] != 1 {
				t.Errorf("%s %s: log %+v, counts %v", method, path, log, e.Counts())
			}
		}
	}
}

// TestReadsBodyLimits: a read's body is read like a removal's.
func TestReadsBodyLimits(t *testing.T) {
	e := New(DemoFleet())
	rec := serve(e, http.MethodGet, DevicesStatePath, `{"x":"`+strings.Repeat("a", maxBody)+`"}`)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d, want 413", rec.Code)
	}
	req, _ := http.NewRequest(http.MethodGet, DevicesDetailsPath, errReader{})
	w := &recorder{header: http.Header{}}
	e.ServeHTTP(w, req)
	if w.status != http.StatusBadRequest {
		t.Errorf("unreadable body: status %d, want 400", w.status)
	}
}

// errReader is a request body that cannot be read.
type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("broken") }

// recorder is a minimal ResponseWriter for requests httptest cannot build.
type recorder struct {
	header http.Header
	status int
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(s int)   { r.status = s }
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = 200
	}
	return len(b), nil
}
