package emulator

// What New fills in for the device fields a fleet leaves out. They are fixed,
// not derived from the clock, so that a test can compare answers with
// literals and two runs of the same fleet answer alike.
const (
	// DefaultLastKeepalive is the last_keepalive of a device given without one.
	DefaultLastKeepalive = "2026-01-01 12:00:00"
	// DefaultUpdateScheduleTime is the deployment_schedule_time of the
	// update New makes from an UpdateStatus shorthand.
	DefaultUpdateScheduleTime = "2025-12-01 09:00:00"
	// DefaultUpdateVersion is the update_version of that update.
	DefaultUpdateVersion = "v1.0"
	// firstDeviceID is the first device_id New assigns in an account whose
	// given device_ids are all smaller.
	firstDeviceID = 1001
)

// fillDefaults gives every device what the API always shows and a fleet may
// leave out: see Account.fillDefaults.
func (f *Fleet) fillDefaults() {
	for ai := range f.Accounts {
		f.Accounts[ai].fillDefaults()
	}
}

// fillDefaults gives every device of the account what the API always shows
// and a fleet may leave out: a device_id (unique per account, in fleet
// order, above the largest one given and at least firstDeviceID), a
// last_keepalive, and for an UpdateStatus without an Updates history one
// Update carrying that status, whose update_id is above the largest one
// given in the account. Nothing else changes, so a fleet that spells
// everything out is left as it is, and a device added to a filled account
// (AddDevice) is the only one that gets anything.
func (a *Account) fillDefaults() {
	var devices []*Device
	maxDevice, maxUpdate := int64(firstDeviceID-1), int64(0)
	for pi := range a.Projects {
		p := &a.Projects[pi]
		for gi := range p.Groups {
			for di := range p.Groups[gi].Devices {
				d := &p.Groups[gi].Devices[di]
				devices = append(devices, d)
				maxDevice = max(maxDevice, d.DeviceID)
				for _, u := range d.Updates {
					maxUpdate = max(maxUpdate, u.ID)
				}
			}
		}
	}
	for _, d := range devices {
		if d.DeviceID == 0 {
			maxDevice++
			d.DeviceID = maxDevice
		}
		if d.LastKeepalive == "" {
			d.LastKeepalive = DefaultLastKeepalive
		}
		if len(d.Updates) == 0 && d.UpdateStatus != "" {
			maxUpdate++
			d.Updates = []Update{{ID: maxUpdate, Status: d.UpdateStatus, Version: DefaultUpdateVersion, ScheduleTime: DefaultUpdateScheduleTime}}
		}
	}
}
