package emulator

// DemoToken is the user token of the single account of DemoFleet.
const DemoToken = "demo-token"

// DemoFleet returns the built-in demo fleet: one account with token
// "demo-token", apps "legacy-agent", "metrics" and "camera-driver", and
// project "Demo" with groups "TestGroup1", "TestGroup2" and "TestGroup3"
// holding ten devices with a mix of states, tags, apps and update statuses.
// "legacy-agent" is on seven of them, among which "d-4ec7-1be9".
// testdata/demo-fleet.json holds the same fleet.
func DemoFleet() *Fleet {
	dev := func(id, name string, tags []string, apps map[string]string, state, update string) Device {
		return Device{ID: id, Name: name, Tags: tags, Apps: apps, State: state, UpdateStatus: update}
	}
	return &Fleet{Accounts: []Account{{
		UserToken: DemoToken,
		Apps:      []string{"legacy-agent", "metrics", "camera-driver"},
		Projects: []Project{{
			Name: "Demo",
			Groups: []Group{
				{Name: "TestGroup1", Devices: []Device{
					dev("d-4ec7-1be9", "gateway-01", []string{"gateway", "prod"},
						map[string]string{"legacy-agent": "1.2.0", "metrics": "0.9.1"}, StateOnline, UpdateSuccess),
					dev("d-19a2-7c30", "gateway-02", []string{"gateway", "prod"},
						map[string]string{"legacy-agent": "1.2.0"}, StateOffline, UpdateFailed),
					dev("d-5b8e-02f4", "sensor-01", []string{"sensor", "prod"},
						map[string]string{"legacy-agent": "1.1.4", "metrics": "0.9.1"}, StateOnline, UpdatePending),
					dev("d-7f21-9ad6", "sensor-02", []string{"sensor"},
						map[string]string{"metrics": "0.9.0"}, StateOnline, ""),
				}},
				{Name: "TestGroup2", Devices: []Device{
					dev("d-a3c5-6e18", "camera-01", []string{"camera", "prod"},
						map[string]string{"legacy-agent": "1.2.0", "camera-driver": "3.4.1"}, StateOnline, UpdateInProgress),
					dev("d-c0d9-3b72", "camera-02", []string{"camera", "beta"},
						map[string]string{"legacy-agent": "1.1.4", "camera-driver": "3.5.0-beta"}, StateOnline, UpdateAborted),
					dev("d-e614-8f0b", "camera-03", []string{"camera"},
						map[string]string{"camera-driver": "3.4.1"}, StateOffline, UpdateSuccess),
				}},
				{Name: "TestGroup3", Devices: []Device{
					dev("d-2d47-a951", "lab-01", []string{"lab", "beta"},
						map[string]string{"legacy-agent": "1.0.0"}, StateOffline, ""),
					dev("d-8b3f-c6e2", "lab-02", []string{"lab"},
						map[string]string{"legacy-agent": "1.2.0", "metrics": "1.0.0-rc1"}, StateOnline, UpdateFailed),
					dev("d-f09c-5d13", "lab-03", []string{},
						map[string]string{}, StateOnline, UpdatePending),
				}},
			},
		}},
	}}}
}
