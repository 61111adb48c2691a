package emulator

// DemoToken is the user token of the single account of DemoFleet.
const DemoToken = "demo-token"

// DemoFleet returns the built-in demo fleet: one account with token
// "demo-token", apps "legacy-agent", "metrics" and "camera-driver", and
// project "Demo" with groups "TestGroup1", "TestGroup2" and "TestGroup3"
// holding ten devices with a mix of states, tags, apps and update statuses.
// "legacy-agent" is on seven of them, among which "d-4ec7-1be9".
//
// Every device has a device_id (whose order is neither fleet order nor
// device ID order, so that a client paging by the wrong key shows) and a
// last_keepalive (minutes before 2026-12-01 10:00 for online devices, days
// before for offline ones). Eight have an update history,
// so that a preview of a removal has something to tell: gateway-01's latest
// update succeeded after a failed one, gateway-02 and camera-02 list theirs
// newest first, and camera-02's two latest updates share a schedule time,
// the higher update_id (aborted) being the latest. UpdateStatus repeats each
// latest status. testdata/demo-fleet.json holds the same fleet.
func DemoFleet() *Fleet {
	dev := func(id string, deviceID int64, name string, tags []string, apps map[string]string, state, keepalive, update string, updates ...Update) Device {
		return Device{ID: id, DeviceID: deviceID, Name: name, Tags: tags, Apps: apps, State: state,
			UpdateStatus: update, LastKeepalive: keepalive, Updates: updates}
	}
	up := func(id int64, status, version, when, comment string) Update {
		return Update{ID: id, Status: status, Version: version, Comment: comment, ScheduleTime: when}
	}
	return &Fleet{Accounts: []Account{{
		UserToken: DemoToken,
		Apps:      []string{"legacy-agent", "metrics", "camera-driver"},
		Projects: []Project{{
			Name: "Demo",
			Groups: []Group{
				{Name: "TestGroup1", Devices: []Device{
					dev("d-4ec7-1be9", 100234, "gateway-01", []string{"gateway", "prod"},
						map[string]string{"legacy-agent": "1.2.0", "metrics": "0.9.1"}, StateOnline, "2026-12-01 09:58:12", UpdateSuccess,
						up(7101, UpdateFailed, "v2.3.0", "2026-11-03 08:00:00", "download timed out"),
						up(7142, UpdateSuccess, "v2.3.0", "2026-11-04 08:00:00", "retry of 7101")),
					dev("d-19a2-7c30", 100235, "gateway-02", []string{"gateway", "prod"},
						map[string]string{"legacy-agent": "1.2.0"}, StateOffline, "2026-11-21 17:40:05", UpdateFailed,
						up(7143, UpdateFailed, "v2.3.0", "2026-11-21 17:30:00", "device went offline during install"),
						up(6920, UpdateSuccess, "v2.2.1", "2026-09-15 08:00:00", "")),
					dev("d-5b8e-02f4", 100412, "sensor-01", []string{"sensor", "prod"},
						map[string]string{"legacy-agent": "1.1.4", "metrics": "0.9.1"}, StateOnline, "2026-12-01 09:59:47", UpdatePending,
						up(6921, UpdateSuccess, "v1.4.0", "2026-09-15 08:00:00", ""),
						up(7160, UpdatePending, "v1.5.0", "2026-12-02 02:00:00", "scheduled for the night")),
					dev("d-7f21-9ad6", 100413, "sensor-02", []string{"sensor"},
						map[string]string{"metrics": "0.9.0"}, StateOnline, "2026-12-01 09:57:30", ""),
				}},
				{Name: "TestGroup2", Devices: []Device{
					dev("d-a3c5-6e18", 100108, "camera-01", []string{"camera", "prod"},
						map[string]string{"legacy-agent": "1.2.0", "camera-driver": "3.4.1"}, StateOnline, "2026-12-01 09:59:02", UpdateInProgress,
						up(7158, UpdateInProgress, "v3.5.0", "2026-12-01 09:45:00", "")),
					dev("d-c0d9-3b72", 100109, "camera-02", []string{"camera", "beta"},
						map[string]string{"legacy-agent": "1.1.4", "camera-driver": "3.5.0-beta"}, StateOnline, "2026-12-01 09:58:51", UpdateAborted,
						up(7155, UpdateAborted, "v3.5.0-beta", "2026-11-28 14:00:00", "aborted by the operator"),
						up(7154, UpdateSuccess, "v3.5.0-beta", "2026-11-28 14:00:00", "same schedule, lower update_id"),
						up(7050, UpdateFailed, "v3.4.9-beta", "2026-10-20 14:00:00", "")),
					dev("d-e614-8f0b", 100861, "camera-03", []string{"camera"},
						map[string]string{"camera-driver": "3.4.1"}, StateOffline, "2026-11-12 06:15:44", UpdateSuccess,
						up(7060, UpdateSuccess, "v3.4.1", "2026-10-21 10:00:00", "")),
				}},
				{Name: "TestGroup3", Devices: []Device{
					dev("d-2d47-a951", 100017, "lab-01", []string{"lab", "beta"},
						map[string]string{"legacy-agent": "1.0.0"}, StateOffline, "2026-10-02 11:03:29", ""),
					dev("d-8b3f-c6e2", 100018, "lab-02", []string{"lab"},
						map[string]string{"legacy-agent": "1.2.0", "metrics": "1.0.0-rc1"}, StateOnline, "2026-12-01 09:56:18", UpdateFailed,
						up(7020, UpdateSuccess, "v0.8.0", "2026-10-10 12:00:00", ""),
						up(7120, UpdateFailed, "v0.9.0-rc1", "2026-11-10 12:00:00", "rolled back: disk full")),
					dev("d-f09c-5d13", 100990, "lab-03", []string{},
						map[string]string{}, StateOnline, "2026-12-01 09:59:58", UpdatePending,
						up(7161, UpdatePending, "v0.1.0", "2026-12-02 02:00:00", "")),
				}},
			},
		}},
	}}}
}
