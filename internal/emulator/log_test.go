package emulator

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

func TestRequestLog(t *testing.T) {
	e := New(DemoFleet())
	raw := mustJSON(t, body(func(_, df map[string]any) {
		df["filters"] = []any{filter("tag", "is", "gateway")}
	}))
	rec := serve(e, http.MethodDelete, DeviceAppsPath, raw)
	if rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	serve(e, http.MethodGet, "/v1/nope?x=1", "not json")

	log := e.Requests()
	if len(log) != 2 {
		t.Fatalf("%d requests logged, want 2", len(log))
	}
	r := log[0]
	if r.Method != http.MethodDelete || r.Path != DeviceAppsPath || r.Status != 200 || r.Outcome != "" {
		t.Errorf("logged %s %s %d %q", r.Method, r.Path, r.Status, r.Outcome)
	}
	if got, want := r.Removed, []string{"d-4ec7-1be9", "d-19a2-7c30"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Removed %v, want %v", got, want)
	}
	if r.Body["user_token"] != Redacted || r.Body["app_name"] != "legacy-agent" {
		t.Errorf("Body %v", r.Body)
	}
	if want := strings.Replace(raw, DemoToken, Redacted, 1); string(r.RawBody) != want {
		t.Errorf("RawBody\n got %s\nwant %s", r.RawBody, want)
	}
	if r.Header.Get("User-Agent") != "emulator-test/1.0" || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("Header %v", r.Header)
	}
	if r.Time.IsZero() || log[1].Time.Before(r.Time) {
		t.Errorf("times %v, %v", r.Time, log[1].Time)
	}
	if n := log[1]; n.Status != 404 || n.Path != "/v1/nope" || n.Query != "x=1" || n.Body != nil || string(n.RawBody) != "not json" {
		t.Errorf("second entry %+v", n)
	}

	// The log is a copy.
	log[0].Body["app_name"] = "changed"
	log[0].Header.Set("User-Agent", "changed")
	log[0].Removed[0] = "changed"
	if again := e.Requests()[0]; again.Body["app_name"] != "legacy-agent" || again.Header.Get("User-Agent") == "changed" || again.Removed[0] == "changed" {
		t.Error("changing the returned log changed the emulator's log")
	}
}

func TestRedaction(t *testing.T) {
	tests := []struct {
		name   string
		raw    string
		header map[string]string
		path   string
	}{
		{"token field", mustJSON(t, body(nil)), nil, DeviceAppsPath},
		{"spaced and escaped token field", `{ "user_token" : "demo\u002dtoken", "app_name": "legacy-agent" }`, nil, DeviceAppsPath},
		{"token in another field", mustJSON(t, body(func(b, _ map[string]any) { b["app_name"] = "x" + DemoToken + "x" })), nil, DeviceAppsPath},
		{"token nested", mustJSON(t, body(func(_, df map[string]any) { df["project"] = map[string]any{"name": DemoToken} })), nil, DeviceAppsPath},
		{"malformed body", `{"user_token": "` + DemoToken + `", `, nil, DeviceAppsPath},
		{"token in headers", `{}`, map[string]string{"Authorization": "Bearer abc", "X-Token": DemoToken}, DeviceAppsPath},
		{"token in URL", `{}`, nil, "/v1/device_apps?user_token=" + DemoToken},
		{"unknown token", `{"user_token":"not-an-account-token"}`, nil, DeviceAppsPath},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New(DemoFleet())
			req := httptest.NewRequest(http.MethodDelete, tt.path, strings.NewReader(tt.raw))
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)

			if strings.Contains(rec.Body.String(), DemoToken) {
				t.Errorf("answer leaks the token: %s", rec.Body)
			}
			logged, err := json.Marshal(e.Requests())
			if err != nil {
				t.Fatal(err)
			}
			inspect := serve(e, http.MethodGet, "/_emulator/requests", "").Body.String()
			for what, s := range map[string]string{"Requests()": string(logged), "/_emulator/requests": inspect} {
				for _, secret := range []string{DemoToken, `demo\u002dtoken`, "not-an-account-token", "Bearer abc"} {
					if strings.Contains(s, secret) {
						t.Errorf("%s leaks %q: %s", what, secret, s)
					}
				}
				if !strings.Contains(s, Redacted) && !strings.Contains(s, `\u003credacted\u003e`) {
					t.Errorf("%s shows no redaction: %s", what, s)
				}
			}
			if tt.name != "unknown token" && !e.TokenSeen(DemoToken) {
				t.Error("TokenSeen(demo-token) = false")
			}
			if e.TokenSeen("other-token") || e.TokenSeen("") {
				t.Error("TokenSeen is true for a token never sent")
			}
		})
	}
}

