package emulator

import (
	"cmp"
	"maps"
	"reflect"
	"slices"
	"testing"
)

// addCase is a case of TestAddDevice.
type addCase struct {
	name string
	// token "" is DemoToken, "-" none; project "" is Demo, group ""
	// TestGroup1.
	token, project, group string
	device                Device
	want                  string     // error; "" for success
	view                  DeviceView // for success: the added device, but for ID, project and group
}

// addCases are the cases of TestAddDevice, against changeFleet.
func addCases() []addCase {
	// changeFleet's largest device_id is bench-01's, assigned by New after
	// the demo's 100990; its largest update_id is 7161.
	const nextID, nextUpdate = 100992, 7162
	history := []Update{{ID: 1, Status: UpdateSuccess, Version: "v9", ScheduleTime: "2026-01-02 03:04:05"}}
	return []addCase{
		{name: "the least device", device: Device{ID: "d-0b5e-77a1", State: StateOnline},
			view: DeviceView{DeviceID: nextID, State: StateOnline, LastKeepalive: DefaultLastKeepalive,
				Tags: []string{}, Apps: map[string]string{}, Updates: []Update{}}},
		{name: "every field, an update status without history", device: Device{ID: "d-0b5e-77a2", DeviceID: 5, Name: "gateway-03",
			Tags: []string{"fresh", "prod"}, Apps: map[string]string{"legacy-agent": "1.2.0"}, State: StateOffline,
			UpdateStatus: UpdateFailed, LastKeepalive: "2026-12-01 09:00:00"},
			view: DeviceView{DeviceID: 5, Name: "gateway-03", State: StateOffline, UpdateStatus: UpdateFailed,
				LastKeepalive: "2026-12-01 09:00:00", Tags: []string{"fresh", "prod"}, Apps: map[string]string{"legacy-agent": "1.2.0"},
				Updates: []Update{{ID: nextUpdate, Status: UpdateFailed, Version: DefaultUpdateVersion, ScheduleTime: DefaultUpdateScheduleTime}}}},
		{name: "a history", device: Device{ID: "d-0b5e-77a3", State: StateOnline, Tags: []string{"lab"}, Updates: history},
			view: DeviceView{DeviceID: nextID, State: StateOnline, UpdateStatus: UpdateSuccess, LastKeepalive: DefaultLastKeepalive,
				Tags: []string{"lab"}, Apps: map[string]string{}, Updates: history}},
		{name: "into an empty group of another project", project: "Lab", group: "Empty", device: Device{ID: "d-0b5e-77a4", State: StateOffline, Tags: []string{"new"}},
			view: DeviceView{DeviceID: nextID, State: StateOffline, LastKeepalive: DefaultLastKeepalive,
				Tags: []string{"new"}, Apps: map[string]string{}, Updates: []Update{}}},
		{name: "an ID another account uses", device: Device{ID: "d-0000-0001", State: StateOnline},
			view: DeviceView{DeviceID: nextID, State: StateOnline, LastKeepalive: DefaultLastKeepalive,
				Tags: []string{}, Apps: map[string]string{}, Updates: []Update{}}},

		{name: "empty token", token: "-", device: Device{ID: "d-0b5e-77a1", State: StateOnline}, want: "user_token must not be empty"},
		{name: "unknown token", token: "nope-token", device: Device{ID: "d-0b5e-77a1", State: StateOnline}, want: "user_token: no account has this token"},
		{name: "unknown project", project: "Nope", device: Device{ID: "d-0b5e-77a1", State: StateOnline},
			want: `project: project "Nope" does not exist in this account (projects: Demo, Lab; the emulator creates none)`},
		{name: "unknown group", group: "New", device: Device{ID: "d-0b5e-77a1", State: StateOnline},
			want: `group: group "New" does not exist in project "Demo" (groups: TestGroup1, TestGroup2, TestGroup3; the emulator creates none)`},
		{name: "empty id", device: Device{State: StateOnline}, want: "device: id is empty"},
		{name: "id in use", device: Device{ID: "d-1ab0-0001", State: StateOnline},
			want: `device: id "d-1ab0-0001" is already used by a device of group "Bench" of project "Lab"`},
		{name: "device_id in use", device: Device{ID: "d-0b5e-77a1", DeviceID: 100234, State: StateOnline},
			want: `device: device "d-0b5e-77a1": device_id 100234 is already used by device "d-4ec7-1be9"`},
		{name: "negative device_id", device: Device{ID: "d-0b5e-77a1", DeviceID: -1, State: StateOnline}, want: "device_id -1 is negative"},
		{name: "no state", device: Device{ID: "d-0b5e-77a1"}, want: `device: device "d-0b5e-77a1": state "" is not one of online, offline`},
		{name: "unknown update status", device: Device{ID: "d-0b5e-77a1", State: StateOnline, UpdateStatus: "done"},
			want: `update_status "done" is not one of pending, in_progress, success, failed, aborted (or empty)`},
		{name: "app not in the account", device: Device{ID: "d-0b5e-77a1", State: StateOnline, Apps: map[string]string{"nope": "1"}},
			want: `app "nope" is not listed in the account's apps (apps: camera-driver, legacy-agent, metrics)`},
		{name: "empty tag", device: Device{ID: "d-0b5e-77a1", State: StateOnline, Tags: []string{""}}, want: "tags[0] is empty"},
		{name: "bad last_keepalive", device: Device{ID: "d-0b5e-77a1", State: StateOnline, LastKeepalive: "yesterday"},
			want: `last_keepalive "yesterday" is not a UTC time like "2006-01-02 15:04:05"`},
		{name: "update status against the history", device: Device{ID: "d-0b5e-77a1", State: StateOnline, UpdateStatus: UpdateFailed, Updates: history},
			want: `update_status "failed" differs from the status "success" of its latest update`},
		{name: "update without id", device: Device{ID: "d-0b5e-77a1", State: StateOnline, Updates: []Update{{Status: UpdateSuccess, ScheduleTime: DefaultUpdateScheduleTime}}},
			want: "updates[0]: update_id 0 is not positive"},
		{name: "token as id", device: Device{ID: DemoToken}, want: `device: device "<redacted>": state "" is not one of online, offline`},
	}
}

