package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestControlRoutes(t *testing.T) {
	tests := []struct {
		name, path, body string
		status           int
		want             string // for 200: the device's ID; else: a substring of error_message
	}{
		{"move", FleetMovePath, `{"user_token":"demo-token","device":"d-2d47-a951","project":"Demo","group":"TestGroup1"}`, 200, "d-2d47-a951"},
		{"move into its own group", FleetMovePath, `{"user_token":"demo-token","device":"d-2d47-a951","project":"Demo","group":"TestGroup3"}`, 200, "d-2d47-a951"},
		{"state", FleetStatePath, `{"user_token":"demo-token","device":"d-19a2-7c30","state":"online"}`, 200, "d-19a2-7c30"},
		{"add", FleetAddPath, `{"user_token":"demo-token","project":"Demo","group":"TestGroup1","device":{"id":"d-0b5e-77a1","name":"gateway-03","state":"online","tags":["gateway","fresh"],"apps":{"legacy-agent":"1.2.0"}}}`, 200, "d-0b5e-77a1"},

		{"move: unknown field", FleetMovePath, `{"user_token":"demo-token","device":"d-2d47-a951","project":"Demo","group":"TestGroup1","groups":[]}`, 400,
			`malformed JSON body: unknown field "groups"; the body is a JSON object with the fields user_token, device, project, group`},
		{"move: wrong type", FleetMovePath, `{"user_token":"demo-token","device":17,"project":"Demo","group":"TestGroup1"}`, 400,
			"malformed JSON body: cannot unmarshal number into Go struct field MoveRequest.device of type string"},
		{"move: missing token", FleetMovePath, `{"device":"d-2d47-a951","project":"Demo","group":"TestGroup1"}`, 400, "user_token must not be empty"},
		{"move: unknown token", FleetMovePath, `{"user_token":"nope-token","device":"d-2d47-a951","project":"Demo","group":"TestGroup1"}`, 400, "user_token: no account has this token"},
		{"move: missing device", FleetMovePath, `{"user_token":"demo-token","project":"Demo","group":"TestGroup1"}`, 400, "device must not be empty"},
		{"move: unknown group", FleetMovePath, `{"user_token":"demo-token","device":"d-2d47-a951","project":"Demo","group":"New"}`, 400,
			`group: group "New" does not exist in project "Demo" (groups: TestGroup1, TestGroup2, TestGroup3; the emulator creates none)`},
		{"move: token as device", FleetMovePath, `{"user_token":"demo-token","device":"demo-token","project":"Demo","group":"TestGroup1"}`, 400,
			`device: no device has the ID "<redacted>"`},
		{"state: unknown field", FleetStatePath, `{"user_token":"demo-token","device":"d-19a2-7c30","status":"online"}`, 400,
			`unknown field "status"; the body is a JSON object with the fields user_token, device, state`},
		{"state: bad state", FleetStatePath, `{"user_token":"demo-token","device":"d-19a2-7c30","state":"up"}`, 400, `state: "up" is not one of online, offline`},
		{"add: missing device", FleetAddPath, `{"user_token":"demo-token","project":"Demo","group":"TestGroup1"}`, 400,
			"missing device: an object with the fields id, name, tags, apps, state, update_status, device_id, last_keepalive, updates"},
		{"add: unknown device field", FleetAddPath, `{"user_token":"demo-token","project":"Demo","group":"TestGroup1","device":{"id":"d-1","state":"online","colour":"red"}}`, 400,
			`unknown field "colour"; the body is a JSON object with the fields user_token, project, group, device; device is an object with the fields id, name, tags,`},
		{"add: bad device", FleetAddPath, `{"user_token":"demo-token","project":"Demo","group":"TestGroup1","device":{"id":"d-4ec7-1be9","state":"online"}}`, 400,
			`device: id "d-4ec7-1be9" is already used by a device of group "TestGroup1" of project "Demo"`},
		{"add: unknown app", FleetAddPath, `{"user_token":"demo-token","project":"Demo","group":"TestGroup1","device":{"id":"d-1","state":"online","apps":{"x":"1"}}}`, 400,
			`app "x" is not listed in the account's apps (apps: camera-driver, legacy-agent, metrics)`},
		{"empty body", FleetMovePath, ``, 400, "malformed JSON body: empty: no JSON object; the body is a JSON object with the fields"},
		{"not an object", FleetStatePath, `["demo-token"]`, 400, "malformed JSON body: cannot unmarshal array"},
		{"trailing data", FleetStatePath, `{"user_token":"demo-token","device":"d-19a2-7c30","state":"online"} {}`, 400, "malformed JSON body: trailing data after the JSON object"},
		{"token as a field name", FleetMovePath, `{"demo-token":1}`, 400, `unknown field "<redacted>"`},
		{"body too large", FleetAddPath, `{"user_token":"demo-token","x":"` + strings.Repeat("a", maxBody) + `"}`, 413, "request body too large (limit 1 MiB)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New(DemoFleet())
			before := e.Fleet()
			rec := serve(e, http.MethodPost, tt.path, tt.body)
			raw := rec.Body.String()
			checkNoToken(t, "answer", raw)
			if rec.Code != tt.status || rec.Header().Get("Content-Type") != "application/json" {
				t.Fatalf("answer %d %s %s, want %d", rec.Code, rec.Header().Get("Content-Type"), raw, tt.status)
			}
			if tt.status != 200 {
				if msg := errorMessage(t, raw); !strings.Contains(msg, tt.want) {
					t.Errorf("error_message %q lacks %q", msg, tt.want)
				}
				if !reflect.DeepEqual(e.Fleet(), before) {
					t.Error("a refused change changed the fleet")
				}
				return
			}
			var got DeviceView
			decodeWire(t, raw, &got)
			if want := e.Devices(DemoToken)[tt.want]; got.ID != tt.want || !reflect.DeepEqual(got, want) {
				t.Errorf("answer %+v, want the device as the emulator holds it, %+v", got, want)
			}
			checkInspectShows(t, e, got)
			checkReadsMatchFleet(t, e, DemoToken)
			checkRemovalSees(t, e, got.ID, nil)
		})
	}
}

