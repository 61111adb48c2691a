package emulator

import (
	"slices"
	"testing"
)

// Demo device IDs by group, in fleet order.
var (
	demoG1  = []string{"d-4ec7-1be9", "d-19a2-7c30", "d-5b8e-02f4", "d-7f21-9ad6"}
	demoG2  = []string{"d-a3c5-6e18", "d-c0d9-3b72", "d-e614-8f0b"}
	demoG3  = []string{"d-2d47-a951", "d-8b3f-c6e2", "d-f09c-5d13"}
	demoAll = slices.Concat(demoG1, demoG2, demoG3)
)

// without returns all minus the given IDs, keeping order.
func without(all []string, ids ...string) []string {
	return slices.DeleteFunc(slices.Clone(all), func(id string) bool { return slices.Contains(ids, id) })
}

func TestSelectDevices(t *testing.T) {
	f := func(typ, op, val string) Filter { return Filter{Type: typ, Operand: op, Value: val} }
	tests := []struct {
		name    string
		groups  []string
		filters []Filter
		want    []string
	}{
		{"no groups no filters: whole project", nil, nil, demoAll},
		{"empty non-nil lists: whole project", []string{}, []Filter{}, demoAll},
		{"one group", []string{"TestGroup1"}, nil, demoG1},
		{"groups union in fleet order", []string{"TestGroup3", "TestGroup1"}, nil, slices.Concat(demoG1, demoG3)},
		{"group named twice", []string{"TestGroup2", "TestGroup2"}, nil, demoG2},
		{"unknown group selects nothing", []string{"Nope"}, nil, nil},

		{"specific_device is", nil, []Filter{f("specific_device", "is", "d-4ec7-1be9")}, []string{"d-4ec7-1be9"}},
		{"specific_device is_not", nil, []Filter{f("specific_device", "is_not", "d-4ec7-1be9")}, without(demoAll, "d-4ec7-1be9")},
		{"specific_device outside the groups", []string{"TestGroup2"}, []Filter{f("specific_device", "is", "d-4ec7-1be9")}, nil},
		{"specific_device unknown id", nil, []Filter{f("specific_device", "is", "d-0000-0000")}, nil},

		{"tag is", nil, []Filter{f("tag", "is", "prod")}, []string{"d-4ec7-1be9", "d-19a2-7c30", "d-5b8e-02f4", "d-a3c5-6e18"}},
		{"tag is_not", nil, []Filter{f("tag", "is_not", "prod")}, without(demoAll, "d-4ec7-1be9", "d-19a2-7c30", "d-5b8e-02f4", "d-a3c5-6e18")},
		{"tag is unknown tag", nil, []Filter{f("tag", "is", "nope")}, nil},
		{"tag is_not unknown tag", nil, []Filter{f("tag", "is_not", "nope")}, demoAll},

		{"app is", nil, []Filter{f("app", "is", "metrics")}, []string{"d-4ec7-1be9", "d-5b8e-02f4", "d-7f21-9ad6", "d-8b3f-c6e2"}},
		{"app is_not", nil, []Filter{f("app", "is_not", "metrics")}, without(demoAll, "d-4ec7-1be9", "d-5b8e-02f4", "d-7f21-9ad6", "d-8b3f-c6e2")},

		{"device_state is offline", nil, []Filter{f("device_state", "is", "offline")}, []string{"d-19a2-7c30", "d-e614-8f0b", "d-2d47-a951"}},
		{"device_state is online", nil, []Filter{f("device_state", "is", "online")}, without(demoAll, "d-19a2-7c30", "d-e614-8f0b", "d-2d47-a951")},
		{"device_state is_not negates too", nil, []Filter{f("device_state", "is_not", "offline")}, without(demoAll, "d-19a2-7c30", "d-e614-8f0b", "d-2d47-a951")},

		{"update_status is", nil, []Filter{f("update_status", "is", "failed")}, []string{"d-19a2-7c30", "d-8b3f-c6e2"}},
		{"update_status is_not keeps devices without update", nil, []Filter{f("update_status", "is_not", "pending")}, without(demoAll, "d-5b8e-02f4", "d-f09c-5d13")},

		{"filters AND", nil, []Filter{f("tag", "is", "camera"), f("device_state", "is", "online")}, []string{"d-a3c5-6e18", "d-c0d9-3b72"}},
		{"contradictory filters", nil, []Filter{f("specific_device", "is", "d-4ec7-1be9"), f("specific_device", "is_not", "d-4ec7-1be9")}, nil},
		{"groups and filters", []string{"TestGroup1", "TestGroup3"},
			[]Filter{f("app", "is", "legacy-agent"), f("update_status", "is_not", "failed")},
			[]string{"d-4ec7-1be9", "d-5b8e-02f4", "d-2d47-a951"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &DemoFleet().Accounts[0].Projects[0]
			var got []string
			for _, d := range selectDevices(p, tt.groups, tt.filters) {
				got = append(got, d.ID)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("selected %v\nwant     %v", got, tt.want)
			}
		})
	}
}

func TestSelectDevicesPointsIntoProject(t *testing.T) {
	p := &DemoFleet().Accounts[0].Projects[0]
	sel := selectDevices(p, []string{"TestGroup2"}, nil)
	if len(sel) == 0 {
		t.Fatal("nothing selected")
	}
	sel[0].Name = "renamed"
	if p.Groups[1].Devices[0].Name != "renamed" {
		t.Error("selected devices are copies, want pointers into the project")
	}
}
