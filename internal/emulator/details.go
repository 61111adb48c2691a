package emulator

import (
	"fmt"
	"hash/fnv"
	"slices"
	"time"
)

// detailsDevice is a device as GET /v1/devices_details answers it: every
// field of the docs' example, in the docs' order (encoding/json keeps the
// order of the struct).
type detailsDevice struct {
	DeviceID           int64           `json:"device_id"`
	DeviceUUID         string          `json:"device_uuid"`
	DeviceName         string          `json:"device_name"`
	UpswiftVersion     string          `json:"upswift_version"`
	Project            string          `json:"project"`
	Group              string          `json:"group"`
	DeviceIP           string          `json:"device_ip"`
	LastKeepalive      string          `json:"last_keepalive"`
	CPUUsage           int             `json:"cpu_usage"`
	RAMUsage           int             `json:"ram_usage"`
	DiskUsage          float64         `json:"disk_usage"`
	Address            string          `json:"address"`
	Lat                float64         `json:"lat"`
	Lng                float64         `json:"lng"`
	IsUpdateTriggerSet bool            `json:"is_update_trigger_set"`
	Description        string          `json:"description"`
	RegisteredDate     string          `json:"registered_date"`
	Tags               []string        `json:"tags"`
	Updates            []detailsUpdate `json:"updates"`
}

// detailsUpdate is an update as devices_details answers it. Unlike Update,
// it always has a comment, as the docs' example does.
type detailsUpdate struct {
	ID           int64  `json:"update_id"`
	Status       string `json:"update_status"`
	Version      string `json:"update_version"`
	Comment      string `json:"comment"`
	ScheduleTime string `json:"deployment_schedule_time"`
}

// stateEntry is a device as GET /v1/get_devices_state answers it, in the
// docs' order.
type stateEntry struct {
	DeviceStatus string `json:"device_status"`
	DeviceUUID   string `json:"device_uuid"`
	DeviceName   string `json:"device_name"`
}

// upswiftVersion is the agent version every device reports, the docs'.
const upswiftVersion = "5.1"

// place is a device location: an address and its coordinates.
type place struct {
	address  string
	lat, lng float64
}

// places are where devices stand; the first is the docs' example.
var places = []place{
	{"Nuremberg, Germany", 49.4521, 11.0767},
	{"London, United Kingdom", 51.5072, -0.1276},
	{"Tel Aviv, Israel", 32.0853, 34.7818},
	{"Sunnyvale, CA, USA", 37.3688, -122.0363},
	{"Bangalore, India", 12.9716, 77.5946},
	{"Sao Paulo, Brazil", -23.5505, -46.6333},
}

// registeredFallback is the registered_date base of a device whose times do
// not parse (a fleet Validate would refuse).
var registeredFallback = time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC)

// newDetailsDevice builds the devices_details entry of d, in project p and
// group g. The fields the fleet does not hold (ip, usage, place, dates) are
// derived from the device's IDs alone, so that they are plausible, differ
// between devices, and stay the same from one page, run or Reset to the
// next: a test can compare two reads, and removals do not move them. The
// slices are copies, so the entry can be encoded after the lock is released.
func newDetailsDevice(p *Project, g *Group, d *Device) detailsDevice {
	h := fnv.New64a()
	_, _ = h.Write([]byte(d.ID)) // never fails
	sum := h.Sum64()
	where := places[sum%uint64(len(places))]
	updates := make([]detailsUpdate, len(d.Updates))
	for i, u := range d.Updates {
		updates[i] = detailsUpdate(u)
	}
	return detailsDevice{
		DeviceID:       d.DeviceID,
		DeviceUUID:     d.ID,
		DeviceName:     d.Name,
		UpswiftVersion: upswiftVersion,
		Project:        p.Name,
		Group:          g.Name,
		// One private address per device_id, as device_ids are unique.
		DeviceIP:           fmt.Sprintf("10.%d.%d.%d", (d.DeviceID>>16)&0xff, (d.DeviceID>>8)&0xff, d.DeviceID&0xff),
		LastKeepalive:      d.LastKeepalive,
		CPUUsage:           int((sum >> 8) % 101),
		RAMUsage:           int((sum >> 16) % 101),
		DiskUsage:          float64((sum>>24)%40000) / 10,
		Address:            where.address,
		Lat:                where.lat,
		Lng:                where.lng,
		IsUpdateTriggerSet: false,
		Description:        fmt.Sprintf("%s in %s / %s", d.Name, p.Name, g.Name),
		RegisteredDate:     registeredDate(d, sum),
		Tags:               append([]string{}, d.Tags...),
		Updates:            updates,
	}
}

// registeredDate puts a device's registration 1 to 365 days and some hours
// before the earliest time the fleet gives for it, so that no update or
// keepalive predates it.
func registeredDate(d *Device, sum uint64) string {
	times := []string{d.LastKeepalive}
	for _, u := range d.Updates {
		times = append(times, u.ScheduleTime)
	}
	earliest := registeredFallback
	if t, err := time.Parse(TimeLayout, slices.Min(times)); err == nil {
		earliest = t
	}
	before := time.Duration(1+(sum>>32)%365)*24*time.Hour + time.Duration((sum>>48)%86400)*time.Second
	return earliest.Add(-before).Format(TimeLayout)
}