// checkInspectShows checks that GET /_emulator/devices shows the device as
// the control route answered it.
func checkInspectShows(t *testing.T, e *Emulator, v DeviceView) {
	t.Helper()
	var all struct {
		Accounts []accountView `json:"accounts"`
	}
	decodeWire(t, serve(e, http.MethodGet, InspectPrefix+"devices", "").Body.String(), &all)
	for _, d := range all.Accounts[0].Devices {
		if d.ID == v.ID {
			if !reflect.DeepEqual(d, v) {
				t.Errorf("GET /_emulator/devices shows %+v, the change answered %+v", d, v)
			}
			return
		}
	}
	t.Errorf("GET /_emulator/devices lacks %s", v.ID)
}

func TestControlMethodsAndPaths(t *testing.T) {
	e := New(DemoFleet())
	before := e.Fleet()
	body := `{"user_token":"demo-token","device":"d-19a2-7c30","state":"online"}`
	for _, path := range []string{FleetMovePath, FleetStatePath, FleetAddPath} {
		for _, method := range []string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodPatch} {
			rec := serve(e, method, path, body)
			if rec.Code != 405 || rec.Header().Get("Allow") != "POST" {
				t.Errorf("%s %s: %d, Allow %q; want 405, Allow POST", method, path, rec.Code, rec.Header().Get("Allow"))
			}
		}
	}
	if rec := serve(e, http.MethodPost, InspectPrefix+"fleet/remove", body); rec.Code != 404 {
		t.Errorf("an unknown fleet path: %d", rec.Code)
	}
	// The inspection paths stay read-only.
	for _, path := range []string{"devices", "requests", "health"} {
		if rec := serve(e, http.MethodPost, InspectPrefix+path, body); rec.Code != 405 || rec.Header().Get("Allow") != "GET, HEAD" {
			t.Errorf("POST %s: %d, Allow %q", path, rec.Code, rec.Header().Get("Allow"))
		}
	}
	if !reflect.DeepEqual(e.Fleet(), before) {
		t.Error("a refused method changed the fleet")
	}
}

// TestControlIsNoAPIRequest: the changes are not logged, not counted, and
// the knobs (rate limit, FailNext, DropNext, latency) neither hold them
// back nor spend on them.
func TestControlIsNoAPIRequest(t *testing.T) {
	e := New(DemoFleet())
	srv := newServer(t, e)
	post := func(path, body string) int {
		t.Helper()
		resp, err := srv.Client().Post(srv.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatalf("POST %s: %v", path, err)
		}
		raw, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		checkNoToken(t, "answer", string(raw))
		return resp.StatusCode
	}
	state := func(s string) string {
		return `{"user_token":"demo-token","device":"d-19a2-7c30","state":"` + s + `"}`
	}
	apiBody, err := json.Marshal(body(nil))
	if err != nil {
		t.Fatal(err)
	}
	api := func() int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodDelete, srv.URL+DeviceAppsPath, strings.NewReader(string(apiBody)))
		resp, err := srv.Client().Do(req)
		if err != nil {
			return 0 // dropped
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}

	e.SetRateLimit(0.001, 1, true)
	if s := api(); s != 200 {
		t.Fatalf("first API request: %d", s)
	}
	if s := api(); s != 429 {
		t.Fatalf("second API request: %d, want 429", s)
	}
	for _, s := range []string{StateOnline, StateOffline, StateOnline} {
		if code := post(FleetStatePath, state(s)); code != 200 {
			t.Errorf("a change under the rate limit: %d", code)
		}
	}
	e.SetRateLimit(0, 0, false)
	e.FailNext(1, 503, false)
	e.DropNext(1)
	e.SetLatency(time.Hour)
	if code := post(FleetMovePath, `{"user_token":"demo-token","device":"d-19a2-7c30","project":"Demo","group":"TestGroup2"}`); code != 200 {
		t.Errorf("a change beside FailNext, DropNext and latency: %d", code)
	}
	e.SetLatency(0)
	if s := api(); s != 0 {
		t.Errorf("the API request after the change: %d, want dropped (DropNext unspent)", s)
	}
	if s := api(); s != 503 {
		t.Errorf("the next API request: %d, want 503 (FailNext unspent)", s)
	}

	log, counted := e.Requests(), 0
	for _, n := range e.Counts() {
		counted += n
	}
	if len(log) != 4 || counted != 4 {
		t.Fatalf("%d requests logged, %d counted, want the 4 API requests", len(log), counted)
	}
	for _, r := range log {
		if r.Path != DeviceAppsPath {
			t.Errorf("logged %s %s", r.Method, r.Path)
		}
	}
	if got := e.Devices(DemoToken)["d-19a2-7c30"]; got.State != StateOnline || got.Group != "TestGroup2" {
		t.Errorf("the changes did not apply: %+v", got)
	}
}
