package emulator

import (
	"reflect"
	"testing"
)

func TestNewAssignsDeviceIDs(t *testing.T) {
	devs := func(group string, ids ...int64) []Device {
		out := make([]Device, len(ids))
		for i, id := range ids {
			out[i] = Device{ID: "d-" + group + "-" + string(rune('a'+i)), State: StateOnline, DeviceID: id}
		}
		return out
	}
	tests := []struct {
		name string
		// given per group (two groups, to see fleet order across them)
		g1, g2 []int64
		want   []int64 // in fleet order
	}{
		{"none given: from 1001 in fleet order", []int64{0, 0}, []int64{0}, []int64{1001, 1002, 1003}},
		{"small ones given: still from 1001", []int64{0, 5}, []int64{0, 7}, []int64{1001, 5, 1002, 7}},
		{"large one given: above the largest", []int64{0, 123456}, []int64{0, 2000}, []int64{123457, 123456, 123458, 2000}},
		{"largest in a later group", []int64{0}, []int64{5000, 0}, []int64{5001, 5000, 5002}},
		{"all given: kept", []int64{3, 1}, []int64{2}, []int64{3, 1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &Fleet{Accounts: []Account{{UserToken: "t", Projects: []Project{
				{Name: "P", Groups: []Group{{Name: "G1", Devices: devs("1", tt.g1...)}}},
				{Name: "Q", Groups: []Group{{Name: "G2", Devices: devs("2", tt.g2...)}}},
			}}}}
			before := f.Clone()
			e := New(f)
			if !reflect.DeepEqual(f, before) {
				t.Error("New changed the fleet it was given")
			}
			var got []int64
			for _, p := range e.Fleet().Accounts[0].Projects {
				for _, d := range p.Groups[0].Devices {
					got = append(got, d.DeviceID)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("device_ids %v, want %v", got, tt.want)
			}
			if err := e.Fleet().Validate(); err != nil {
				t.Errorf("filled fleet invalid: %v", err)
			}
		})
	}
}

// TestNewDeviceIDsPerAccount: each account counts on its own, and Reset
// keeps the assigned ids.
func TestNewDeviceIDsPerAccount(t *testing.T) {
	account := func(token string, ids ...int64) Account {
		var ds []Device
		for i, id := range ids {
			ds = append(ds, Device{ID: "d-" + string(rune('a'+i)), State: StateOnline, DeviceID: id})
		}
		return Account{UserToken: token, Projects: []Project{{Name: "P", Groups: []Group{{Name: "G", Devices: ds}}}}}
	}
	e := New(&Fleet{Accounts: []Account{account("t1", 0, 9000), account("t2", 0, 0)}})
	want := map[string]map[string]int64{"t1": {"d-a": 9001, "d-b": 9000}, "t2": {"d-a": 1001, "d-b": 1002}}
	for round := range 2 {
		for token, ids := range want {
			for id, deviceID := range ids {
				if got := e.Devices(token)[id].DeviceID; got != deviceID {
					t.Errorf("round %d: %s %s device_id %d, want %d", round, token, id, got, deviceID)
				}
			}
		}
		e.Reset()
	}
}

func TestNewFillsKeepaliveAndUpdateShorthand(t *testing.T) {
	f := &Fleet{Accounts: []Account{{UserToken: "t", Projects: []Project{{Name: "P", Groups: []Group{{Name: "G", Devices: []Device{
		{ID: "d-short", State: StateOnline, UpdateStatus: UpdateFailed},
		{ID: "d-none", State: StateOnline},
		{ID: "d-hist", State: StateOnline, LastKeepalive: "2026-02-03 04:05:06", UpdateStatus: UpdateSuccess,
			Updates: []Update{{ID: 40, Status: UpdateSuccess, Version: "v2", ScheduleTime: "2026-02-01 00:00:00"}}},
		{ID: "d-short2", State: StateOffline, UpdateStatus: UpdatePending},
	}}}}}}}}
	devs := New(f).Devices("t")
	tests := []struct {
		id        string
		keepalive string
		status    string
		updates   []Update
	}{
		{"d-short", DefaultLastKeepalive, UpdateFailed,
			[]Update{{ID: 41, Status: UpdateFailed, Version: DefaultUpdateVersion, ScheduleTime: DefaultUpdateScheduleTime}}},
		{"d-none", DefaultLastKeepalive, "", []Update{}},
		{"d-hist", "2026-02-03 04:05:06", UpdateSuccess,
			[]Update{{ID: 40, Status: UpdateSuccess, Version: "v2", ScheduleTime: "2026-02-01 00:00:00"}}},
		{"d-short2", DefaultLastKeepalive, UpdatePending,
			[]Update{{ID: 42, Status: UpdatePending, Version: DefaultUpdateVersion, ScheduleTime: DefaultUpdateScheduleTime}}},
	}
	for _, tt := range tests {
		d := devs[tt.id]
		if d.LastKeepalive != tt.keepalive || d.UpdateStatus != tt.status || !reflect.DeepEqual(d.Updates, tt.updates) {
			t.Errorf("%s: keepalive %q, status %q, updates %+v; want %q, %q, %+v",
				tt.id, d.LastKeepalive, d.UpdateStatus, d.Updates, tt.keepalive, tt.status, tt.updates)
		}
	}
}

// TestNewKeepsAFullFleet: a fleet that spells everything out, like the demo
// fleet, is served as given.
func TestNewKeepsAFullFleet(t *testing.T) {
	if got := New(DemoFleet()).Fleet(); !reflect.DeepEqual(got, DemoFleet()) {
		t.Errorf("New changed the demo fleet:\n got %+v", got)
	}
}
