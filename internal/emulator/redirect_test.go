package emulator

import (
	"net/http"
	"reflect"
	"testing"
)

func TestRedirectNext(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		wantStatus int
	}{
		{"301", 301, 301},
		{"302", 302, 302},
		{"303", 303, 303},
		{"307", 307, 307},
		{"308", 308, 308},
		{"not a redirect becomes 308", 200, 308},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New(DemoFleet())
			e.RedirectNext(2, tt.status, "https://elsewhere.example/v1/device_apps")
			for i := range 2 {
				rec := serve(e, http.MethodDelete, DeviceAppsPath, mustJSON(t, body(nil)))
				if rec.Code != tt.wantStatus {
					t.Fatalf("request %d: status %d, want %d", i, rec.Code, tt.wantStatus)
				}
				if loc := rec.Header().Get("Location"); loc != "https://elsewhere.example/v1/device_apps" {
					t.Errorf("Location %q", loc)
				}
			}
			if !reflect.DeepEqual(e.Fleet(), DemoFleet()) {
				t.Error("a redirected request was applied")
			}
			if rec := serve(e, http.MethodDelete, DeviceAppsPath, mustJSON(t, body(nil))); rec.Code != 200 {
				t.Errorf("third request: %d, want 200", rec.Code)
			}
			if got := e.Counts(); !reflect.DeepEqual(got, map[int]int{tt.wantStatus: 2, 200: 1}) {
				t.Errorf("Counts = %v", got)
			}
			if r := e.Requests()[0]; r.Outcome != OutcomeRedirected || r.Status != tt.wantStatus {
				t.Errorf("logged %d %q", r.Status, r.Outcome)
			}
		})
	}
}

func TestRedirectNextComesBeforeFailNext(t *testing.T) {
	e := New(DemoFleet())
	e.FailNext(1, 503, false)
	e.RedirectNext(1, 307, "https://elsewhere.example")
	var got []int
	for range 3 {
		got = append(got, serve(e, http.MethodDelete, DeviceAppsPath, mustJSON(t, body(nil))).Code)
	}
	if want := []int{307, 503, 200}; !reflect.DeepEqual(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	e.RedirectNext(0, 307, "")
	if code := serve(e, http.MethodDelete, DeviceAppsPath, mustJSON(t, body(nil))).Code; code != 200 {
		t.Errorf("after clearing: %d, want 200", code)
	}
}
