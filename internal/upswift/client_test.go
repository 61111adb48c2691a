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

const testToken = "tok-3f1c9a7e5b"

// recorder is a test server that records the requests it gets and answers
// them from a script of responses (the last one repeats).
type recorder struct {
	mu       sync.Mutex
	requests []recorded
	answers  []answer
}

type recorded struct {
	method, path string
	header       http.Header
	body         string
}

type answer struct {
	status int
	header map[string]string
	body   string
	drop   bool
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.requests = append(r.requests, recorded{req.Method, req.URL.Path, req.Header.Clone(), string(body)})
	a := r.answers[min(len(r.requests), len(r.answers))-1]
	r.mu.Unlock()
	if a.drop {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.Close()
		}
		return
	}
	for k, v := range a.header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(a.status)
	_, _ = io.WriteString(w, a.body)
}

func (r *recorder) got() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.requests...)
}

func newTestClient(t *testing.T, answers ...answer) (*Client, *recorder) {
	t.Helper()
	rec := &recorder{answers: answers}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	c, err := NewClient(Options{
		Endpoint: srv.URL, UserToken: testToken, UserAgent: "test-agent/1",
		MaxRetries: 3, RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c, rec
}

var ok200 = answer{status: 200, body: `{"message": "Success"}`}

func TestRemoveAppSendsDocumentedBody(t *testing.T) {
	tests := []struct {
		name string
		req  RemoveAppRequest
		want string
	}{
		{
			name: "full",
			req: RemoveAppRequest{AppName: "legacy-agent", DeviceFilter: DeviceFilter{
				Project: Project{Name: "Demo"},
				Groups:  []Group{{Name: "TestGroup1"}, {Name: "TestGroup2"}},
				Filters: []Filter{
					{Type: "specific_device", Operand: "is", Value: "d-4ec7-1be9"},
					{Type: "device_state", Operand: "is", Value: "online"},
				},
			}},
			want: `{"user_token":"tok-3f1c9a7e5b","app_name":"legacy-agent","device_filter":{"project":{"name":"Demo"},` +
				`"groups":[{"name":"TestGroup1"},{"name":"TestGroup2"}],"filters":[{"type":"specific_device","operand":"is","value":"d-4ec7-1be9"},` +
				`{"type":"device_state","operand":"is","value":"online"}]}}`,
		},
		{
			name: "minimal, nil lists",
			req:  RemoveAppRequest{AppName: "a", DeviceFilter: DeviceFilter{Project: Project{Name: "P"}}},
			want: `{"user_token":"tok-3f1c9a7e5b","app_name":"a","device_filter":{"project":{"name":"P"},"groups":[],"filters":[]}}`,
		},
		{
			name: "empty lists",
			req:  RemoveAppRequest{AppName: "a", DeviceFilter: DeviceFilter{Project: Project{Name: "P"}, Groups: []Group{}, Filters: []Filter{}}},
			want: `{"user_token":"tok-3f1c9a7e5b","app_name":"a","device_filter":{"project":{"name":"P"},"groups":[],"filters":[]}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rec := newTestClient(t, ok200)
			if err := c.RemoveApp(context.Background(), tt.req); err != nil {
				t.Fatal(err)
			}
			got := rec.got()
			if len(got) != 1 {
				t.Fatalf("want 1 request, got %d", len(got))
			}
			r := got[0]
			if r.method != http.MethodDelete || r.path != "/v1/device_apps" {
				t.Errorf("got %s %s, want DELETE /v1/device_apps", r.method, r.path)
			}
			if r.body != tt.want {
				t.Errorf("body:\n got %s\nwant %s", r.body, tt.want)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if ua := r.header.Get("User-Agent"); ua != "test-agent/1" {
				t.Errorf("User-Agent %q", ua)
			}
		})
	}
}

func TestRemoveAppErrors(t *testing.T) {
	tests := []struct {
		name         string
		answers      []answer
		wantStatus   int
		wantAttempts int
		wantIn       []string
	}{
		{"400 with message", []answer{{status: 400, body: `{"error_message": "App not found"}`}}, 400, 1, []string{"400", "App not found"}},
		{"400 empty body", []answer{{status: 400}}, 400, 1, []string{"400", "no error message"}},
		{"401", []answer{{status: 401, body: `{}`}}, 401, 1, []string{"401 Unauthorized"}},
		{"404 html", []answer{{status: 404, header: map[string]string{"Content-Type": "text/html"}, body: "<html><body><h1>Not Found</h1></body></html>"}}, 404, 1, []string{"404", "text/html", "Not Found"}},
		{"permanent 500", []answer{{status: 500, body: `{"error_message": "boom"}`}}, 500, 4, []string{"500", "boom", "after 4 attempts"}},
		{"429 then 400", []answer{{status: 429, body: `{}`}, {status: 400, body: `{"error_message": "Bad filter"}`}}, 400, 2, []string{"Bad filter", "after 2 attempts"}},
		{"token echoed is redacted", []answer{{status: 400, body: `{"error_message": "bad token tok-3f1c9a7e5b"}`}}, 400, 1, []string{"bad token <redacted>"}},
		{"non-string message", []answer{{status: 400, body: `{"error_message": {"field": "app_name"}}`}}, 400, 1, []string{`{"field":"app_name"}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rec := newTestClient(t, tt.answers...)
			err := c.RemoveApp(context.Background(), RemoveAppRequest{AppName: "a", DeviceFilter: DeviceFilter{Project: Project{Name: "P"}}})
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("want *APIError, got %T %v", err, err)
			}
			if apiErr.StatusCode != tt.wantStatus || apiErr.Attempts != tt.wantAttempts {
				t.Errorf("status %d attempts %d, want %d and %d", apiErr.StatusCode, apiErr.Attempts, tt.wantStatus, tt.wantAttempts)
			}
			if n := len(rec.got()); n != tt.wantAttempts {
				t.Errorf("server got %d requests, want %d", n, tt.wantAttempts)
			}
			for _, w := range tt.wantIn {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("error leaks the token: %v", err)
			}
		})
	}
}

