package emulator

import (
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// checkChange checks what every change must hold: err as wanted (a
// substring of the message, "" for none) and free of tokens; on an error
// the fleet as before; on success a fleet that validates, the other
// account untouched, and both reads agreeing with the fleet.
func checkChange(t *testing.T, e *Emulator, before *Fleet, err error, want string) (ok bool) {
	t.Helper()
	if want != "" {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("error %v, want one with %q", err, want)
		}
		checkNoToken(t, "error", err.Error())
		if !reflect.DeepEqual(e.Fleet(), before) {
			t.Error("a refused change changed the fleet")
		}
		return false
	}
	if err != nil {
		t.Fatalf("error %v", err)
	}
	if err := e.Fleet().Validate(); err != nil {
		t.Errorf("the changed fleet does not validate: %v", err)
	}
	if got, want := e.Devices(otherToken), New(changeFleet()).Devices(otherToken); !reflect.DeepEqual(got, want) {
		t.Errorf("the other account changed: %v", got)
	}
	checkReadsMatchFleet(t, e, DemoToken)
	return true
}

func TestMoveDevice(t *testing.T) {
	tests := []struct {
		name, token, device, project, group string
		want                                string // error; "" for success
	}{
		{"to another group", DemoToken, "d-4ec7-1be9", "Demo", "TestGroup3", ""},
		{"to another project", DemoToken, "d-5b8e-02f4", "Lab", "Empty", ""},
		{"from another project", DemoToken, "d-1ab0-0001", "Demo", "TestGroup2", ""},
		{"into its own group", DemoToken, "d-7f21-9ad6", "Demo", "TestGroup1", ""},
		{"empty token", "", "d-4ec7-1be9", "Demo", "TestGroup3", "user_token must not be empty"},
		{"unknown token", "nope-token", "d-4ec7-1be9", "Demo", "TestGroup3", "user_token: no account has this token"},
		{"device of another account", otherToken, "d-4ec7-1be9", "Demo", "TestGroup1", `device: no device has the ID "d-4ec7-1be9" in this account`},
		{"empty device", DemoToken, "", "Demo", "TestGroup3", `device must not be empty (a device ID like "d-4ec7-1be9")`},
		{"unknown device", DemoToken, "d-ffff-ffff", "Demo", "TestGroup3", `device: no device has the ID "d-ffff-ffff"`},
		{"token as device", DemoToken, DemoToken, "Demo", "TestGroup3", `device: no device has the ID "<redacted>"`},
		{"unknown project", DemoToken, "d-4ec7-1be9", "Nope", "TestGroup3", `project: project "Nope" does not exist in this account (projects: Demo, Lab; the emulator creates none)`},
		{"empty project", DemoToken, "d-4ec7-1be9", "", "TestGroup3", `project: project "" does not exist`},
		{"unknown group", DemoToken, "d-4ec7-1be9", "Demo", "TestGroup9", `group: group "TestGroup9" does not exist in project "Demo" (groups: TestGroup1, TestGroup2, TestGroup3; the emulator creates none)`},
		{"group of another project", DemoToken, "d-4ec7-1be9", "Lab", "TestGroup1", `group: group "TestGroup1" does not exist in project "Lab" (groups: Bench, Empty;`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New(changeFleet())
			before, views := e.Fleet(), e.Devices(DemoToken)
			err := e.MoveDevice(tt.token, tt.device, tt.project, tt.group)
			if !checkChange(t, e, before, err, tt.want) {
				return
			}
			want := views[tt.device]
			want.Project, want.Group = tt.project, tt.group
			if got := e.Devices(DemoToken)[tt.device]; !reflect.DeepEqual(got, want) {
				t.Errorf("moved device %+v, want %+v", got, want)
			}
			if n := len(e.Devices(DemoToken)); n != len(views) {
				t.Errorf("%d devices after the move, want %d", n, len(views))
			}
			checkRemovalSees(t, e, tt.device, nil)
		})
	}
}

func TestSetDeviceState(t *testing.T) {
	tests := []struct {
		name, token, device, state string
		want                       string
	}{
		{"online to offline", DemoToken, "d-4ec7-1be9", StateOffline, ""},
		{"offline to online", DemoToken, "d-19a2-7c30", StateOnline, ""},
		{"the state it has", DemoToken, "d-7f21-9ad6", StateOnline, ""},
		{"empty token", "", "d-4ec7-1be9", StateOffline, "user_token must not be empty"},
		{"unknown token", "nope-token", "d-4ec7-1be9", StateOffline, "user_token: no account has this token"},
		{"unknown device", DemoToken, "d-ffff-ffff", StateOffline, `device: no device has the ID "d-ffff-ffff" in this account`},
		{"empty device", DemoToken, "", StateOffline, "device must not be empty"},
		{"unknown state", DemoToken, "d-4ec7-1be9", "asleep", `state: "asleep" is not one of online, offline`},
		{"empty state", DemoToken, "d-4ec7-1be9", "", `state: "" is not one of online, offline`},
		{"state in capitals", DemoToken, "d-4ec7-1be9", "Online", `state: "Online" is not one of online, offline`},
		{"token as state", DemoToken, "d-4ec7-1be9", DemoToken, `state: "<redacted>" is not one of online, offline`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New(changeFleet())
			before, views := e.Fleet(), e.Devices(DemoToken)
			err := e.SetDeviceState(tt.token, tt.device, tt.state)
			if !checkChange(t, e, before, err, tt.want) {
				return
			}
			want := views[tt.device]
			want.State = tt.state
			if got := e.Devices(DemoToken)[tt.device]; !reflect.DeepEqual(got, want) {
				t.Errorf("device %+v, want %+v", got, want)
			}
			inState := func(v DeviceView) bool { return v.State == tt.state }
			checkRemovalSees(t, e, tt.device, inState, filter(FilterDeviceState, OperandIs, tt.state))
		})
	}
}

