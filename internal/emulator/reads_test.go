package emulator

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// readToken is the token of readFleet's account.
const readToken = "read-token"

// readFleet returns one account of n devices spread over projects P0, P1 and
// their groups G0, G1, in which neither device_id order nor device_uuid
// order follows fleet order: every fifth device has a given device_id,
// counting down from 900000, New assigns the others above it, and the
// uuids' first part jumps around. Device i is named "dev-<i>"; every third
// is offline.
func readFleet(n int) *Fleet {
	a := Account{UserToken: readToken, Projects: []Project{
		{Name: "P0", Groups: []Group{{Name: "G0"}, {Name: "G1"}}},
		{Name: "P1", Groups: []Group{{Name: "G0"}, {Name: "G1"}}},
	}}
	for i := range n {
		d := Device{ID: fmt.Sprintf("d-%04x-%04x", i*7919%65536, i), Name: fmt.Sprintf("dev-%d", i), State: StateOnline}
		if i%3 == 0 {
			d.State = StateOffline
		}
		if i%5 == 0 {
			d.DeviceID = int64(900000 - i)
		}
		g := &a.Projects[i%2].Groups[i/2%2]
		g.Devices = append(g.Devices, d)
	}
	return &Fleet{Accounts: []Account{a}}
}

// getRead sends a read with the given body fields to the handler.
func getRead(t testing.TB, e *Emulator, path string, fields map[string]any) (int, string) {
	t.Helper()
	rec := serve(e, http.MethodGet, path, mustJSON(t, fields))
	return rec.Code, rec.Body.String()
}

// wireDetails is the part of a devices_details answer the paging tests read.
type wireDetails struct {
	More    *bool `json:"more"`
	Message []struct {
		DeviceID   int64  `json:"device_id"`
		DeviceUUID string `json:"device_uuid"`
		DeviceName string `json:"device_name"`
		Project    string `json:"project"`
		Group      string `json:"group"`
	} `json:"message"`
}

// wireStates is a get_devices_state answer.
type wireStates struct {
	Message []stateEntry `json:"message"`
}

// errorMessage returns the error_message of an answer.
func errorMessage(t testing.TB, raw string) string {
	t.Helper()
	var e errorBody
	decodeWire(t, raw, &e)
	return e.ErrorMessage
}

func decodeWire(t testing.TB, raw string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		t.Fatalf("answer %s: %v", raw, err)
	}
}

// pageAllDetails pages through devices_details with the given limit (0:
// none sent) and extra body fields, checking each page, and returns the
// device_ids in the order received and the number of pages.
func pageAllDetails(t testing.TB, e *Emulator, token string, limit int, extra map[string]any) ([]int64, int) {
	t.Helper()
	size := cmp.Or(limit, DefaultReadLimit)
	var ids []int64
	var offset any
	for pages := 1; ; pages++ {
		b := map[string]any{"user_token": token}
		if limit > 0 {
			b["limit"] = limit
		}
		if offset != nil {
			b["offset"] = offset
		}
		for k, v := range extra {
			b[k] = v
		}
		code, raw := getRead(t, e, DevicesDetailsPath, b)
		if code != http.StatusOK {
			t.Fatalf("page %d: %d %s", pages, code, raw)
		}
		var page wireDetails
		decodeWire(t, raw, &page)
		if page.More == nil || page.Message == nil {
			t.Fatalf("page %d lacks more or message: %s", pages, raw)
		}
		if len(page.Message) > size || (*page.More && len(page.Message) != size) {
			t.Fatalf("page %d: %d devices with more=%v, limit %d", pages, len(page.Message), *page.More, size)
		}
		for _, d := range page.Message {
			ids = append(ids, d.DeviceID)
		}
		if !*page.More {
			return ids, pages
		}
		offset = page.Message[len(page.Message)-1].DeviceID
		if pages > 100000 {
			t.Fatal("paging does not end")
		}
	}
}

// pageAllStates is pageAllDetails for get_devices_state; it returns the
// uuids received.
func pageAllStates(t testing.TB, e *Emulator, token string, limit int, extra map[string]any) ([]string, int) {
	t.Helper()
	entries, pages := pageAllStateEntries(t, e, token, limit, extra)
	uuids := make([]string, len(entries))
	for i, s := range entries {
		uuids[i] = s.DeviceUUID
	}
	return uuids, pages
}

