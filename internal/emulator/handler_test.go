package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// body returns a valid removal body for the demo fleet (legacy-agent from the
// whole Demo project), changed by edit when not nil.
func body(edit func(b, df map[string]any)) map[string]any {
	df := map[string]any{
		"project": map[string]any{"name": "Demo"},
		"groups":  []any{},
		"filters": []any{},
	}
	b := map[string]any{"user_token": DemoToken, "app_name": "legacy-agent", "device_filter": df}
	if edit != nil {
		edit(b, df)
	}
	return b
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// serve sends one request straight to the handler.
func serve(e *Emulator, method, path, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "emulator-test/1.0")
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

func decodeBody(t testing.TB, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("answer is not a JSON object: %q", rec.Body.String())
	}
	return m
}

func filter(typ, op, val string) map[string]any {
	return map[string]any{"type": typ, "operand": op, "value": val}
}

func TestRemovalSuccess(t *testing.T) {
	groups := func(names ...string) []any {
		var out []any
		for _, n := range names {
			out = append(out, map[string]any{"name": n})
		}
		return out
	}
	legacy := []string{"d-4ec7-1be9", "d-19a2-7c30", "d-5b8e-02f4", "d-a3c5-6e18", "d-c0d9-3b72", "d-2d47-a951", "d-8b3f-c6e2"}
	tests := []struct {
		name string
		edit func(b, df map[string]any)
		app  string
		want []string // removed, in fleet order
	}{
		{"documented example", func(_, df map[string]any) {
			df["groups"] = groups("TestGroup1", "TestGroup2")
			df["filters"] = []any{filter("specific_device", "is", "d-4ec7-1be9")}
		}, "legacy-agent", []string{"d-4ec7-1be9"}},
		{"whole project", nil, "legacy-agent", legacy},
		{"one group", func(_, df map[string]any) { df["groups"] = groups("TestGroup2") }, "legacy-agent", []string{"d-a3c5-6e18", "d-c0d9-3b72"}},
		{"filters AND", func(_, df map[string]any) {
			df["filters"] = []any{filter("device_state", "is", "online"), filter("tag", "is_not", "prod"), filter("update_status", "is_not", "aborted")}
		}, "legacy-agent", []string{"d-8b3f-c6e2"}},
		{"only devices having the app", func(_, df map[string]any) { df["groups"] = groups("TestGroup1") }, "metrics", []string{"d-4ec7-1be9", "d-5b8e-02f4", "d-7f21-9ad6"}},
		{"no selected device has the app", func(_, df map[string]any) { df["groups"] = groups("TestGroup1") }, "camera-driver", nil},
		{"no device matches", func(_, df map[string]any) {
			df["filters"] = []any{filter("specific_device", "is", "d-0000-0000")}
		}, "legacy-agent", nil},
		{"unknown keys ignored", func(b, df map[string]any) { b["extra"] = 1; df["sort"] = "name" }, "metrics", []string{"d-4ec7-1be9", "d-5b8e-02f4", "d-7f21-9ad6", "d-8b3f-c6e2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New(DemoFleet())
			b := body(tt.edit)
			b["app_name"] = tt.app
			rec := serve(e, http.MethodDelete, DeviceAppsPath, mustJSON(t, b))
			if rec.Code != http.StatusOK || strings.TrimSpace(rec.Body.String()) != `{"message":"Success"}` {
				t.Fatalf("answer %d %s", rec.Code, rec.Body)
			}
			log := e.Requests()
			if len(log) != 1 || !slices.Equal(log[0].Removed, tt.want) {
				t.Errorf("Removed = %v, want %v", log[0].Removed, tt.want)
			}
			before := DemoFleet()
			var beforeDevices = New(before).Devices(DemoToken)
			for id, d := range e.Devices(DemoToken) {
				_, had := beforeDevices[id].Apps[tt.app]
				_, has := d.Apps[tt.app]
				if want := had && !slices.Contains(tt.want, id); has != want {
					t.Errorf("device %s has %s = %v, want %v", id, tt.app, has, want)
				}
				if len(d.Apps) != len(beforeDevices[id].Apps)-boolInt(had && !has) {
					t.Errorf("device %s lost other apps: %v", id, d.Apps)
				}
			}
			if !slices.Equal(e.Fleet().Accounts[0].Apps, before.Accounts[0].Apps) {
				t.Error("account apps changed")
			}
		})
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestAppStaysInAccountAfterRemoval(t *testing.T) {
	e := New(DemoFleet())
	raw := mustJSON(t, body(nil))
	for i, want := range []int{200, 200} {
		rec := serve(e, http.MethodDelete, DeviceAppsPath, raw)
		if rec.Code != want {
			t.Fatalf("request %d: status %d, want %d (%s)", i, rec.Code, want, rec.Body)
		}
	}
	log := e.Requests()
	if len(log[0].Removed) != 7 || len(log[1].Removed) != 0 {
		t.Errorf("removed %v then %v, want 7 then none", log[0].Removed, log[1].Removed)
	}
}

func TestNotFoundAndMethodNotAllowed(t *testing.T) {
	tests := []struct {
		method, path string
		status       int
		allow        string
		msg          string
	}{
		{http.MethodGet, DeviceAppsPath, 405, "DELETE", "method GET is not allowed on /v1/device_apps (allowed: DELETE)"},
		{http.MethodPost, DeviceAppsPath, 405, "DELETE", "method POST is not allowed on /v1/device_apps (allowed: DELETE)"},
		{http.MethodPut, DeviceAppsPath, 405, "DELETE", "method PUT is not allowed on /v1/device_apps (allowed: DELETE)"},
		{http.MethodDelete, "/v1/device_apps/", 404, "", "not found"},
		{http.MethodDelete, "/v1/devices", 404, "", "not found"},
		{http.MethodGet, "/v1/devices_details/", 404, "", "not found"},
		{http.MethodGet, "/v1/get_devices_states", 404, "", "not found"},
		{http.MethodDelete, DevicesDetailsPath, 405, "GET", "method DELETE is not allowed on /v1/devices_details (allowed: GET)"},
		{http.MethodPost, DevicesStatePath, 405, "GET", "method POST is not allowed on /v1/get_devices_state (allowed: GET)"},
		{http.MethodGet, "/", 404, "", "not found"},
		{http.MethodDelete, "/api/v2/device_apps", 404, "", "not found"},
		{http.MethodGet, "/_emulator/nope", 404, "", "not found"},
		{http.MethodPost, "/_emulator/devices", 405, "GET, HEAD", "method POST is not allowed on /_emulator/devices (allowed: GET, HEAD)"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			e := New(DemoFleet())
			rec := serve(e, tt.method, tt.path, mustJSON(t, body(nil)))
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d", rec.Code, tt.status)
			}
			if got := rec.Header().Get("Allow"); got != tt.allow {
				t.Errorf("Allow %q, want %q", got, tt.allow)
			}
			if got := decodeBody(t, rec)["error_message"]; got != tt.msg {
				t.Errorf("error_message %q, want %q", got, tt.msg)
			}
			if !reflect.DeepEqual(e.Fleet(), DemoFleet()) {
				t.Error("fleet changed")
			}
		})
	}
}

