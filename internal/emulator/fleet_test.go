package emulator

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/demo-fleet.json from DemoFleet()")

const demoFleetFile = "testdata/demo-fleet.json"

func TestDemoFleetFileEqualsDemoFleet(t *testing.T) {
	if *update {
		data, err := json.MarshalIndent(DemoFleet(), "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(demoFleetFile, append(data, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := LoadFleet(demoFleetFile)
	if err != nil {
		t.Fatalf("LoadFleet: %v", err)
	}
	if want := DemoFleet(); !reflect.DeepEqual(got, want) {
		t.Errorf("LoadFleet(%s) differs from DemoFleet(); run go test -run TestDemoFleetFile -update\ngot  %+v\nwant %+v", demoFleetFile, got, want)
	}
}

func TestDemoFleetShape(t *testing.T) {
	f := DemoFleet()
	if err := f.Validate(); err != nil {
		t.Fatalf("DemoFleet invalid: %v", err)
	}
	if len(f.Accounts) != 1 || f.Accounts[0].UserToken != "demo-token" {
		t.Fatalf("want one account with token demo-token, got %d accounts", len(f.Accounts))
	}
	a := f.Accounts[0]
	for _, app := range []string{"legacy-agent", "metrics", "camera-driver"} {
		if !strings.Contains(strings.Join(a.Apps, ","), app) {
			t.Errorf("account apps %v lack %q", a.Apps, app)
		}
	}
	if len(a.Projects) != 1 || a.Projects[0].Name != "Demo" {
		t.Fatalf("want project Demo, got %+v", a.Projects)
	}
	var groups []string
	devices, legacy := 0, 0
	states, statuses := map[string]int{}, map[string]int{}
	found := false
	for _, g := range a.Projects[0].Groups {
		groups = append(groups, g.Name)
		for _, d := range g.Devices {
			devices++
			states[d.State]++
			statuses[d.UpdateStatus]++
			if _, ok := d.Apps["legacy-agent"]; ok {
				legacy++
			}
			found = found || d.ID == "d-4ec7-1be9"
		}
	}
	if got := strings.Join(groups, ","); got != "TestGroup1,TestGroup2,TestGroup3" {
		t.Errorf("groups = %s", got)
	}
	if devices < 8 || devices > 12 {
		t.Errorf("want about 10 devices, got %d", devices)
	}
	if !found {
		t.Error("device d-4ec7-1be9 missing")
	}
	if legacy*2 <= devices {
		t.Errorf("legacy-agent on %d of %d devices, want most", legacy, devices)
	}
	if states["online"] == 0 || states["offline"] == 0 {
		t.Errorf("want a mix of states, got %v", states)
	}
	for _, s := range append([]string{""}, updateStatuses...) {
		if statuses[s] == 0 {
			t.Errorf("no device with update status %q", s)
		}
	}
}

// upd is one update as a fleet file spells it.
func upd(id int, status, when string) string {
	return fmt.Sprintf(`{"update_id":%d,"update_status":%q,"update_version":"v1","deployment_schedule_time":%q}`, id, status, when)
}

func TestLoadFleetRejects(t *testing.T) {
	const secret = "s3cret-token"
	device := func(fields string) string {
		return `{"accounts":[{"user_token":"` + secret + `","apps":["a"],"projects":[{"name":"P","groups":[{"name":"G","devices":[` + fields + `]}]}]}]}`
	}
	tests := []struct {
		name, json, want string
	}{
		{"unknown state", device(`{"id":"d-1","state":"sleeping"}`), `state "sleeping" is not one of online, offline`},
		{"missing state", device(`{"id":"d-1"}`), `state "" is not one of`},
		{"unknown update status", device(`{"id":"d-1","state":"online","update_status":"done"}`), `update_status "done" is not one of`},
		{"empty id", device(`{"id":"","state":"online"}`), "id is empty"},
		{"duplicate id", device(`{"id":"d-1","state":"online"},{"id":"d-1","state":"offline"}`), `device id "d-1" is already used by accounts[0].projects[0].groups[0].devices[0]`},
		{"app not in account", device(`{"id":"d-1","state":"online","apps":{"b":"1"}}`), `app "b" is not listed in the account's apps (apps: a)`},
		{"empty file", ``, "empty: no JSON object"},
		{"empty tag", device(`{"id":"d-1","state":"online","tags":["x",""]}`), "tags[1] is empty"},
		{"unknown field", device(`{"id":"d-1","state":"online","colour":"red"}`), `unknown field "colour"`},
		{"negative device_id", device(`{"id":"d-1","state":"online","device_id":-3}`), `device "d-1": device_id -3 is negative`},
		{"device_id not a number", device(`{"id":"d-1","state":"online","device_id":"7"}`), `device_id`},
		{"duplicate device_id", device(`{"id":"d-1","state":"online","device_id":7},{"id":"d-2","state":"online"},{"id":"d-3","state":"online","device_id":7}`),
			`devices[2]: device "d-3": device_id 7 is already used by accounts[0].projects[0].groups[0].devices[0]`},
		{"last_keepalive with a T", device(`{"id":"d-1","state":"online","last_keepalive":"2026-12-01T09:00:00"}`), `device "d-1": last_keepalive "2026-12-01T09:00:00" is not a UTC time like "2006-01-02 15:04:05"`},
		{"last_keepalive with fractions", device(`{"id":"d-1","state":"online","last_keepalive":"2026-12-01 09:00:00.5"}`), `last_keepalive "2026-12-01 09:00:00.5" is not a UTC time`},
		{"last_keepalive without zero padding", device(`{"id":"d-1","state":"online","last_keepalive":"2026-12-1 09:00:00"}`), `last_keepalive "2026-12-1 09:00:00" is not a UTC time`},
		{"unknown update field", device(`{"id":"d-1","state":"online","updates":[{"update_id":1,"update_status":"success","deployment_schedule_time":"2026-12-01 09:00:00","by":"me"}]}`), `unknown field "by"`},
		{"update without id", device(`{"id":"d-1","state":"online","updates":[{"update_status":"success","deployment_schedule_time":"2026-12-01 09:00:00"}]}`),
			`device "d-1": updates[0]: update_id 0 is not positive`},
		{"update id used twice", device(`{"id":"d-1","state":"online","updates":[` + upd(5, "success", "2026-12-01 09:00:00") + `,` + upd(5, "failed", "2026-12-02 09:00:00") + `]}`),
			`device "d-1": updates[1]: update_id 5 is used twice in the device`},
		{"unknown update status", device(`{"id":"d-1","state":"online","updates":[` + upd(5, "done", "2026-12-01 09:00:00") + `]}`),
			`device "d-1": updates[0]: update_status "done" is not one of pending, in_progress, success, failed, aborted`},
		{"empty update status", device(`{"id":"d-1","state":"online","updates":[` + upd(5, "", "2026-12-01 09:00:00") + `]}`), `update_status "" is not one of`},
		{"bad schedule time", device(`{"id":"d-1","state":"online","updates":[` + upd(5, "success", "yesterday") + `]}`),
			`device "d-1": updates[0]: deployment_schedule_time "yesterday" is not a UTC time`},
		{"missing schedule time", device(`{"id":"d-1","state":"online","updates":[{"update_id":5,"update_status":"success"}]}`), `deployment_schedule_time "" is not a UTC time`},
		{"update_status not the latest", device(`{"id":"d-1","state":"online","update_status":"success","updates":[` + upd(5, "success", "2026-12-01 09:00:00") + `,` + upd(4, "failed", "2026-12-02 09:00:00") + `]}`),
			`device "d-1": update_status "success" differs from the status "failed" of its latest update (update_id 4)`},
		{"update_status not the latest on a tie", device(`{"id":"d-1","state":"online","update_status":"success","updates":[` + upd(5, "success", "2026-12-01 09:00:00") + `,` + upd(6, "aborted", "2026-12-01 09:00:00") + `]}`),
			`differs from the status "aborted" of its latest update (update_id 6)`},
		{"trailing data", device(`{"id":"d-1","state":"online"}`) + ` {}`, "trailing data"},
		{"empty token", `{"accounts":[{"user_token":""}]}`, "accounts[0].user_token is empty"},
		{"duplicate token", `{"accounts":[{"user_token":"` + secret + `"},{"user_token":"` + secret + `"}]}`, "accounts[1].user_token is the same as the token of accounts[0]"},
		{"duplicate app", `{"accounts":[{"user_token":"t","apps":["a","a"]}]}`, `app "a" is listed twice`},
		{"duplicate project", `{"accounts":[{"user_token":"t","projects":[{"name":"P"},{"name":"P"}]}]}`, `project "P" is defined twice`},
		{"empty project name", `{"accounts":[{"user_token":"t","projects":[{"name":""}]}]}`, "projects[0].name is empty"},
		{"duplicate group", `{"accounts":[{"user_token":"t","projects":[{"name":"P","groups":[{"name":"G"},{"name":"G"}]}]}]}`, `group "G" is defined twice in project "P"`},
		{"not JSON", `accounts: []`, "invalid character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "fleet.json")
			if err := os.WriteFile(path, []byte(tt.json), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := LoadFleet(path)
			if err == nil {
				t.Fatalf("LoadFleet accepted %s", tt.json)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error %q leaks the token", err)
			}
		})
	}
}

// TestLoadFleetAcceptsHistories: what the rules of Validate leave allowed.
func TestLoadFleetAcceptsHistories(t *testing.T) {
	devices := []string{
		// The same update_id in two devices, and the same device_id in two
		// accounts (below).
		`{"id":"d-1","state":"online","device_id":7,"updates":[` + upd(5, "success", "2026-12-01 09:00:00") + `]}`,
		`{"id":"d-2","state":"online","updates":[` + upd(5, "failed", "2026-12-01 09:00:00") + `]}`,
		// update_status equal to the latest (by time, then by id), or empty.
		`{"id":"d-3","state":"online","update_status":"failed","updates":[` + upd(9, "failed", "2026-12-02 09:00:00") + `,` + upd(10, "success", "2026-12-01 09:00:00") + `]}`,
		`{"id":"d-4","state":"online","update_status":"aborted","updates":[` + upd(2, "success", "2026-12-01 09:00:00") + `,` + upd(3, "aborted", "2026-12-01 09:00:00") + `]}`,
		`{"id":"d-5","state":"offline","last_keepalive":"2026-11-30 23:59:59","updates":[` + upd(1, "pending", "2027-01-01 00:00:00") + `]}`,
	}
	account := func(token string) string {
		return `{"user_token":"` + token + `","projects":[{"name":"P","groups":[{"name":"G","devices":[` + strings.Join(devices, ",") + `]}]}]}`
	}
	path := filepath.Join(t.TempDir(), "fleet.json")
	if err := os.WriteFile(path, []byte(`{"accounts":[`+account("t1")+`,`+account("t2")+`]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := LoadFleet(path)
	if err != nil {
		t.Fatalf("LoadFleet: %v", err)
	}
	d := f.Accounts[1].Projects[0].Groups[0].Devices[2]
	if d.DeviceID != 0 || len(d.Updates) != 2 || d.Updates[1].Version != "v1" {
		t.Errorf("device loaded as %+v", d)
	}
}

func TestLoadFleetMissingFile(t *testing.T) {
	if _, err := LoadFleet(filepath.Join(t.TempDir(), "nope.json")); !os.IsNotExist(err) {
		t.Errorf("want a not-exist error, got %v", err)
	}
}

func TestLoadFleetNormalizes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fleet.json")
	data := `{"accounts":[{"user_token":"t","projects":[{"name":"P","groups":[{"name":"G","devices":[{"id":"d-1","state":"online"}]}]}]}]}`
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := LoadFleet(path)
	if err != nil {
		t.Fatal(err)
	}
	d := f.Accounts[0].Projects[0].Groups[0].Devices[0]
	if d.Tags == nil || d.Apps == nil || f.Accounts[0].Apps == nil {
		t.Errorf("nil lists or maps after LoadFleet: %+v", f.Accounts[0])
	}
}

func TestCloneIsDeep(t *testing.T) {
	orig := DemoFleet()
	c := orig.Clone()
	if !reflect.DeepEqual(orig, c) {
		t.Fatal("clone differs from original")
	}
	d := &c.Accounts[0].Projects[0].Groups[0].Devices[0]
	d.Tags[0] = "changed"
	d.Apps["legacy-agent"] = "9.9.9"
	d.State = "offline"
	c.Accounts[0].Apps[0] = "changed"
	c.Accounts[0].Projects[0].Groups[0].Name = "changed"
	if !reflect.DeepEqual(orig, DemoFleet()) {
		t.Error("changing the clone changed the original")
	}

	withNils := &Fleet{Accounts: []Account{{UserToken: "t"}}}
	if got := withNils.Clone(); !reflect.DeepEqual(got, withNils) || got.Accounts[0].Apps != nil {
		t.Errorf("Clone does not keep nil lists: %+v", got)
	}
	if (*Fleet)(nil).Clone() != nil {
		t.Error("nil Clone should be nil")
	}
}
