package emulator

import (
	"encoding/json"
	"flag"
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
		{"app not in account", device(`{"id":"d-1","state":"online","apps":{"b":"1"}}`), `app "b" is not listed in the account's apps`},
		{"empty tag", device(`{"id":"d-1","state":"online","tags":["x",""]}`), "tags[1] is empty"},
		{"unknown field", device(`{"id":"d-1","state":"online","colour":"red"}`), `unknown field "colour"`},
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
