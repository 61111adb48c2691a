package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// keyOrder returns the keys of a JSON object in the order they appear, and
// for each key its raw value.
func keyOrder(t testing.TB, raw []byte) ([]string, map[string]json.RawMessage) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not a JSON object: %s", raw)
	}
	var keys []string
	values := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, key)
		values[key] = v
	}
	return keys, values
}

// The documented fields, in the docs' order.
var (
	detailsKeys = []string{"device_id", "device_uuid", "device_name", "upswift_version", "project", "group",
		"device_ip", "last_keepalive", "cpu_usage", "ram_usage", "disk_usage", "address", "lat", "lng",
		"is_update_trigger_set", "description", "registered_date", "tags", "updates"}
	updateKeys = []string{"update_id", "update_status", "update_version", "comment", "deployment_schedule_time"}
	stateKeys  = []string{"device_status", "device_uuid", "device_name"}
)

func TestDetailsWireFormat(t *testing.T) {
	e := New(DemoFleet())
	code, raw := getRead(t, e, DevicesDetailsPath, map[string]any{"user_token": DemoToken, "limit": 50})
	if code != 200 {
		t.Fatalf("%d %s", code, raw)
	}
	top, values := keyOrder(t, []byte(raw))
	if !slices.Equal(top, []string{"more", "message"}) || string(values["more"]) != "false" {
		t.Fatalf("answer keys %v, more %s; want more (false), message", top, values["more"])
	}
	var devices []json.RawMessage
	decodeWire(t, string(values["message"]), &devices)
	views := e.Devices(DemoToken)
	if len(devices) != len(views) {
		t.Fatalf("%d devices, want %d", len(devices), len(views))
	}
	ips := map[string]bool{}
	for _, rawDevice := range devices {
		keys, v := keyOrder(t, rawDevice)
		if !slices.Equal(keys, detailsKeys) {
			t.Fatalf("device keys\n got %v\nwant %v", keys, detailsKeys)
		}
		var d struct {
			DeviceID       int64  `json:"device_id"`
			UUID           string `json:"device_uuid"`
			Name           string `json:"device_name"`
			Version        string `json:"upswift_version"`
			Project, Group string
			IP             string  `json:"device_ip"`
			Keepalive      string  `json:"last_keepalive"`
			CPU            float64 `json:"cpu_usage"`
			RAM            float64 `json:"ram_usage"`
			Disk           float64 `json:"disk_usage"`
			Address        string  `json:"address"`
			Lat, Lng       float64
			Trigger        *bool    `json:"is_update_trigger_set"`
			Description    string   `json:"description"`
			Registered     string   `json:"registered_date"`
			Tags           []string `json:"tags"`
			Updates        []Update `json:"updates"`
		}
		decodeWire(t, string(rawDevice), &d)
		view := views[d.UUID]
		if d.DeviceID != view.DeviceID || d.Name != view.Name || d.Project != view.Project || d.Group != view.Group ||
			d.Keepalive != view.LastKeepalive || !slices.Equal(d.Tags, view.Tags) || !slices.Equal(d.Updates, view.Updates) {
			t.Errorf("device %s answered as %+v, fleet has %+v", d.UUID, d, view)
		}
		if d.Tags == nil || d.Updates == nil {
			t.Errorf("device %s: tags %s, updates %s; want lists", d.UUID, v["tags"], v["updates"])
		}
		var updates []json.RawMessage
		decodeWire(t, string(v["updates"]), &updates)
		for _, u := range updates {
			if keys, _ := keyOrder(t, u); !slices.Equal(keys, updateKeys) {
				t.Errorf("device %s: update keys %v, want %v", d.UUID, keys, updateKeys)
			}
		}
		if d.Version != "5.1" || d.Trigger == nil || *d.Trigger || d.Address == "" || d.Description == "" {
			t.Errorf("device %s: version %q, trigger %s, address %q, description %q", d.UUID, d.Version, v["is_update_trigger_set"], d.Address, d.Description)
		}
		if d.CPU < 0 || d.CPU > 100 || d.RAM < 0 || d.RAM > 100 || d.Disk < 0 || d.Lat < -90 || d.Lat > 90 || d.Lng < -180 || d.Lng > 180 {
			t.Errorf("device %s: cpu %v ram %v disk %v lat %v lng %v", d.UUID, d.CPU, d.RAM, d.Disk, d.Lat, d.Lng)
		}
		if !strings.HasPrefix(d.IP, "10.") || ips[d.IP] {
			t.Errorf("device %s: device_ip %q not a fresh private address", d.UUID, d.IP)
		}
		ips[d.IP] = true
		registered, err := time.Parse(TimeLayout, d.Registered)
		if err != nil {
			t.Errorf("device %s: registered_date %q: %v", d.UUID, d.Registered, err)
		}
		for _, when := range append([]string{d.Keepalive}, updateTimes(d.Updates)...) {
			if at, _ := time.Parse(TimeLayout, when); !registered.Before(at) {
				t.Errorf("device %s registered %s, not before %s", d.UUID, d.Registered, when)
			}
		}
	}
}