// pageAllStateEntries is pageAllStates returning the entries received.
func pageAllStateEntries(t testing.TB, e *Emulator, token string, limit int, extra map[string]any) ([]stateEntry, int) {
	t.Helper()
	size := cmp.Or(limit, DefaultReadLimit)
	var entries []stateEntry
	offset := ""
	for pages := 1; ; pages++ {
		b := map[string]any{"user_token": token}
		if limit > 0 {
			b["limit"] = limit
		}
		if pages > 1 {
			b["offset"] = offset
		}
		for k, v := range extra {
			b[k] = v
		}
		code, raw := getRead(t, e, DevicesStatePath, b)
		if code != http.StatusOK {
			t.Fatalf("page %d: %d %s", pages, code, raw)
		}
		if strings.Contains(raw, `"more"`) {
			t.Fatalf("page %d has a more key: %s", pages, raw)
		}
		var page wireStates
		decodeWire(t, raw, &page)
		if page.Message == nil {
			t.Fatalf("page %d: message is not a list: %s", pages, raw)
		}
		if len(page.Message) > size {
			t.Fatalf("page %d: %d entries, limit %d", pages, len(page.Message), size)
		}
		entries = append(entries, page.Message...)
		if len(page.Message) < size {
			return entries, pages
		}
		offset = page.Message[len(page.Message)-1].DeviceUUID
		if pages > 100000 {
			t.Fatal("paging does not end")
		}
	}
}

// expectedOrders returns the account's device_ids sorted and its uuids
// sorted, from Devices (not from the reads' own index), keeping only the
// devices keep accepts.
func expectedOrders(e *Emulator, token string, keep func(DeviceView) bool) ([]int64, []string) {
	var ids []int64
	var uuids []string
	for _, d := range e.Devices(token) {
		if keep == nil || keep(d) {
			ids = append(ids, d.DeviceID)
			uuids = append(uuids, d.ID)
		}
	}
	slices.Sort(ids)
	slices.Sort(uuids)
	return ids, uuids
}

func TestReadsPageThroughTheFleet(t *testing.T) {
	tests := []struct {
		devices, limit int // limit 0: not sent (20)
		detailsPages   int
		statesPages    int
	}{
		{0, 0, 1, 1},
		{1, 0, 1, 1},
		{19, 0, 1, 1},
		{20, 0, 1, 2}, // a full states page asks for one more, which is empty
		{21, 0, 2, 2},
		{137, 0, 7, 7},
		{137, 50, 3, 3},
		{150, 50, 3, 4}, // an exact multiple of 50 ends with an empty states page
		{151, 50, 4, 4},
		{10, 1, 10, 11},
		{23, 7, 4, 4},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d devices limit %d", tt.devices, tt.limit), func(t *testing.T) {
			e := New(readFleet(tt.devices))
			wantIDs, wantUUIDs := expectedOrders(e, readToken, nil)

			ids, pages := pageAllDetails(t, e, readToken, tt.limit, nil)
			if !slices.Equal(ids, wantIDs) {
				t.Errorf("devices_details gave %v\nwant every device once by device_id: %v", ids, wantIDs)
			}
			if pages != tt.detailsPages {
				t.Errorf("devices_details took %d pages, want %d", pages, tt.detailsPages)
			}

			uuids, pages := pageAllStates(t, e, readToken, tt.limit, nil)
			if !slices.Equal(uuids, wantUUIDs) {
				t.Errorf("get_devices_state gave %v\nwant every device once by uuid: %v", uuids, wantUUIDs)
			}
			if pages != tt.statesPages {
				t.Errorf("get_devices_state took %d pages, want %d", pages, tt.statesPages)
			}
		})
	}
}

// TestReadsOfALargeFleet: 10,000 devices paged 50 at a time, 200 pages of
// each read, every device once and in order.
func TestReadsOfALargeFleet(t *testing.T) {
	if testing.Short() {
		t.Skip("large fleet")
	}
	e := New(readFleet(10000))
	wantIDs, wantUUIDs := expectedOrders(e, readToken, nil)
	ids, pages := pageAllDetails(t, e, readToken, MaxReadLimit, nil)
	if !slices.Equal(ids, wantIDs) || pages != 200 {
		t.Errorf("devices_details: %d devices in %d pages, want %d in 200, in device_id order", len(ids), pages, len(wantIDs))
	}
	uuids, pages := pageAllStates(t, e, readToken, MaxReadLimit, nil)
	if !slices.Equal(uuids, wantUUIDs) || pages != 201 {
		t.Errorf("get_devices_state: %d devices in %d pages, want %d in 201 (the last empty), in uuid order", len(uuids), pages, len(wantUUIDs))
	}
}