func TestTokenSeenUnknownToken(t *testing.T) {
	e := New(DemoFleet())
	serve(e, http.MethodDelete, DeviceAppsPath, `{"user_token":"not-an-account-token"}`)
	if !e.TokenSeen("not-an-account-token") || e.TokenSeen(DemoToken) {
		t.Error("TokenSeen must report exactly the tokens sent")
	}
}

func TestInspectDevices(t *testing.T) {
	f := DemoFleet()
	second := DemoFleet().Accounts[0]
	second.UserToken = "second-secret"
	second.Projects = second.Projects[:1]
	second.Projects[0].Groups = second.Projects[0].Groups[:1]
	f.Accounts = append(f.Accounts, second)
	e := New(f)
	serve(e, http.MethodDelete, DeviceAppsPath, mustJSON(t, body(nil)))

	rec := serve(e, http.MethodGet, "/_emulator/devices", "")
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("answer %d %v", rec.Code, rec.Header())
	}
	for _, secret := range []string{DemoToken, "second-secret"} {
		if strings.Contains(rec.Body.String(), secret) {
			t.Errorf("/_emulator/devices leaks %q", secret)
		}
	}
	var got struct {
		Accounts []struct {
			Index   int          `json:"index"`
			Label   string       `json:"label"`
			Apps    []string     `json:"apps"`
			Devices []DeviceView `json:"devices"`
		} `json:"accounts"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Accounts) != 2 || got.Accounts[1].Index != 1 || got.Accounts[1].Label != "account-1" {
		t.Fatalf("accounts %+v", got.Accounts)
	}
	if n := len(got.Accounts[1].Devices); n != len(demoG1) {
		t.Errorf("second account has %d devices, want %d", n, len(demoG1))
	}
	d := got.Accounts[0].Devices[0]
	if d.ID != "d-4ec7-1be9" || d.Project != "Demo" || d.Group != "TestGroup1" || d.Apps["metrics"] != "0.9.1" {
		t.Errorf("first device %+v", d)
	}
	if _, ok := d.Apps["legacy-agent"]; ok {
		t.Error("inspection shows the fleet before the removal")
	}
	if !reflect.DeepEqual(got.Accounts[0].Apps, DemoFleet().Accounts[0].Apps) {
		t.Errorf("apps %v", got.Accounts[0].Apps)
	}
}

func TestInspectHealthAndRequests(t *testing.T) {
	e := New(DemoFleet())
	if rec := serve(e, http.MethodGet, "/_emulator/health", ""); rec.Code != 200 || strings.TrimSpace(rec.Body.String()) != `{"status":"ok"}` {
		t.Errorf("health: %d %s", rec.Code, rec.Body)
	}
	serve(e, http.MethodDelete, DeviceAppsPath, mustJSON(t, body(nil)))
	rec := serve(e, http.MethodGet, "/_emulator/requests", "")
	if !strings.Contains(rec.Body.String(), `"user_token":"<redacted>"`) {
		t.Errorf("raw_body not readable as redacted: %s", rec.Body)
	}
	var got struct {
		Requests []struct {
			Method  string         `json:"method"`
			Path    string         `json:"path"`
			Status  int            `json:"status"`
			Body    map[string]any `json:"body"`
			RawBody string         `json:"raw_body"`
			Removed []string       `json:"removed"`
		} `json:"requests"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Requests) != 1 {
		t.Fatalf("%d requests, want 1 (inspection is not logged)", len(got.Requests))
	}
	r := got.Requests[0]
	if r.Method != "DELETE" || r.Path != DeviceAppsPath || r.Status != 200 || len(r.Removed) != 7 ||
		r.Body["user_token"] != Redacted || !strings.Contains(r.RawBody, `"user_token":"<redacted>"`) {
		t.Errorf("request %+v", r)
	}
}

// TestShortTokenRedactedInTokenField: a token shorter than minSecretLen is
// redacted exactly in the user_token field, and other values keep their
// text even where it contains the token.
func TestShortTokenRedactedInTokenField(t *testing.T) {
	f := &Fleet{Accounts: []Account{{
		UserToken: "abc",
		Apps:      []string{"abc-app"},
		Projects:  []Project{{Name: "P", Groups: []Group{{Name: "G"}}}},
	}}}
	e := New(f)
	raw := `{"user_token" : "abc", "app_name":"abc-app","device_filter":{"project":{"name":"P"},"groups":[],"filters":[]}}`
	if rec := serve(e, http.MethodDelete, DeviceAppsPath, raw); rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	r := e.Requests()[0]
	want := `{"user_token" : "<redacted>", "app_name":"abc-app","device_filter":{"project":{"name":"P"},"groups":[],"filters":[]}}`
	if string(r.RawBody) != want {
		t.Errorf("RawBody\n got %s\nwant %s", r.RawBody, want)
	}
	if r.Body["user_token"] != Redacted || r.Body["app_name"] != "abc-app" {
		t.Errorf("Body %v", r.Body)
	}
	if !e.TokenSeen("abc") {
		t.Error("TokenSeen(abc) = false")
	}
}
