package upswift

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestListDevicesPagesBothReads: both reads are paged with a limit of 50
// and their own cursors (the last device_id, the last device_uuid) until
// each says it ended: devices_details on "more": false, get_devices_state
// on a page shorter than the limit (an empty one after a full last page).
// The devices come back ordered by UUID, with their states joined.
func TestListDevicesPagesBothReads(t *testing.T) {
	tests := []struct {
		n                   int
		wantDetailOffsets   []string
		wantStateOffsetsLen int
	}{
		{n: 0, wantDetailOffsets: []string{""}, wantStateOffsetsLen: 1},
		{n: 49, wantDetailOffsets: []string{""}, wantStateOffsetsLen: 1},
		{n: 50, wantDetailOffsets: []string{""}, wantStateOffsetsLen: 2},
		{n: 51, wantDetailOffsets: []string{"", "1050"}, wantStateOffsetsLen: 2},
		{n: 130, wantDetailOffsets: []string{"", "1050", "1100"}, wantStateOffsetsLen: 3},
		{n: 150, wantDetailOffsets: []string{"", "1050", "1100"}, wantStateOffsetsLen: 4},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.n), func(t *testing.T) {
			c, f := newFakeFleet(t, tt.n)
			devices, err := c.ListDevices(context.Background(), DeviceQuery{Project: "P"})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := uuids(devices), fakeUUIDs(0, tt.n, 1); got != want {
				t.Fatalf("devices %s, want %s", got, want)
			}
			for i, d := range devices {
				want := "online"
				if i%3 == 0 {
					want = "offline"
				}
				if d.State != want || d.ID != int64(1001+i) || d.LastUpdateStatus() != "success" || d.Tags[0] != "edge" {
					t.Errorf("device %d: %+v", i, d)
				}
			}
			details, states := f.got("/v1/devices_details"), f.got("/v1/get_devices_state")
			var offsets []string
			for _, r := range details {
				offsets = append(offsets, offsetOf(r))
			}
			if strings.Join(offsets, " ") != strings.Join(tt.wantDetailOffsets, " ") {
				t.Errorf("devices_details offsets %q, want %q", offsets, tt.wantDetailOffsets)
			}
			if len(states) != tt.wantStateOffsetsLen {
				t.Errorf("%d get_devices_state pages, want %d", len(states), tt.wantStateOffsetsLen)
			}
			for i, r := range states {
				want := ""
				if i > 0 {
					want = fmt.Sprintf(`"d-%04d"`, 50*i-1)
				}
				if got := offsetOf(r); got != want {
					t.Errorf("get_devices_state page %d offset %s, want %s", i+1, got, want)
				}
			}
			for _, r := range append(details, states...) {
				if r.body["limit"] != float64(50) || r.body["user_token"] != testToken || r.body["project_name"] != "P" {
					t.Errorf("%s body %v: want limit 50, the token and project_name", r.path, r.body)
				}
				if _, ok := r.body["group_name"]; ok {
					t.Errorf("%s body %v names a group", r.path, r.body)
				}
			}
		})
	}
}