func TestAddDevice(t *testing.T) {
	for _, tt := range addCases() {
		t.Run(tt.name, func(t *testing.T) {
			token := map[string]string{"": DemoToken, "-": ""}[tt.token]
			if _, ok := map[string]bool{"": true, "-": true}[tt.token]; !ok {
				token = tt.token
			}
			project, group := cmp.Or(tt.project, "Demo"), cmp.Or(tt.group, "TestGroup1")
			e := New(changeFleet())
			before, count := e.Fleet(), len(e.Devices(DemoToken))
			d := tt.device.clone()
			err := e.AddDevice(token, project, group, d)
			if !checkChange(t, e, before, err, tt.want) {
				return
			}
			want := tt.view
			want.ID, want.Project, want.Group = tt.device.ID, project, group
			if got := e.Devices(DemoToken)[want.ID]; !reflect.DeepEqual(got, want) {
				t.Errorf("added device %+v,\nwant %+v", got, want)
			}
			if n := len(e.Devices(DemoToken)); n != count+1 {
				t.Errorf("%d devices, want %d", n, count+1)
			}
			// The emulator keeps a copy: changing d does not change it.
			if len(d.Tags) > 0 {
				d.Tags[0] = "changed"
			}
			maps.DeleteFunc(d.Apps, func(string, string) bool { return true })
			if got := e.Devices(DemoToken)[want.ID]; !reflect.DeepEqual(got, want) {
				t.Errorf("changing the caller's device changed the added one: %+v", got)
			}
			checkAddedTagsExist(t, e, want) // removes a tag
		})
	}
}

// checkAddedTagsExist checks that the added device's tags exist in the
// account: GET /_emulator/devices lists them, and a removal of each is
// accepted and takes it from the device.
func checkAddedTagsExist(t *testing.T, e *Emulator, v DeviceView) {
	t.Helper()
	views, ok := e.accountViews().(map[string]any)["accounts"].([]accountView)
	if !ok || len(views) == 0 {
		t.Fatalf("account views %v", views)
	}
	for _, tag := range v.Tags {
		if !slices.Contains(views[0].Tags, tag) {
			t.Errorf("tag %q of the added device is not in the account's tags %v", tag, views[0].Tags)
		}
	}
	if len(v.Tags) > 0 {
		checkRemovalSees(t, e, v.ID, nil)
	}
}

// TestAddDeviceAssignsRisingIDs: devices added one after the other get
// device_ids and update_ids one above the account's largest, a given
// device_id counting too.
func TestAddDeviceAssignsRisingIDs(t *testing.T) {
	e := New(changeFleet())
	adds := []struct {
		device           Device
		deviceID, update int64
	}{
		{Device{ID: "d-1", State: StateOnline, UpdateStatus: UpdatePending}, 100992, 7162},
		{Device{ID: "d-2", State: StateOnline, DeviceID: 200000}, 200000, 0},
		{Device{ID: "d-3", State: StateOnline, UpdateStatus: UpdateSuccess}, 200001, 7163},
	}
	for _, add := range adds {
		if err := e.AddDevice(DemoToken, "Demo", "TestGroup2", add.device); err != nil {
			t.Fatal(err)
		}
		v := e.Devices(DemoToken)[add.device.ID]
		var update int64
		if len(v.Updates) > 0 {
			update = v.Updates[0].ID
		}
		if v.DeviceID != add.deviceID || update != add.update {
			t.Errorf("%s: device_id %d, update_id %d; want %d, %d", add.device.ID, v.DeviceID, update, add.deviceID, add.update)
		}
	}
	checkReadsMatchFleet(t, e, DemoToken)
}