// TestResetUndoesChanges: Reset brings back the initial fleet, its read
// order and its tags after changes and reads of the changed fleet, and the
// reads follow changes made after a read rebuilt the order.
func TestResetUndoesChanges(t *testing.T) {
	e := New(changeFleet())
	steps := []func() error{
		func() error { return e.MoveDevice(DemoToken, "d-4ec7-1be9", "Lab", "Bench") },
		func() error { return e.SetDeviceState(DemoToken, "d-19a2-7c30", StateOnline) },
		func() error {
			return e.AddDevice(DemoToken, "Demo", "TestGroup2", Device{ID: "d-0b5e-77a1", State: StateOnline, Tags: []string{"fresh"}})
		},
		func() error { return e.MoveDevice(DemoToken, "d-4ec7-1be9", "Demo", "TestGroup1") },
		func() error { return e.MoveDevice(DemoToken, "d-0b5e-77a1", "Demo", "TestGroup3") },
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		checkReadsMatchFleet(t, e, DemoToken)
	}
	if got := carrying(e, "Demo", "TestGroup3", "fresh", nil); !slices.Equal(got, []string{"d-0b5e-77a1"}) {
		t.Errorf("devices with the new tag: %v", got)
	}

	e.Reset()
	fresh := New(changeFleet())
	if !reflect.DeepEqual(e.Fleet(), fresh.Fleet()) {
		t.Error("Reset did not restore the initial fleet")
	}
	if e.order[DemoToken] != e.initialOrder[DemoToken] {
		t.Error("Reset did not restore the initial read order")
	}
	if !reflect.DeepEqual(e.accountViews(), fresh.accountViews()) {
		t.Error("Reset did not restore the account's tags")
	}
	checkReadsMatchFleet(t, e, DemoToken)
	b := map[string]any{"user_token": DemoToken, "tag_name": "fresh", "device_filter": map[string]any{
		"project": map[string]any{"name": "Demo"}, "groups": []any{}, "filters": []any{}}}
	rec := serve(e, http.MethodDelete, DeviceTagsPath, mustJSON(t, b))
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), `tag \"fresh\" does not exist in this account`) {
		t.Errorf("removal of the added tag after Reset: %d %s", rec.Code, rec.Body)
	}
}

// TestChangesBesideReads: changes made while reads page through the fleet
// leave every page answered, devices_details in strictly rising device_id
// order (its cursor), and the reads agreeing with the fleet at the end.
// The race detector checks the locking.
func TestChangesBesideReads(t *testing.T) {
	e := New(readFleet(300))
	ids := make([]string, 0, 300)
	for id := range e.Devices(readToken) {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	done := make(chan error, 1)
	go func() {
		for i, id := range ids[:100] {
			p, g := "P0", "G0"
			if i%2 == 1 {
				p, g = "P1", "G1"
			}
			err := e.MoveDevice(readToken, id, p, g)
			if err == nil {
				err = e.SetDeviceState(readToken, id, StateOffline)
			}
			if err == nil && i%10 == 0 {
				err = e.AddDevice(readToken, p, g, Device{ID: id + "-new", State: StateOnline})
			}
			if err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for range 5 {
		got, _ := pageAllDetails(t, e, readToken, 7, map[string]any{"project_name": "P0"})
		for i := 1; i < len(got); i++ {
			if got[i] <= got[i-1] {
				t.Fatalf("devices_details out of order: %d after %d", got[i], got[i-1])
			}
		}
		pageAllStates(t, e, readToken, 7, nil)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := len(e.Devices(readToken)); n != 310 {
		t.Errorf("%d devices after the changes, want 310", n)
	}
	checkReadsMatchFleet(t, e, readToken)
}

// BenchmarkReadPageAfterMove measures a move in a fleet of 10,000 devices
// followed by a page of 50: the page pays for building the account's read
// order again.
func BenchmarkReadPageAfterMove(b *testing.B) {
	e := New(readFleet(10000))
	raw := mustJSON(b, map[string]any{"user_token": readToken, "limit": 50, "offset": 905000})
	groups := []string{"G0", "G1"}
	i := 0
	for b.Loop() {
		i++
		if err := e.MoveDevice(readToken, "d-0000-0000", "P0", groups[i%2]); err != nil {
			b.Fatal(err)
		}
		if rec := serve(e, http.MethodGet, DevicesDetailsPath, raw); rec.Code != 200 {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
	}
}