// TestListDevicesOfAGroup: group_name is sent with project_name, and only
// the group's devices come back.
func TestListDevicesOfAGroup(t *testing.T) {
	c, f := newFakeFleet(t, 9)
	devices, err := c.ListDevices(context.Background(), DeviceQuery{Project: "P", Group: "G2"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := uuids(devices), fakeUUIDs(1, 9, 2); got != want {
		t.Fatalf("devices %s, want %s", got, want)
	}
	for _, path := range []string{"/v1/devices_details", "/v1/get_devices_state"} {
		for _, r := range f.got(path) {
			if r.body["group_name"] != "G2" || r.body["project_name"] != "P" {
				t.Errorf("%s body %v", path, r.body)
			}
		}
	}
	if _, err := c.ListDevices(context.Background(), DeviceQuery{Group: "G2"}); err == nil {
		t.Error("a listing without a project was sent: the API ignores group_name without project_name")
	}
}

// TestListDevicesRunsBothReadsSideBySide: while one read's page is being
// answered, the other read's page is asked for: with 30 ms per answer,
// two requests are in flight at once, never more (one per read).
func TestListDevicesRunsBothReadsSideBySide(t *testing.T) {
	c, f := newFakeFleet(t, 130)
	var mu sync.Mutex
	inflight, most := 0, 0
	slow := func(_ int, answer map[string]any) (int, any) {
		mu.Lock()
		inflight++
		most = max(most, inflight)
		mu.Unlock()
		time.Sleep(30 * time.Millisecond)
		mu.Lock()
		inflight--
		mu.Unlock()
		return 200, answer
	}
	f.details, f.statesHook = slow, slow
	if _, err := c.ListDevices(context.Background(), DeviceQuery{Project: "P"}); err != nil {
		t.Fatal(err)
	}
	if most != 2 {
		t.Fatalf("at most %d requests in flight at once, want 2: the two reads side by side", most)
	}
}

// TestListDevicesStatesAnswerForms: get_devices_state's message may be a
// single object, as the API's documentation shows it, and a "more" key is
// honoured when the answer has one.
func TestListDevicesStatesAnswerForms(t *testing.T) {
	tests := []struct {
		name      string
		n         int
		hook      func(page int, answer map[string]any) (int, any)
		wantPages int
		wantState string // of d-0000
	}{
		{"single object", 1, func(_ int, a map[string]any) (int, any) {
			a["message"] = a["message"].([]any)[0]
			return 200, a
		}, 1, "offline"},
		{"more false on a full page ends", 60, func(_ int, a map[string]any) (int, any) {
			a["more"] = false
			return 200, a
		}, 1, "offline"},
		{"more true on a short page goes on", 3, func(page int, a map[string]any) (int, any) {
			a["more"] = page == 1
			return 200, a
		}, 2, "offline"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, f := newFakeFleet(t, tt.n)
			f.statesHook = tt.hook
			devices, err := c.ListDevices(context.Background(), DeviceQuery{Project: "P"})
			if err != nil {
				t.Fatal(err)
			}
			if n := len(f.got("/v1/get_devices_state")); n != tt.wantPages {
				t.Errorf("%d get_devices_state pages, want %d", n, tt.wantPages)
			}
			if len(devices) != tt.n || devices[0].State != tt.wantState {
				t.Errorf("devices %v", devices)
			}
		})
	}
}

// TestListDevicesStateNotReported: a device the state listing leaves out
// keeps State "".
func TestListDevicesStateNotReported(t *testing.T) {
	c, f := newFakeFleet(t, 3)
	f.states = f.states[1:]
	devices, err := c.ListDevices(context.Background(), DeviceQuery{Project: "P"})
	if err != nil {
		t.Fatal(err)
	}
	if devices[0].State != "" || devices[1].State != "online" {
		t.Fatalf("states %q %q, want \"\" for the device not reported", devices[0].State, devices[1].State)
	}
}

// TestListDevicesRefusesMalformedDevices: a field the provider uses that
// is missing or of another JSON type than documented fails the listing
// with an error naming the field, the device and the page.
func TestListDevicesRefusesMalformedDevices(t *testing.T) {
	const where = `devices_details: device 2 of page 1 (device_uuid "d-0001"): `
	tests := []struct {
		field string
		value any // nil: left out
		want  string
	}{
		{"tags", "edge", where + `field "tags" is a string, want a list of strings`},
		{"tags", []any{"edge", 3}, where + `field "tags[1]" is a number, want a string`},
		{"tags", nil, where + `field "tags" is missing, want a list of strings`},
		{"device_id", "1002", where + `field "device_id" is a string, want an integer`},
		{"device_id", 1002.5, where + `field "device_id" is the number 1002.5, want an integer`},
		{"device_name", nil, where + `field "device_name" is missing, want a string`},
		{"group", map[string]any{"name": "G2"}, where + `field "group" is an object, want a string`},
		{"last_keepalive", nil, where + `field "last_keepalive" is missing, want a string`},
		{"updates", nil, where + `field "updates" is missing, want a list of updates`},
		{"updates", []any{"success"}, where + `field "updates[0]" is a string, want an update (an object)`},
		{"updates", []any{map[string]any{"update_id": 1, "update_status": "success"}},
			where + `field "updates[0].deployment_schedule_time" is missing, want a string`},
		{"updates", []any{map[string]any{"update_id": "1", "update_status": "success", "deployment_schedule_time": "2020-02-08 16:12:11"}},
			where + `field "updates[0].update_id" is a string, want an integer`},
		{"updates", []any{map[string]any{"update_id": 1, "update_status": nil, "deployment_schedule_time": "2020-02-08 16:12:11"}},
			where + `field "updates[0].update_status" is null, want a string`},
		{"updates", []any{map[string]any{"update_id": 1, "update_status": "success", "deployment_schedule_time": "yesterday"}},
			where + `field "updates[0].deployment_schedule_time" is "yesterday", want a time such as "2020-02-08 16:12:11"`},
		{"device_uuid", 7, `devices_details: device 2 of page 1: field "device_uuid" is a number, want a string`},
		// Two faults: the first one read is the one reported.
		{"updates", []any{map[string]any{"update_id": "1", "update_status": nil}},
			where + `field "updates[0].update_id" is a string, want an integer`},
		{"updates", []any{map[string]any{"update_id": 1, "update_status": nil, "deployment_schedule_time": "2020-02-08 16:12:11"}, "success"},
			where + `field "updates[0].update_status" is null, want a string`},
		{"updates", []any{map[string]any{"update_id": 1, "update_status": "success", "deployment_schedule_time": testToken}},
			where + `field "updates[0].deployment_schedule_time" is "<redacted>", want a time such as "2020-02-08 16:12:11"`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			c, f := newFakeFleet(t, 3)
			if tt.value == nil {
				delete(f.devices[1], tt.field)
			} else {
				f.devices[1][tt.field] = tt.value
			}
			_, err := c.ListDevices(context.Background(), DeviceQuery{Project: "P"})
			var fe *FieldError
			if !errors.As(err, &fe) && !strings.Contains(tt.want, "<redacted>") {
				t.Fatalf("want a *FieldError, got %T %v", err, err)
			}
			if err == nil || err.Error() != tt.want {
				t.Errorf("error\n got %s\nwant %s", err, tt.want)
			}
		})
	}
}