func TestRemoveAppRetriesReplayTheBody(t *testing.T) {
	c, rec := newTestClient(t,
		answer{status: 502, header: map[string]string{"Content-Type": "text/html"}, body: "<html>Bad Gateway</html>"},
		answer{drop: true},
		answer{status: 429, header: map[string]string{"Retry-After": "0"}, body: `{}`},
		ok200)
	req := RemoveAppRequest{AppName: "legacy-agent", DeviceFilter: DeviceFilter{Project: Project{Name: "Demo"}}}
	if err := c.RemoveApp(context.Background(), req); err != nil {
		t.Fatalf("want success after retries, got %v", err)
	}
	got := rec.got()
	if len(got) != 4 {
		t.Fatalf("want 4 attempts, got %d", len(got))
	}
	for i, r := range got[1:] {
		if r.body != got[0].body {
			t.Errorf("attempt %d body %q differs from the first %q", i+2, r.body, got[0].body)
		}
	}
}

func TestRemoveAppGivesUpOnDroppedConnections(t *testing.T) {
	c, rec := newTestClient(t, answer{drop: true})
	err := c.RemoveApp(context.Background(), RemoveAppRequest{AppName: "a", DeviceFilter: DeviceFilter{Project: Project{Name: "P"}}})
	var reqErr *RequestError
	if !errors.As(err, &reqErr) {
		t.Fatalf("want *RequestError, got %T %v", err, err)
	}
	if reqErr.Attempts != 4 || len(rec.got()) != 4 {
		t.Errorf("attempts %d, server saw %d; want 4", reqErr.Attempts, len(rec.got()))
	}
	if !strings.Contains(err.Error(), "4 attempt") {
		t.Errorf("error does not say how many attempts: %v", err)
	}
}

func TestRemoveAppStopsOnCancel(t *testing.T) {
	c, _ := newTestClient(t, answer{status: 503, header: map[string]string{"Retry-After": "30"}, body: `{}`})
	c.http.RetryWaitMax = time.Minute
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	done := make(chan error, 1)
	go func() {
		done <- c.RemoveApp(ctx, RemoveAppRequest{AppName: "a", DeviceFilter: DeviceFilter{Project: Project{Name: "P"}}})
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "stopped waiting") {
			t.Fatalf("want a cancellation error, got %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("RemoveApp kept waiting after cancel")
	}
}

func TestParseEndpoint(t *testing.T) {
	tests := []struct {
		in      string
		wantErr string
		want    string
	}{
		{"https://api.connect.jfrog.io", "", "https://api.connect.jfrog.io"},
		{"https://api.example.com/base/", "", "https://api.example.com/base"},
		{"http://127.0.0.1:8080", "", "http://127.0.0.1:8080"},
		{"http://127.9.9.9", "", "http://127.9.9.9"},
		{"http://localhost:1", "", "http://localhost:1"},
		{"http://[::1]:9", "", "http://[::1]:9"},
		{"http://api.connect.jfrog.io", "plain http", ""},
		{"http://10.0.0.1", "plain http", ""},
		{"api.connect.jfrog.io", "not an absolute URL", ""},
		{"/v1", "not an absolute URL", ""},
		{"ftp://x.example", "scheme", ""},
		{"https://user:pw@x.example", "credentials", ""},
		{"https://x.example?a=b", "query", ""},
		{"", "not an absolute URL", ""},
		// Credentials are never repeated, whichever check refuses the URL.
		{"https://user:pw@x.example:port", "not a valid URL", ""},
		{"https://user:pw@[::1", "not a valid URL", ""},
		{"user:pw@x.example", "not an absolute URL", ""},
		{"//user:pw@x.example/v1", "not an absolute URL", ""},
		{"http://user:pw@10.0.0.1", "credentials", ""},
		{"ftp://user:pw@x.example", "credentials", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			u, err := ParseEndpoint(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("want error containing %q, got %v", tt.wantErr, err)
				}
				if strings.Contains(err.Error(), "pw") || strings.Contains(err.Error(), "user") {
					t.Errorf("error leaks credentials: %v", err)
				}
				return
			}
			if err != nil || u.String() != tt.want {
				t.Fatalf("got %v, %v; want %s", u, err, tt.want)
			}
		})
	}
}

