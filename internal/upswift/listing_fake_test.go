package upswift

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeFleet serves the two reads as the API documents them, from a list
// of devices, and records the requests. Tests change the pages it answers
// through the hooks.
type fakeFleet struct {
	mu       sync.Mutex
	devices  []map[string]any // devices_details entries, ordered by device_id
	states   []map[string]any // get_devices_state entries, ordered by device_uuid
	requests []fakeRequest
	// details and statesHook, when set, replace the 200 answer to a page:
	// they get the page's number (1 for the first request to the path) and
	// the answer the fake would give, and return the status and body to
	// send.
	details, statesHook func(page int, answer map[string]any) (int, any)
	// ignoreOffset names a path whose every page is answered as the
	// first one.
	ignoreOffset string
}

type fakeRequest struct {
	path string
	body map[string]any
	at   time.Time
}

// newFakeFleet serves n devices d-0000 ... (device_id 1001 ...) of project
// P, group G1 for even and G2 for odd ones, every third offline.
func newFakeFleet(t *testing.T, n int) (*Client, *fakeFleet) {
	t.Helper()
	f := &fakeFleet{}
	for i := range n {
		uuid := fmt.Sprintf("d-%04d", i)
		f.devices = append(f.devices, fakeDevice(int64(1001+i), uuid, fmt.Sprintf("G%d", 1+i%2)))
		state := "online"
		if i%3 == 0 {
			state = "offline"
		}
		f.states = append(f.states, map[string]any{"device_status": state, "device_uuid": uuid, "device_name": "device " + uuid})
	}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c, err := NewClient(Options{Endpoint: srv.URL, UserToken: testToken, MaxRetries: 2,
		RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c, f
}

// fakeDevice is a devices_details entry with every field of the API's
// example, in its order.
func fakeDevice(id int64, uuid, group string) map[string]any {
	return map[string]any{
		"device_id": id, "device_uuid": uuid, "device_name": "device " + uuid, "upswift_version": "5.1",
		"project": "P", "group": group, "device_ip": "10.10.10.10", "last_keepalive": "2020-02-08 16:12:11",
		"cpu_usage": 65, "ram_usage": 15, "disk_usage": 1022.1, "address": "Nurenberg, Germany",
		"lat": 49.4521, "lng": 11.0767, "is_update_trigger_set": false, "description": "",
		"registered_date": "2020-02-07 16:12:11", "tags": []any{"edge"},
		"updates": []any{map[string]any{"update_id": id * 10, "update_status": "success", "update_version": "v1",
			"comment": "", "deployment_schedule_time": "2020-02-08 16:12:11"}},
	}
}

func (f *fakeFleet) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil || r.Method != http.MethodGet {
		writeFake(w, 400, map[string]any{"error_message": "bad request"})
		return
	}
	f.mu.Lock()
	f.requests = append(f.requests, fakeRequest{path: r.URL.Path, body: body, at: time.Now()})
	page := 0
	for _, q := range f.requests {
		if q.path == r.URL.Path {
			page++
		}
	}
	var status int
	var answer any
	var hook func(int, map[string]any) (int, any)
	switch r.URL.Path {
	case "/v1/devices_details":
		status, answer = f.detailsPage(body)
		hook = f.details
	case "/v1/get_devices_state":
		status, answer = f.statesPage(body)
		hook = f.statesHook
	default:
		status, answer = 404, map[string]any{"error_message": "no such path"}
	}
	f.mu.Unlock()
	// Hooks run without the lock: they may wait for other requests.
	if m, ok := answer.(map[string]any); ok && status == 200 && hook != nil {
		status, answer = hook(page, m)
	}
	writeFake(w, status, answer)
}

// detailsPage answers a devices_details page. Devices are ordered, and
// offsets compared, by their place in the list (device_id 1001 + place),
// so that a test may give a device a device_id of another type.
func (f *fakeFleet) detailsPage(body map[string]any) (int, any) {
	if body["project_name"] != "P" {
		return 400, map[string]any{"error_message": fmt.Sprintf("project %v does not exist", body["project_name"])}
	}
	limit := int(body["limit"].(float64))
	var after int64
	if off, ok := body["offset"].(float64); ok && f.ignoreOffset != "/v1/devices_details" {
		after = int64(off)
	}
	var out []any
	more := false
	for i, d := range f.devices {
		if g, ok := body["group_name"]; ok && d["group"] != g || int64(1001+i) <= after {
			continue
		}
		if len(out) == limit {
			more = true
			break
		}
		out = append(out, d)
	}
	return 200, map[string]any{"more": more, "message": nonNil(out)}
}

func (f *fakeFleet) statesPage(body map[string]any) (int, any) {
	if body["project_name"] != "P" {
		return 400, map[string]any{"error_message": fmt.Sprintf("project %v does not exist", body["project_name"])}
	}
	limit := int(body["limit"].(float64))
	after, _ := body["offset"].(string)
	if f.ignoreOffset == "/v1/get_devices_state" {
		after = ""
	}
	var out []any
	for _, s := range f.states {
		d := f.device(s["device_uuid"].(string))
		if g, ok := body["group_name"]; ok && (d == nil || d["group"] != g) || s["device_uuid"].(string) <= after {
			continue
		}
		if len(out) == limit {
			break
		}
		out = append(out, s)
	}
	return 200, map[string]any{"message": nonNil(out)}
}

func (f *fakeFleet) device(uuid string) map[string]any {
	i := slices.IndexFunc(f.devices, func(d map[string]any) bool { return d["device_uuid"] == uuid })
	if i < 0 {
		return nil
	}
	return f.devices[i]
}

// got returns the requests to one path, in order.
func (f *fakeFleet) got(path string) []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeRequest
	for _, r := range f.requests {
		if r.path == path {
			out = append(out, r)
		}
	}
	return out
}

func nonNil(items []any) []any {
	if items == nil {
		return []any{}
	}
	return items
}

func writeFake(w http.ResponseWriter, status int, answer any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if s, ok := answer.(string); ok {
		_, _ = io.WriteString(w, s)
		return
	}
	_ = json.NewEncoder(w).Encode(answer)
}

// offsetOf renders a request's offset as the tests compare it: "" when
// absent, else its JSON.
func offsetOf(r fakeRequest) string {
	v, ok := r.body["offset"]
	if !ok {
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// uuids lists the devices' UUIDs in order.
func uuids(devices []Device) string {
	out := make([]string, len(devices))
	for i, d := range devices {
		out[i] = d.UUID
	}
	return strings.Join(out, ",")
}

// fakeUUIDs is "d-0000,...,d-<n-1>", optionally only every step-th from
// first.
func fakeUUIDs(first, n, step int) string {
	var out []string
	for i := first; i < n; i += step {
		out = append(out, "d-"+leftPad(strconv.Itoa(i)))
	}
	return strings.Join(out, ",")
}

func leftPad(s string) string { return strings.Repeat("0", max(0, 4-len(s))) + s }
