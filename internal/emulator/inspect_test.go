package emulator

import (
	"reflect"
	"testing"
)

func TestDevices(t *testing.T) {
	e := New(DemoFleet())
	if got := e.Devices("wrong"); got != nil {
		t.Errorf("Devices(unknown token) = %v, want nil", got)
	}
	devs := e.Devices(DemoToken)
	if len(devs) != len(demoAll) {
		t.Fatalf("%d devices, want %d", len(devs), len(demoAll))
	}
	want := DeviceView{
		ID: "d-c0d9-3b72", DeviceID: 100109, Name: "camera-02", Project: "Demo", Group: "TestGroup2",
		State: "online", UpdateStatus: "aborted", LastKeepalive: "2026-12-01 09:58:51", Tags: []string{"camera", "beta"},
		Apps: map[string]string{"legacy-agent": "1.1.4", "camera-driver": "3.5.0-beta"},
		Updates: []Update{
			{ID: 7155, Status: "aborted", Version: "v3.5.0-beta", Comment: "aborted by the operator", ScheduleTime: "2026-11-28 14:00:00"},
			{ID: 7154, Status: "success", Version: "v3.5.0-beta", Comment: "same schedule, lower update_id", ScheduleTime: "2026-11-28 14:00:00"},
			{ID: 7050, Status: "failed", Version: "v3.4.9-beta", ScheduleTime: "2026-10-20 14:00:00"},
		},
	}
	if got := devs["d-c0d9-3b72"]; !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	devs["d-c0d9-3b72"].Apps["x"] = "1"
	devs["d-c0d9-3b72"].Tags[0] = "x"
	devs["d-c0d9-3b72"].Updates[0].Status = "x"
	if !reflect.DeepEqual(e.Devices(DemoToken)["d-c0d9-3b72"], want) {
		t.Error("changing a DeviceView changed the emulator")
	}
	if got := devs["d-7f21-9ad6"]; got.UpdateStatus != "" || got.Updates == nil || len(got.Updates) != 0 {
		t.Errorf("device without updates: status %q, updates %#v; want \"\" and an empty list", got.UpdateStatus, got.Updates)
	}
}