func updateTimes(us []Update) []string {
	var out []string
	for _, u := range us {
		out = append(out, u.ScheduleTime)
	}
	return out
}

// TestDetailsAreDeterministic: one device's answer, byte for byte, the
// same from two emulators and after a removal elsewhere in the fleet.
func TestDetailsAreDeterministic(t *testing.T) {
	const want = `{"more":false,"message":[{"device_id":100234,"device_uuid":"d-4ec7-1be9","device_name":"gateway-01",` +
		`"upswift_version":"5.1","project":"Demo","group":"TestGroup1","device_ip":"10.1.135.138",` +
		`"last_keepalive":"2026-12-01 09:58:12","cpu_usage":54,"ram_usage":96,"disk_usage":846.9,` +
		`"address":"Sao Paulo, Brazil","lat":-23.5505,"lng":-46.6333,"is_update_trigger_set":false,` +
		`"description":"gateway-01 in Demo / TestGroup1","registered_date":"2026-01-17 02:26:54",` +
		`"tags":["gateway","prod"],"updates":[` +
		`{"update_id":7101,"update_status":"failed","update_version":"v2.3.0","comment":"download timed out","deployment_schedule_time":"2026-11-03 08:00:00"},` +
		`{"update_id":7142,"update_status":"success","update_version":"v2.3.0","comment":"retry of 7101","deployment_schedule_time":"2026-11-04 08:00:00"}]}]}`
	ask := map[string]any{"user_token": DemoToken, "device_name": "gateway-01"}
	for i := range 2 {
		e := New(DemoFleet())
		if i == 1 {
			if rec := serve(e, http.MethodDelete, DeviceAppsPath, mustJSON(t, body(func(_, df map[string]any) {
				df["filters"] = []any{filter("specific_device", "is_not", "d-4ec7-1be9")}
			}))); rec.Code != 200 {
				t.Fatalf("removal: %d %s", rec.Code, rec.Body)
			}
		}
		if _, raw := getRead(t, e, DevicesDetailsPath, ask); strings.TrimSpace(raw) != want {
			t.Errorf("emulator %d answered\n%s\nwant\n%s", i, raw, want)
		}
	}
}

func TestStatesWireFormat(t *testing.T) {
	e := New(DemoFleet())
	code, raw := getRead(t, e, DevicesStatePath, map[string]any{"user_token": DemoToken, "limit": 3})
	want := `{"message":[` +
		`{"device_status":"offline","device_uuid":"d-19a2-7c30","device_name":"gateway-02"},` +
		`{"device_status":"offline","device_uuid":"d-2d47-a951","device_name":"lab-01"},` +
		`{"device_status":"online","device_uuid":"d-4ec7-1be9","device_name":"gateway-01"}]}`
	if code != 200 || strings.TrimSpace(raw) != want {
		t.Errorf("%d %s\nwant %s", code, raw, want)
	}
	var page struct{ Message []json.RawMessage }
	decodeWire(t, raw, &page)
	for _, s := range page.Message {
		if keys, _ := keyOrder(t, s); !slices.Equal(keys, stateKeys) {
			t.Errorf("entry keys %v, want %v", keys, stateKeys)
		}
	}
	// Past the end: an empty list, not null and not a missing key.
	if _, raw := getRead(t, e, DevicesStatePath, map[string]any{"user_token": DemoToken, "offset": "z"}); strings.TrimSpace(raw) != `{"message":[]}` {
		t.Errorf("past the end: %s", raw)
	}
	if _, raw := getRead(t, e, DevicesDetailsPath, map[string]any{"user_token": DemoToken, "offset": 1 << 30}); strings.TrimSpace(raw) != `{"more":false,"message":[]}` {
		t.Errorf("details past the end: %s", raw)
	}
}