func TestBodyTooLarge(t *testing.T) {
	e := New(DemoFleet())
	rec := serve(e, http.MethodDelete, DeviceAppsPath, `{"x":"`+strings.Repeat("a", maxBody)+`"}`)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", rec.Code)
	}
	if got := len(e.Requests()[0].RawBody); got != maxBody {
		t.Errorf("logged %d body bytes, want %d", got, maxBody)
	}
}

func TestNewDeepCopiesAndReset(t *testing.T) {
	f := DemoFleet()
	e := New(f)
	f.Accounts[0].Projects[0].Groups[0].Devices[0].Apps["extra"] = "1"
	f.Accounts[0].UserToken = "changed"
	if !reflect.DeepEqual(e.Fleet(), DemoFleet()) {
		t.Fatal("changing the fleet given to New changed the emulator")
	}

	if rec := serve(e, http.MethodDelete, DeviceAppsPath, mustJSON(t, body(nil))); rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	e.SetLatency(time.Hour)
	e.FailNext(5, 503, false)
	e.DropNext(5)
	e.SetRateLimit(0.001, 1, true)
	if reflect.DeepEqual(e.Fleet(), DemoFleet()) || len(e.Requests()) != 1 || !e.TokenSeen(DemoToken) {
		t.Fatal("the removal left no trace")
	}

	e.Reset()
	if !reflect.DeepEqual(e.Fleet(), DemoFleet()) {
		t.Error("Reset did not restore the fleet")
	}
	if len(e.Requests()) != 0 || len(e.Counts()) != 0 || e.TokenSeen(DemoToken) {
		t.Error("Reset did not clear the log and counts")
	}
	for i := range 3 { // knobs off: no latency, drop, failure or rate limit
		if rec := serve(e, http.MethodDelete, DeviceAppsPath, mustJSON(t, body(nil))); rec.Code != 200 {
			t.Fatalf("request %d after Reset: status %d", i, rec.Code)
		}
	}
	if got := e.Counts(); !reflect.DeepEqual(got, map[int]int{200: 3}) {
		t.Errorf("Counts = %v", got)
	}
}