// TestListDevicesRefusesMalformedPages: a page whose own fields are not
// as documented fails the listing, naming the read, the page and the
// field.
func TestListDevicesRefusesMalformedPages(t *testing.T) {
	tests := []struct {
		name          string
		details, hook func(page int, answer map[string]any) (int, any)
		want          string
	}{
		{"details without more", func(_ int, a map[string]any) (int, any) {
			delete(a, "more")
			return 200, a
		}, nil, `devices_details page 1 of project "P": field "more" is missing, want true or false`},
		{"details more as a string", func(_ int, a map[string]any) (int, any) {
			a["more"] = "false"
			return 200, a
		}, nil, `field "more" is a string, want true or false`},
		{"details message as an object", func(_ int, a map[string]any) (int, any) {
			a["message"] = map[string]any{}
			return 200, a
		}, nil, `devices_details page 1 of project "P": field "message" is an object, want a list of devices`},
		{"states message as a string", nil, func(_ int, a map[string]any) (int, any) {
			a["message"] = "Success"
			return 200, a
		}, `get_devices_state page 1 of project "P": field "message" is a string, want a list of device states, or one device state`},
		{"state without status", nil, func(_ int, a map[string]any) (int, any) {
			delete(a["message"].([]any)[0].(map[string]any), "device_status")
			return 200, a
		}, `get_devices_state: entry 1 of page 1 (device_uuid "d-0000"): field "device_status" is missing, want a string`},
		{"states more as a number", nil, func(_ int, a map[string]any) (int, any) {
			a["more"] = 0
			return 200, a
		}, `field "more" is a number, want true or false`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, f := newFakeFleet(t, 3)
			f.details, f.statesHook = tt.details, tt.hook
			// The states' first page was copied from the fleet: give the
			// hook its own copy to change.
			for i, s := range f.states {
				f.states[i] = map[string]any{"device_status": s["device_status"], "device_uuid": s["device_uuid"], "device_name": s["device_name"]}
			}
			_, err := c.ListDevices(context.Background(), DeviceQuery{Project: "P"})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestListDevicesStopsWhereTheCursorDoesNotAdvance: a server that answers
// every page as the first, or an empty page that says more follow, stops
// the listing with an error that says so, after a few pages.
func TestListDevicesStopsWhereTheCursorDoesNotAdvance(t *testing.T) {
	tests := []struct {
		name          string
		n             int
		ignoreOffset  string
		details, hook func(page int, answer map[string]any) (int, any)
		want          string
	}{
		{"details ignore the offset", 120, "/v1/devices_details", nil, nil, "devices_details: page 2 ends with device_id 1050 again"},
		{"states ignore the offset", 60, "/v1/get_devices_state", nil, nil, `get_devices_state: page 2 ends with device_uuid "d-0049" again`},
		{"empty details page with more", 3, "", func(_ int, a map[string]any) (int, any) {
			a["message"], a["more"] = []any{}, true
			return 200, a
		}, nil, "devices_details: page 1 is empty but says more follow"},
		{"empty states page with more", 3, "", nil, func(_ int, a map[string]any) (int, any) {
			a["message"], a["more"] = []any{}, true
			return 200, a
		}, "get_devices_state: page 1 is empty but says more follow"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, f := newFakeFleet(t, tt.n)
			f.ignoreOffset, f.details, f.statesHook = tt.ignoreOffset, tt.details, tt.hook
			_, err := c.ListDevices(context.Background(), DeviceQuery{Project: "P"})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "stopped") {
				t.Fatalf("error %v, want one containing %q and saying the listing stopped", err, tt.want)
			}
			if n := len(f.got("/v1/devices_details")) + len(f.got("/v1/get_devices_state")); n > 6 {
				t.Errorf("%d pages asked for before stopping", n)
			}
		})
	}
}

// TestListDevicesStopsPastTheCap: a listing longer than the cap stops with
// an error that names it.
func TestListDevicesStopsPastTheCap(t *testing.T) {
	c, f := newFakeFleet(t, 130)
	c.maxListed = 120
	_, err := c.ListDevices(context.Background(), DeviceQuery{Project: "P"})
	if err == nil || !strings.Contains(err.Error(), "more than 120 devices after page 3") {
		t.Fatalf("error %v, want one about the cap", err)
	}
	if n := len(f.got("/v1/devices_details")); n > 3 {
		t.Errorf("%d devices_details pages asked for, want at most 3", n)
	}
	if MaxListedDevices != 100_000 {
		t.Errorf("MaxListedDevices = %d", MaxListedDevices)
	}
}

// TestListDevicesAnswers: a listing's failures are the removals' errors,
// with the read's own hints: a refused listing names the project, the
// groups and the token, never an app or a tag; the token never shows.
func TestListDevicesAnswers(t *testing.T) {
	html := "<html><title>Sign in to Example Corp</title></html>"
	tests := []struct {
		name     string
		query    DeviceQuery
		hook     func(page int, answer map[string]any) (int, any)
		wantErr  []string
		wantHint []string
	}{
		{name: "unknown project", query: DeviceQuery{Project: "Nope"},
			// Both reads are refused; the first answer stops the other.
			wantErr:  []string{`page 1 of project "Nope": the API answered 400 Bad Request: project Nope does not exist`},
			wantHint: []string{"project and group names", "user_token"}},
		{name: "token echoed", query: DeviceQuery{Project: "P"}, hook: func(int, map[string]any) (int, any) {
			return 400, map[string]any{"error_message": "invalid user token " + testToken}
		}, wantErr: []string{"invalid user token <redacted>"}, wantHint: []string{"user_token"}},
		{name: "a proxy's page", query: DeviceQuery{Project: "P"}, hook: func(int, map[string]any) (int, any) {
			return 200, html
		}, wantErr: []string{"not with the API's success answer", "Sign in to Example Corp"},
			wantHint: []string{"proxy", "did not take the answer for the API's list of devices"}},
		{name: "error_message on a 200", query: DeviceQuery{Project: "P"}, hook: func(int, map[string]any) (int, any) {
			return 200, map[string]any{"message": []any{}, "more": false, "error_message": "limit must be at most 50"}
		}, wantErr: []string{"limit must be at most 50"}},
		{name: "redirect", query: DeviceQuery{Project: "P"}, hook: func(int, map[string]any) (int, any) {
			return 307, ""
		}, wantErr: []string{"307", "follows no redirect"}},
		{name: "429 held past the deadline", query: DeviceQuery{Project: "P"}, hook: func(int, map[string]any) (int, any) {
			return 429, map[string]any{}
		}, wantErr: []string{"rate limit held the request back"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, f := newFakeFleet(t, 3)
			f.details = tt.hook
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			_, err := c.ListDevices(ctx, tt.query)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			var apiErr *APIError
			hint := ""
			if errors.As(err, &apiErr) {
				hint = apiErr.Hint()
			}
			for _, w := range tt.wantHint {
				if !strings.Contains(hint, w) {
					t.Errorf("hint %q lacks %q", hint, w)
				}
			}
			for _, not := range []string{"app name", "tag name", "removal"} {
				if strings.Contains(hint, not) {
					t.Errorf("a listing's hint speaks of %q: %s", not, hint)
				}
			}
			if strings.Contains(err.Error(), testToken) || strings.Contains(hint, testToken) {
				t.Errorf("the token shows: %v", err)
			}
		})
	}
}

// TestListDevicesWaitsOutRateLimits: 429s during paging are waited out;
// every page is then fetched once with a 200 and the listing is complete.
func TestListDevicesWaitsOutRateLimits(t *testing.T) {
	c, f := newFakeFleet(t, 130)
	c.http.RetryMax = 0
	f.details = func(page int, a map[string]any) (int, any) {
		if page == 2 || page == 3 {
			return 429, map[string]any{}
		}
		return 200, a
	}
	devices, err := c.ListDevices(context.Background(), DeviceQuery{Project: "P"})
	if err != nil {
		t.Fatal(err)
	}
	if len(devices) != 130 {
		t.Fatalf("%d devices, want 130", len(devices))
	}
	var offsets []string
	for _, r := range f.got("/v1/devices_details") {
		offsets = append(offsets, offsetOf(r))
	}
	if got := strings.Join(offsets, " "); got != " 1050 1050 1050 1100" {
		t.Errorf("devices_details offsets %q: want the second page sent three times (two 429s), then the third", got)
	}
}

// TestEachCallCarriesItsOwnHint: under a 400, each call says what to check
// in its own words.
func TestEachCallCarriesItsOwnHint(t *testing.T) {
	refused := answer{status: 400, body: `{"error_message": "refused"}`}
	filter := DeviceFilter{Project: Project{Name: "P"}}
	tests := []struct {
		name     string
		call     func(*Client) error
		want     string
		wantNone []string
	}{
		{"app removal", func(c *Client) error {
			return c.RemoveApp(context.Background(), RemoveAppRequest{AppName: "a", DeviceFilter: filter})
		},
			"Check the app name, the project and group names and the filters", []string{"tag name"}},
		{"tag removal", func(c *Client) error {
			return c.RemoveTag(context.Background(), RemoveTagRequest{TagName: "t", DeviceFilter: filter})
		},
			"Check the tag name, the project and group names and the filters", []string{"app name"}},
		{"listing", func(c *Client) error {
			_, err := c.ListDevices(context.Background(), DeviceQuery{Project: "P"})
			return err
		}, "Check the project and group names", []string{"app name", "tag name", "filters"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newTestClient(t, refused)
			var apiErr *APIError
			if err := tt.call(c); !errors.As(err, &apiErr) {
				t.Fatalf("want an *APIError, got %T %v", err, err)
			}
			hint := apiErr.Hint()
			if !strings.Contains(hint, tt.want) || !strings.Contains(hint, "user_token") {
				t.Errorf("hint %q lacks %q and the token", hint, tt.want)
			}
			for _, not := range tt.wantNone {
				if strings.Contains(hint, not) {
					t.Errorf("hint %q speaks of %q", hint, not)
				}
			}
		})
	}
}
