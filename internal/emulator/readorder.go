package emulator

import (
	"cmp"
	"slices"
	"sort"
)

// deviceRef locates a device of an account by position, with the keys the
// reads order devices by.
type deviceRef struct {
	project, group, device int // indexes into Projects, Groups and Devices
	deviceID               int64
	uuid                   string
}

// readOrder is an account's devices sorted the two ways the reads page
// through them: by device_id for GET /v1/devices_details, by device_uuid for
// GET /v1/get_devices_state.
//
// New builds it for the initial fleet: no call of the API adds, drops or
// moves a device, nor changes its device_id or device_uuid, so the positions
// hold through every removal and in the copy Reset restores. The changes of
// the fleet beside the API (MoveDevice, AddDevice) shift positions: they drop
// the account's order, and the account's next read builds it again (orderOf),
// so a script that makes several changes pays for one sort. A page then
// costs a binary search for its cursor and a walk over the devices it
// returns (and over those a project, group or name filter skips), instead of
// a sort of the whole account per page. A readOrder is never changed once
// built.
type readOrder struct {
	byDeviceID []deviceRef
	byUUID     []deviceRef
}

func newReadOrder(a *Account) *readOrder {
	var refs []deviceRef
	for pi, p := range a.Projects {
		for gi, g := range p.Groups {
			for di, d := range g.Devices {
				refs = append(refs, deviceRef{project: pi, group: gi, device: di, deviceID: d.DeviceID, uuid: d.ID})
			}
		}
	}
	// Stable sorts: in a fleet Validate would refuse, equal keys keep fleet
	// order, so the answers stay deterministic.
	o := &readOrder{byDeviceID: slices.Clone(refs), byUUID: refs}
	slices.SortStableFunc(o.byDeviceID, func(a, b deviceRef) int { return cmp.Compare(a.deviceID, b.deviceID) })
	slices.SortStableFunc(o.byUUID, func(a, b deviceRef) int { return cmp.Compare(a.uuid, b.uuid) })
	return o
}

// orderOf returns the read order of account a, building it when a change
// of the fleet dropped it. Must be called with e.mu held.
func (e *Emulator) orderOf(a *Account) *readOrder {
	o, ok := e.order[a.UserToken]
	if !ok {
		o = newReadOrder(a)
		e.order[a.UserToken] = o
	}
	return o
}

// afterDeviceID returns the position in byDeviceID of the first device
// whose device_id is greater than id.
func (o *readOrder) afterDeviceID(id int64) int {
	return sort.Search(len(o.byDeviceID), func(i int) bool { return o.byDeviceID[i].deviceID > id })
}

// afterUUID returns the position in byUUID of the first device whose
// device_uuid is greater than uuid.
func (o *readOrder) afterUUID(uuid string) int {
	return sort.Search(len(o.byUUID), func(i int) bool { return o.byUUID[i].uuid > uuid })
}

// resolve returns the device r points to in account a, with its project and
// group.
func (r deviceRef) resolve(a *Account) (*Project, *Group, *Device) {
	p := &a.Projects[r.project]
	g := &p.Groups[r.group]
	return p, g, &g.Devices[r.device]
}
