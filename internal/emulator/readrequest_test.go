package emulator

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestReadsLimit(t *testing.T) {
	e := New(readFleet(60))
	tests := []struct {
		name  string
		limit any // nil: not sent
		want  int // devices on the first page; 0: refused
		msg   string
	}{
		{"default", nil, 20, ""},
		{"one", 1, 1, ""},
		{"max", 50, 50, ""},
		{"whole number spelled with a fraction", 7.0, 7, ""},
		{"over max", 51, 0, "limit must be at most 50"},
		{"far over max", 1e9, 0, "limit must be at most 50"},
		{"zero", 0, 0, "limit must be a positive integer, got 0"},
		{"negative", -5, 0, "limit must be a positive integer, got -5"},
		{"fraction", 2.5, 0, "limit must be a positive integer, got 2.5"},
		{"string", "20", 0, "limit must be a number, got a string"},
		{"null", "null", 0, "limit must be a number, got null"},
		{"boolean", true, 0, "limit must be a number, got a boolean"},
	}
	for _, tt := range tests {
		for _, path := range []string{DevicesDetailsPath, DevicesStatePath} {
			t.Run(tt.name+" "+path, func(t *testing.T) {
				b := map[string]any{"user_token": readToken}
				switch tt.limit {
				case nil:
				case "null":
					b["limit"] = nil
				default:
					b["limit"] = tt.limit
				}
				code, raw := getRead(t, e, path, b)
				if tt.want == 0 {
					checkRefused(t, code, raw, tt.msg)
					return
				}
				var page struct {
					Message []json.RawMessage `json:"message"`
				}
				decodeWire(t, raw, &page)
				if code != http.StatusOK || len(page.Message) != tt.want {
					t.Errorf("%d with %d devices, want 200 with %d", code, len(page.Message), tt.want)
				}
			})
		}
	}
}

func TestReadsOffset(t *testing.T) {
	e := New(DemoFleet())
	// Demo device_ids in order: 100017 lab-01, 100018 lab-02, 100108
	// camera-01, 100109 camera-02, 100234 gateway-01, 100235 gateway-02,
	// 100412 sensor-01, 100413 sensor-02, 100861 camera-03, 100990 lab-03.
	details := []struct {
		name   string
		offset any
		want   []int64 // nil: refused
		msg    string
	}{
		{"none", nil, []int64{100017, 100018, 100108}, ""},
		{"zero", 0, []int64{100017, 100018, 100108}, ""},
		{"negative", -1, []int64{100017, 100018, 100108}, ""},
		{"a device's id", 100108, []int64{100109, 100234, 100235}, ""},
		{"between ids", 100200, []int64{100234, 100235, 100412}, ""},
		{"decimal string", "100108", []int64{100109, 100234, 100235}, ""},
		{"near the end", 100861, []int64{100990}, ""},
		{"the last id", 100990, []int64{}, ""},
		{"past the end", 1 << 40, []int64{}, ""},
		{"fraction", 100108.5, nil, "offset must be a device_id (a whole number), got 100108.5"},
		{"not a number string", "d-4ec7-1be9", nil, `offset must be a device_id (a whole number), got "d-4ec7-1be9"`},
		{"empty string", "", nil, `offset must be a device_id (a whole number), got ""`},
		{"boolean", true, nil, "offset must be a device_id (a number), got a boolean"},
		{"object", map[string]any{}, nil, "offset must be a device_id (a number), got an object"},
	}
	for _, tt := range details {
		t.Run("devices_details "+tt.name, func(t *testing.T) {
			b := map[string]any{"user_token": DemoToken, "limit": 3}
			if tt.offset != nil {
				b["offset"] = tt.offset
			}
			code, raw := getRead(t, e, DevicesDetailsPath, b)
			if tt.want == nil {
				checkRefused(t, code, raw, tt.msg)
				return
			}
			var page wireDetails
			decodeWire(t, raw, &page)
			ids := []int64{}
			for _, d := range page.Message {
				ids = append(ids, d.DeviceID)
			}
			wantMore := len(tt.want) == 3 && tt.want[2] != 100990
			if code != 200 || !slices.Equal(ids, tt.want) || *page.More != wantMore {
				t.Errorf("%d: %v more=%v, want %v more=%v", code, ids, *page.More, tt.want, wantMore)
			}
		})
	}

	// Demo uuids in order: d-19a2-7c30, d-2d47-a951, d-4ec7-1be9,
	// d-5b8e-02f4, d-7f21-9ad6, d-8b3f-c6e2, d-a3c5-6e18, d-c0d9-3b72,
	// d-e614-8f0b, d-f09c-5d13.
	states := []struct {
		name   string
		offset any
		want   []string
		msg    string
	}{
		{"none", nil, []string{"d-19a2-7c30", "d-2d47-a951", "d-4ec7-1be9"}, ""},
		{"empty", "", []string{"d-19a2-7c30", "d-2d47-a951", "d-4ec7-1be9"}, ""},
		{"a device's uuid", "d-4ec7-1be9", []string{"d-5b8e-02f4", "d-7f21-9ad6", "d-8b3f-c6e2"}, ""},
		{"between uuids", "d-5", []string{"d-5b8e-02f4", "d-7f21-9ad6", "d-8b3f-c6e2"}, ""},
		{"near the end", "d-e614-8f0b", []string{"d-f09c-5d13"}, ""},
		{"past the end", "e", []string{}, ""},
		{"number", 100108, nil, "offset must be a device_uuid (a string), got a number"},
		{"null", "null", nil, "offset must be a device_uuid (a string), got null"},
	}
	for _, tt := range states {
		t.Run("get_devices_state "+tt.name, func(t *testing.T) {
			b := map[string]any{"user_token": DemoToken, "limit": 3}
			switch tt.offset {
			case nil:
			case "null":
				b["offset"] = nil
			default:
				b["offset"] = tt.offset
			}
			code, raw := getRead(t, e, DevicesStatePath, b)
			if tt.want == nil {
				checkRefused(t, code, raw, tt.msg)
				return
			}
			var page wireStates
			decodeWire(t, raw, &page)
			uuids := []string{}
			for _, s := range page.Message {
				uuids = append(uuids, s.DeviceUUID)
			}
			if code != 200 || !slices.Equal(uuids, tt.want) {
				t.Errorf("%d: %v, want %v", code, uuids, tt.want)
			}
		})
	}
}

