package upswift

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestRemoveTagSendsDocumentedBody: DELETE /v1/device_tags with tag_name in
// place of app_name, the same device_filter and the token in the body.
func TestRemoveTagSendsDocumentedBody(t *testing.T) {
	c, rec := newTestClient(t, ok200)
	err := c.RemoveTag(context.Background(), RemoveTagRequest{TagName: "beta", DeviceFilter: DeviceFilter{
		Project: Project{Name: "Demo"},
		Groups:  []Group{{Name: "TestGroup1"}},
		Filters: []Filter{{Type: "device_state", Operand: "is", Value: "online"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	got := rec.got()
	if len(got) != 1 {
		t.Fatalf("want 1 request, got %d", len(got))
	}
	want := `{"user_token":"tok-3f1c9a7e5b","tag_name":"beta","device_filter":{"project":{"name":"Demo"},` +
		`"groups":[{"name":"TestGroup1"}],"filters":[{"type":"device_state","operand":"is","value":"online"}]}}`
	if r := got[0]; r.method != http.MethodDelete || r.path != "/v1/device_tags" || r.body != want {
		t.Errorf("got %s %s %s\nwant DELETE /v1/device_tags %s", r.method, r.path, r.body, want)
	}
}

// TestRemovalsAnswerAlike: both removals turn the same answers into the
// same errors, with the API's message and without the token.
func TestRemovalsAnswerAlike(t *testing.T) {
	calls := map[string]func(*Client) error{
		"app": func(c *Client) error {
			return c.RemoveApp(context.Background(), RemoveAppRequest{AppName: "a", DeviceFilter: DeviceFilter{Project: Project{Name: "P"}}})
		},
		"tag": func(c *Client) error {
			return c.RemoveTag(context.Background(), RemoveTagRequest{TagName: "t", DeviceFilter: DeviceFilter{Project: Project{Name: "P"}}})
		},
	}
	answers := []struct {
		name string
		a    answer
		want string
	}{
		{"refused", answer{status: 400, body: `{"error_message": "tag \"t\" does not exist in this account"}`}, `400 Bad Request: tag "t" does not exist`},
		{"echoes the token", answer{status: 400, body: `{"error_message": "invalid user token tok-3f1c9a7e5b"}`}, "invalid user token <redacted>"},
		{"unauthorized", answer{status: 401, body: ``}, "401 Unauthorized with no error message"},
	}
	for kind, call := range calls {
		for _, tt := range answers {
			t.Run(kind+"/"+tt.name, func(t *testing.T) {
				c, _ := newTestClient(t, tt.a)
				err := call(c)
				var apiErr *APIError
				if !errors.As(err, &apiErr) {
					t.Fatalf("want an *APIError, got %v", err)
				}
				if !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), testToken) {
					t.Errorf("error %q: want %q and no token", err, tt.want)
				}
			})
		}
	}
}

// TestProgressEvents: a request reports each attempt, a 5xx and success,
// in order, to the function in its context, and none of them carries the
// token.
func TestProgressEvents(t *testing.T) {
	c, _ := newTestClient(t,
		answer{status: 502, body: `bad gateway`},
		answer{status: 500, body: `{"error_message": "try later"}`},
		ok200,
	)
	var got []Event
	ctx := WithProgress(context.Background(), func(e Event) { got = append(got, e) })
	if err := c.RemoveTag(ctx, RemoveTagRequest{TagName: "t", DeviceFilter: DeviceFilter{Project: Project{Name: "P"}}}); err != nil {
		t.Fatal(err)
	}
	var kinds []EventKind
	for _, e := range got {
		if e.Kind != EventWaiting { // how often the pacer waits is its own business
			kinds = append(kinds, e.Kind)
		}
		if s := e.String(); strings.Contains(s, testToken) || !strings.Contains(s, "/v1/device_tags") {
			t.Errorf("event text %q: want the path and no token", s)
		}
	}
	want := []EventKind{EventSent, EventServerError, EventSent, EventServerError, EventSent, EventDone}
	if !slices.Equal(kinds, want) {
		t.Fatalf("events %v, want %v", kinds, want)
	}
	if last := got[len(got)-2]; last.Kind != EventSent || last.Attempt != 3 {
		t.Errorf("third attempt reported as %+v", last)
	}
}

// TestProgressEventText: what each event says.
func TestProgressEventText(t *testing.T) {
	tests := []struct {
		e    Event
		want string
	}{
		{Event{Kind: EventSent, Method: "DELETE", Path: "/v1/device_apps", Attempt: 1}, "Sent DELETE /v1/device_apps."},
		{Event{Kind: EventSent, Method: "DELETE", Path: "/v1/device_apps", Attempt: 2}, "Sent DELETE /v1/device_apps again (attempt 2)."},
		{Event{Kind: EventRateLimited, Method: "DELETE", Path: "/v1/device_tags", Attempt: 1, Status: 429}, "rate limit was reached (429 after attempt 1); waiting"},
		{Event{Kind: EventServerError, Method: "DELETE", Path: "/v1/device_tags", Attempt: 2, Status: 503}, "answered 503 Service Unavailable to attempt 2; retrying"},
		{Event{Kind: EventWaiting, Method: "DELETE", Path: "/v1/device_tags", Wait: 1500 * time.Millisecond}, "Waiting 1.5s for the rate limit"},
		{Event{Kind: EventDone, Method: "DELETE", Path: "/v1/device_tags"}, "accepted DELETE /v1/device_tags (200)"},
	}
	for _, tt := range tests {
		if got := tt.e.String(); !strings.Contains(got, tt.want) {
			t.Errorf("%+v: %q does not contain %q", tt.e, got, tt.want)
		}
	}
}

// TestNoProgressWithoutAHook: a context without WithProgress is fine.
func TestNoProgressWithoutAHook(t *testing.T) {
	c, rec := newTestClient(t, ok200)
	if err := c.RemoveApp(context.Background(), RemoveAppRequest{AppName: "a", DeviceFilter: DeviceFilter{Project: Project{Name: "P"}}}); err != nil {
		t.Fatal(err)
	}
	if n := len(rec.got()); n != 1 {
		t.Fatalf("%d requests", n)
	}
}