// BenchmarkReadPage measures one page of 50 from the middle of 10,000
// devices, narrowed to one group of a project.
func BenchmarkReadPage(b *testing.B) {
	e := New(readFleet(10000))
	for _, rd := range []struct {
		path   string
		offset any
	}{{DevicesDetailsPath, 905000}, {DevicesStatePath, "d-8000"}} {
		raw := mustJSON(b, map[string]any{"user_token": readToken, "limit": 50, "offset": rd.offset, "project_name": "P1", "group_name": "G0"})
		b.Run(strings.TrimPrefix(rd.path, "/v1/"), func(b *testing.B) {
			for b.Loop() {
				if rec := serve(e, http.MethodGet, rd.path, raw); rec.Code != http.StatusOK {
					b.Fatalf("%d %s", rec.Code, rec.Body)
				}
			}
		})
	}
}

func TestReadsNarrowByProjectGroupAndName(t *testing.T) {
	e := New(readFleet(103))
	tests := []struct {
		name   string
		fields map[string]any
		keep   func(DeviceView) bool
		// states ignores device_name: onlyDetails marks the cases where it
		// narrows devices_details alone.
		onlyDetails bool
	}{
		{"project", map[string]any{"project_name": "P1"}, func(d DeviceView) bool { return d.Project == "P1" }, false},
		{"project and group", map[string]any{"project_name": "P0", "group_name": "G1"},
			func(d DeviceView) bool { return d.Project == "P0" && d.Group == "G1" }, false},
		{"group without project is ignored", map[string]any{"group_name": "G1"}, nil, false},
		{"group unknown everywhere, without project, is ignored", map[string]any{"group_name": "Nope"}, nil, false},
		{"device_name", map[string]any{"device_name": "dev-42"}, func(d DeviceView) bool { return d.Name == "dev-42" }, true},
		{"device_name is exact", map[string]any{"device_name": "dev-4"}, func(d DeviceView) bool { return d.Name == "dev-4" }, true},
		{"device_name is case-sensitive", map[string]any{"device_name": "DEV-4"}, func(DeviceView) bool { return false }, true},
		{"device_name outside the project", map[string]any{"device_name": "dev-42", "project_name": "P1"}, func(DeviceView) bool { return false }, true},
		{"device_name inside the project", map[string]any{"device_name": "dev-43", "project_name": "P1"}, func(d DeviceView) bool { return d.Name == "dev-43" }, true},
		{"unknown fields ignored", map[string]any{"sort": "name", "page": 3, "device_filter": map[string]any{}}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantIDs, wantUUIDs := expectedOrders(e, readToken, tt.keep)
			if tt.keep == nil && len(wantIDs) != 103 {
				t.Fatalf("expected the whole fleet, got %d", len(wantIDs))
			}
			ids, _ := pageAllDetails(t, e, readToken, 10, tt.fields)
			if !slices.Equal(ids, wantIDs) {
				t.Errorf("devices_details gave %v\nwant %v", ids, wantIDs)
			}
			if tt.onlyDetails {
				_, wantUUIDs = expectedOrders(e, readToken, func(d DeviceView) bool {
					p, ok := tt.fields["project_name"]
					return !ok || d.Project == p
				})
			}
			uuids, _ := pageAllStates(t, e, readToken, 10, tt.fields)
			if !slices.Equal(uuids, wantUUIDs) {
				t.Errorf("get_devices_state gave %v\nwant %v", uuids, wantUUIDs)
			}
		})
	}
}

