package emulator

import (
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
)

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