func TestFilterValidate(t *testing.T) {
	tests := []struct {
		f       Filter
		wantErr string
	}{
		{Filter{"specific_device", "is_not", "d-1"}, ""},
		{Filter{"device_state", "is", "offline"}, ""},
		{Filter{"update_status", "is_not", "aborted"}, ""},
		{Filter{"device_state", "is_not", "online"}, `operand "is_not" is not allowed for filter type "device_state"; allowed: "is"`},
		{Filter{"update_status", "is", "done"}, `value "done" is not allowed`},
		{Filter{"tag", "is", ""}, "must not be empty"},
		{Filter{"serial", "is", "x"}, `filter type "serial" is not one of`},
	}
	for _, tt := range tests {
		err := tt.f.Validate()
		if tt.wantErr == "" {
			if err != nil {
				t.Errorf("%v: unexpected %v", tt.f, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%v: want error containing %q, got %v", tt.f, tt.wantErr, err)
		}
	}
}

func TestNewClientRequiresToken(t *testing.T) {
	if _, err := NewClient(Options{}); err == nil {
		t.Fatal("want an error without a token")
	}
	if _, err := NewClient(Options{UserToken: "x", Endpoint: "http://example.com"}); err == nil {
		t.Fatal("want plain http to a remote host refused")
	}
}

func TestRemoveAppCapsHugeBodies(t *testing.T) {
	huge := "<html><body>" + strings.Repeat("x", 10<<20) + "</body></html>"
	c, _ := newTestClient(t, answer{status: 400, header: map[string]string{"Content-Type": "text/html"}, body: huge})
	err := c.RemoveApp(context.Background(), RemoveAppRequest{AppName: "a", DeviceFilter: DeviceFilter{Project: Project{Name: "P"}}})
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("want *APIError, got %T %v", err, err)
	}
	if n := len(err.Error()); n > 1000 {
		t.Fatalf("error text of %d bytes is not capped", n)
	}
	if !strings.Contains(apiErr.Body, "xxx") || !strings.HasSuffix(apiErr.Body, "…") {
		t.Errorf("excerpt %q does not show a cut beginning of the body", apiErr.Body)
	}
}

func TestAPIErrorHints(t *testing.T) {
	tests := []struct {
		status int
		want   string
	}{
		{400, "project and group names"},
		{401, "wrong or revoked"},
		{403, "wrong or revoked"},
		{404, "endpoint"},
		{429, "requests_per_minute"},
		{502, "temporary"},
		{418, ""},
	}
	for _, tt := range tests {
		hint := (&APIError{StatusCode: tt.status}).Hint()
		if tt.want == "" && hint != "" || !strings.Contains(hint, tt.want) {
			t.Errorf("Hint for %d = %q, want it to mention %q", tt.status, hint, tt.want)
		}
		// Without a call, no hint names what only one call has.
		for _, specific := range []string{"app name", "tag name", "timeouts.create"} {
			if strings.Contains(hint, specific) {
				t.Errorf("Hint for %d names no call, yet speaks of %q: %s", tt.status, specific, hint)
			}
		}
	}
}

func TestTLSVerificationIsAlwaysOn(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		_, _ = w.Write([]byte(`{"message": "Success"}`))
	}))
	defer srv.Close()
	c, err := NewClient(Options{Endpoint: srv.URL, UserToken: testToken, MaxRetries: 3, RetryWaitMin: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	err = c.RemoveApp(context.Background(), RemoveAppRequest{AppName: "a", DeviceFilter: DeviceFilter{Project: Project{Name: "P"}}})
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("want a certificate error from a self-signed server, got %v", err)
	}
	if hits.Load() != 0 {
		t.Fatalf("the server handled %d requests despite an untrusted certificate", hits.Load())
	}
	if strings.Contains(err.Error(), testToken) {
		t.Fatal("error leaks the token")
	}
}