// TestReadsDuplicateNamesAcrossProjects: a device_name held by devices of
// two groups returns both, and a group name reused by two projects names
// the one of the project given.
func TestReadsDuplicateNamesAcrossProjects(t *testing.T) {
	f := readFleet(8)
	for pi := range f.Accounts[0].Projects {
		f.Accounts[0].Projects[pi].Groups[1].Devices[0].Name = "twin"
	}
	e := New(f)
	var want []int64
	for _, d := range e.Devices(readToken) {
		if d.Name == "twin" {
			want = append(want, d.DeviceID)
		}
	}
	slices.Sort(want)
	if ids, _ := pageAllDetails(t, e, readToken, 1, map[string]any{"device_name": "twin"}); len(want) != 2 || !slices.Equal(ids, want) {
		t.Errorf("device_name twin gave %v, want %v", ids, want)
	}
	code, raw := getRead(t, e, DevicesDetailsPath, map[string]any{"user_token": readToken, "project_name": "P1", "group_name": "G1"})
	var page wireDetails
	decodeWire(t, raw, &page)
	for _, d := range page.Message {
		if d.Project != "P1" || d.Group != "G1" {
			t.Errorf("project P1 group G1 answered a device of %s/%s", d.Project, d.Group)
		}
	}
	if code != 200 || len(page.Message) != 2 {
		t.Errorf("%d, %d devices, want 200 and the 2 devices of P1/G1: %s", code, len(page.Message), raw)
	}
}

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
					if code != http.StatusBadRequest || errorMessage(t, raw) != tt.msg {
						t.Errorf("%d %s, want 400 %q", code, raw, tt.msg)
					}
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
				if code != http.StatusBadRequest || errorMessage(t, raw) != tt.msg {
					t.Errorf("%d %s, want 400 %q", code, raw, tt.msg)
				}
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
				if code != http.StatusBadRequest || errorMessage(t, raw) != tt.msg {
					t.Errorf("%d %s, want 400 %q", code, raw, tt.msg)
				}
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

// TestReadsSeeRemovals: the reads answer the fleet as it is now, and do not
// change it.
func TestReadsSeeRemovals(t *testing.T) {
	e := New(DemoFleet())
	b := body(nil)
	delete(b, "app_name")
	b["tag_name"] = "prod"
	if rec := serve(e, http.MethodDelete, DeviceTagsPath, mustJSON(t, b)); rec.Code != 200 {
		t.Fatalf("tag removal: %d %s", rec.Code, rec.Body)
	}
	before := e.Fleet()
	code, raw := getRead(t, e, DevicesDetailsPath, map[string]any{"user_token": DemoToken, "device_name": "gateway-01"})
	var page struct {
		Message []struct {
			Tags []string `json:"tags"`
		} `json:"message"`
	}
	decodeWire(t, raw, &page)
	if code != 200 || len(page.Message) != 1 || !slices.Equal(page.Message[0].Tags, []string{"gateway"}) {
		t.Errorf("gateway-01 after removing prod: %d %s", code, raw)
	}
	getRead(t, e, DevicesStatePath, map[string]any{"user_token": DemoToken})
	if !reflect.DeepEqual(e.Fleet(), before) {
		t.Error("a read changed the fleet")
	}
}

// TestReadsBesideRemovals: reads served while removals change the same
// devices see every device once (the race detector checks the locking).
func TestReadsBesideRemovals(t *testing.T) {
	e := New(DemoFleet())
	srv := newServer(t, e)
	done := make(chan error, 1)
	go func() {
		for _, app := range []string{"legacy-agent", "metrics", "camera-driver"} {
			b := body(func(b, _ map[string]any) { b["app_name"] = app })
			req, _ := http.NewRequest(http.MethodDelete, srv.URL+DeviceAppsPath, strings.NewReader(mustJSON(t, b)))
			resp, err := srv.Client().Do(req)
			if err != nil {
				done <- err
				return
			}
			_ = resp.Body.Close()
		}
		done <- nil
	}()
	wantIDs, wantUUIDs := expectedOrders(e, DemoToken, nil)
	for range 5 {
		for _, limit := range []int{1, 3} {
			if ids, _ := pageAllDetails(t, e, DemoToken, limit, nil); !slices.Equal(ids, wantIDs) {
				t.Errorf("details %v, want %v", ids, wantIDs)
			}
			if a := getOverHTTP(t, srv.URL, DevicesStatePath); a.err != nil || a.status != 200 {
				t.Errorf("states over HTTP: %+v", a)
			}
			if uuids, _ := pageAllStates(t, e, DemoToken, limit, nil); !slices.Equal(uuids, wantUUIDs) {
				t.Errorf("states %v, want %v", uuids, wantUUIDs)
			}
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