func TestReadsRefusals(t *testing.T) {
	tests := []struct {
		name string
		raw  string // used when not empty, else fields
		edit func(b map[string]any)
		// paths refusing; the other read, if not listed, answers 200.
		paths []string
		want  string
	}{
		{name: "malformed JSON", raw: `{"user_token": "demo-token",`, want: "malformed JSON body: unexpected EOF"},
		{name: "empty body", raw: " ", want: "malformed JSON body: the body is empty"},
		{name: "body is a list", raw: `[{"user_token": "demo-token"}]`, want: "the request body must be a JSON object, got a list"},
		{name: "body is a string", raw: `"demo-token"`, want: "the request body must be a JSON object, got a string"},

		{name: "missing token", edit: func(b map[string]any) { delete(b, "user_token") }, want: "missing user_token"},
		{name: "token not a string", edit: func(b map[string]any) { b["user_token"] = 7 }, want: "user_token must be a string, got a number"},
		{name: "unknown token", edit: func(b map[string]any) { b["user_token"] = "wrong-token" }, want: "invalid user token"},
		{name: "token checked first", edit: func(b map[string]any) { b["user_token"] = "wrong-token"; b["limit"] = 99 }, want: "invalid user token"},

		{name: "unknown project", edit: func(b map[string]any) { b["project_name"] = "Nope" }, want: `project_name: project "Nope" does not exist in this account`},
		{name: "unknown group", edit: func(b map[string]any) { b["project_name"] = "Demo"; b["group_name"] = "Nope" },
			want: `group_name: group "Nope" does not exist in project "Demo"`},
		{name: "project name not a string", edit: func(b map[string]any) { b["project_name"] = []any{"Demo"} }, want: "project_name must be a string, got a list"},
		{name: "project name empty", edit: func(b map[string]any) { b["project_name"] = "" }, want: "project_name must not be empty"},
		{name: "project name null", edit: func(b map[string]any) { b["project_name"] = nil }, want: "project_name must be a string, got null"},
		{name: "group name not a string", edit: func(b map[string]any) { b["project_name"] = "Demo"; b["group_name"] = 1 }, want: "group_name must be a string, got a number"},
		{name: "group name not a string, without project", edit: func(b map[string]any) { b["group_name"] = true }, want: "group_name must be a string, got a boolean"},
		{name: "long project name shortened", edit: func(b map[string]any) { b["project_name"] = strings.Repeat("p", 80) },
			want: `project_name: project "` + strings.Repeat("p", 64) + `"... does not exist in this account`},
		{name: "token never echoed", edit: func(b map[string]any) { b["project_name"] = "x-" + DemoToken },
			want: `project_name: project "x-<redacted>" does not exist in this account`},

		{name: "device_name not a string", edit: func(b map[string]any) { b["device_name"] = 3 }, paths: []string{DevicesDetailsPath}, want: "device_name must be a string, got a number"},
		{name: "device_token", edit: func(b map[string]any) { b["device_token"] = "dt-123" }, paths: []string{DevicesDetailsPath}, want: "unknown device token"},
		{name: "device_token makes other fields ignored", edit: func(b map[string]any) { b["device_token"] = "dt-123"; b["device_name"] = 5; b["offset"] = "abc" },
			paths: []string{DevicesDetailsPath}, want: "unknown device token"},
		{name: "device_token not a string", edit: func(b map[string]any) { b["device_token"] = 123 }, paths: []string{DevicesDetailsPath}, want: "device_token must be a string, got a number"},
	}
	for _, tt := range tests {
		for _, path := range []string{DevicesDetailsPath, DevicesStatePath} {
			t.Run(tt.name+" "+path, func(t *testing.T) {
				e := New(DemoFleet())
				raw := tt.raw
				if raw == "" {
					b := map[string]any{"user_token": DemoToken}
					tt.edit(b)
					raw = mustJSON(t, b)
				}
				rec := serve(e, http.MethodGet, path, raw)
				if tt.paths != nil && !slices.Contains(tt.paths, path) {
					if rec.Code != http.StatusOK {
						t.Errorf("status %d, want 200 (the field is not this read's): %s", rec.Code, rec.Body)
					}
					return
				}
				if rec.Code != http.StatusBadRequest {
					t.Fatalf("status %d, want 400; body %s", rec.Code, rec.Body)
				}
				if got := decodeBody(t, rec)["error_message"]; got != tt.want {
					t.Errorf("error_message\n got %q\nwant %q", got, tt.want)
				}
				if strings.Contains(rec.Body.String(), DemoToken) {
					t.Errorf("answer leaks the token: %s", rec.Body)
				}
				if log := e.Requests(); len(log) != 1 || log[0].Status != http.StatusBadRequest || log[0].Path != path {
					t.Errorf("log = %+v", log)
				}
			})
		}
	}
}