func TestMultipleAccountsAreIsolated(t *testing.T) {
	f := DemoFleet()
	other := DemoFleet().Accounts[0]
	other.UserToken = "other-token"
	f.Accounts = append(f.Accounts, other)
	e := New(f)
	b := body(nil)
	b["user_token"] = "other-token"
	if rec := serve(e, http.MethodDelete, DeviceAppsPath, mustJSON(t, b)); rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	for id, d := range e.Devices("other-token") {
		if _, ok := d.Apps["legacy-agent"]; ok {
			t.Errorf("other account: %s still has legacy-agent", id)
		}
	}
	if !reflect.DeepEqual(e.Devices(DemoToken), New(DemoFleet()).Devices(DemoToken)) {
		t.Error("removal in one account changed another account")
	}
}

func TestConcurrentRemovals(t *testing.T) {
	e := New(DemoFleet())
	srv := httptest.NewServer(e)
	defer srv.Close()

	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := demoAll[i%len(demoAll)]
			app := []string{"legacy-agent", "metrics", "camera-driver"}[i%3]
			b := body(func(b, df map[string]any) {
				b["app_name"] = app
				df["filters"] = []any{filter("specific_device", "is", id)}
			})
			req, _ := http.NewRequest(http.MethodDelete, srv.URL+DeviceAppsPath, strings.NewReader(mustJSON(t, b)))
			resp, err := srv.Client().Do(req)
			if err != nil {
				errs <- err
				return
			}
			_ = resp.Body.Close()
			if resp.StatusCode != 200 {
				errs <- fmt.Errorf("request %d: status %d", i, resp.StatusCode)
			}
			// Readers and knob setters race with the writers.
			_ = e.Devices(DemoToken)
			_ = e.Requests()
			_ = e.Counts()
			_ = e.TokenSeen(DemoToken)
			e.SetLatency(0)
			e.SetRateLimit(0, 1, false)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// 50 requests cover every (device, app) pair: 10 devices x 3 apps, with
	// i%10 and i%3 running through all 30 combinations.
	for id, d := range e.Devices(DemoToken) {
		if len(d.Apps) != 0 {
			t.Errorf("device %s still has %v", id, d.Apps)
		}
	}
	if got := e.Counts()[200]; got != n {
		t.Errorf("%d answers 200, want %d", got, n)
	}
	removed := map[string]int{}
	for _, r := range e.Requests() {
		for _, id := range r.Removed {
			removed[id]++
		}
	}
	for id, d := range New(DemoFleet()).Devices(DemoToken) {
		if removed[id] != len(d.Apps) {
			t.Errorf("device %s: %d removals logged, want %d", id, removed[id], len(d.Apps))
		}
	}
	if got := len(e.Requests()); got != n {
		t.Errorf("%d requests logged, want %d", got, n)
	}
}
