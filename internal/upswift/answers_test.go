package upswift

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestOnlyTheAPIsSuccessCounts: a 200 counts only when its body is the
// API's JSON success; anything else (a proxy's login page, a captive
// portal) fails the call with an excerpt and a hint, after one attempt.
func TestOnlyTheAPIsSuccessCounts(t *testing.T) {
	html := map[string]string{"Content-Type": "text/html"}
	tests := []struct {
		name   string
		answer answer
		wantIn []string // nil: success
	}{
		{name: "the API's success", answer: ok200},
		{name: "another message", answer: answer{status: 200, body: `{"message": "Done"}`}},
		{name: "login page", answer: answer{status: 200, header: html, body: "<html><title>Sign in to Example Corp</title><form>…</form></html>"},
			wantIn: []string{"200 OK", "not with the API's success answer", "text/html", "Sign in to Example Corp"}},
		{name: "empty body", answer: answer{status: 200}, wantIn: []string{"200 OK", "empty body"}},
		{name: "JSON without message", answer: answer{status: 200, body: `{"status": "ok"}`}, wantIn: []string{"JSON that is not the API's", `{"status": "ok"}`}},
		{name: "JSON array", answer: answer{status: 200, body: `[]`}, wantIn: []string{"not with the API's success answer"}},
		{name: "error_message on a 200", answer: answer{status: 200, body: `{"message": "x", "error_message": "App not found"}`}, wantIn: []string{"App not found"}},
		{name: "204 No Content", answer: answer{status: 204}, wantIn: []string{"204 No Content", "not with the API's success answer"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rec := newTestClient(t, tt.answer)
			err := c.RemoveApp(context.Background(), RemoveAppRequest{AppName: "a", DeviceFilter: DeviceFilter{Project: Project{Name: "P"}}})
			if n := len(rec.got()); n != 1 {
				t.Errorf("server got %d requests, want 1", n)
			}
			if tt.wantIn == nil {
				if err != nil {
					t.Fatalf("want success, got %v", err)
				}
				return
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("want *APIError, got %T %v", err, err)
			}
			for _, w := range tt.wantIn {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if h := apiErr.Hint(); !strings.Contains(h, "proxy") || !strings.Contains(h, "endpoint") {
				t.Errorf("hint does not say that something sits in the way: %q", h)
			}
		})
	}
}

// TestRedirectsAreNotFollowed: no redirect is followed, whatever its status
// and wherever it points: the target gets nothing (neither the token nor a
// body-less GET), and the error names the status and the Location and says
// to set the endpoint to it if it is trusted.
func TestRedirectsAreNotFollowed(t *testing.T) {
	for _, status := range []int{301, 302, 303, 307, 308} {
		for _, target := range []string{"other host", "plain http"} {
			t.Run(http.StatusText(status)+" to "+target, func(t *testing.T) {
				other := &recorder{answers: []answer{ok200}}
				otherSrv := httptest.NewServer(other)
				t.Cleanup(otherSrv.Close)
				// "localhost" and 127.0.0.1 are different hosts to a client.
				location := strings.Replace(otherSrv.URL, "127.0.0.1", "localhost", 1) + "/v1/device_apps"
				if target == "plain http" {
					location = otherSrv.URL + "/api/v1/device_apps?x=1"
				}
				c, rec := newTestClient(t, answer{status: status, header: map[string]string{"Location": location}})
				err := c.RemoveApp(context.Background(), RemoveAppRequest{AppName: "a", DeviceFilter: DeviceFilter{Project: Project{Name: "P"}}})
				if n := len(other.got()); n != 0 {
					t.Fatalf("the redirect target got %d requests; it must get none", n)
				}
				if n := len(rec.got()); n != 1 {
					t.Errorf("the endpoint got %d requests, want 1 (a redirect is not retried)", n)
				}
				var apiErr *APIError
				if !errors.As(err, &apiErr) || apiErr.StatusCode != status {
					t.Fatalf("want an *APIError with status %d, got %T %v", status, err, err)
				}
				for _, w := range []string{http.StatusText(status), location, "follows no redirect"} {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not contain %q", err, w)
					}
				}
				wantEndpoint := strings.TrimSuffix(location, "/v1/device_apps")
				if target == "plain http" {
					wantEndpoint = otherSrv.URL + "/api"
				}
				if h := apiErr.Hint(); !strings.Contains(h, "set the provider's endpoint") || !strings.Contains(h, wantEndpoint+" is the Upswift API") {
					t.Errorf("hint %q does not suggest the endpoint %s", h, wantEndpoint)
				}
			})
		}
	}
}
