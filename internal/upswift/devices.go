package upswift

import (
	"encoding/json"
	"fmt"
	"time"
)

// Device is one device as the API's two reads report it: its details from
// GET /v1/devices_details and its state from GET /v1/get_devices_state.
// The reads report no apps: which apps a device has is not known here.
type Device struct {
	// UUID is the device ID of the dashboard ("d-4ec7-1be9"), device_uuid:
	// what a specific_device filter compares with.
	UUID string
	// ID is the API's numeric device_id.
	ID      int64
	Name    string
	Project string
	Group   string
	Tags    []string
	// LastKeepalive is when the device last reported, as the API writes
	// it ("2020-02-08 16:12:11", UTC).
	LastKeepalive string
	// Updates is the device's update history, in the API's order.
	Updates []Update
	// State is "online" or "offline" as the state listing reported it, or
	// "" when that listing did not report the device.
	State string
}

// Update is one update of a device's history.
type Update struct {
	ID      int64
	Status  string
	Version string
	// ScheduleTime is deployment_schedule_time as the API writes it.
	ScheduleTime string
	// at is ScheduleTime parsed, which orders updates.
	at time.Time
}

// LastUpdate returns the device's latest update: the latest
// deployment_schedule_time, the highest update_id among updates scheduled
// at the same time. ok is false for a device without updates.
func (d Device) LastUpdate() (last Update, ok bool) {
	for _, u := range d.Updates {
		if !ok || u.at.After(last.at) || u.at.Equal(last.at) && u.ID > last.ID {
			last, ok = u, true
		}
	}
	return last, ok
}

// LastUpdateStatus is the status of the latest update ("last update
// status" in the API's words), or "" for a device without updates.
func (d Device) LastUpdateStatus() string {
	u, _ := d.LastUpdate()
	return u.Status
}

// decodeDevice reads one device of a devices_details page, checking every
// field the provider uses. Its reads keep the first error (answerObject),
// which it returns.
func decodeDevice(raw json.RawMessage, where string) (Device, error) {
	o := decodeObject(raw, where, "message[]", "a device (an object)")
	d := Device{UUID: o.text("device_uuid")}
	// From here on, errors name the device by its uuid too.
	o.where = fmt.Sprintf("%s (device_uuid %q)", where, d.UUID)
	d.ID = o.integer("device_id")
	d.Name = o.text("device_name")
	d.Project = o.text("project")
	d.Group = o.text("group")
	d.Tags = o.texts("tags")
	d.LastKeepalive = o.text("last_keepalive")
	updates := o.list("updates", "a list of updates")
	d.Updates = make([]Update, len(updates))
	// An update's error is the device's: the first one ends the loop.
	for i := 0; i < len(updates) && o.err == nil; i++ {
		d.Updates[i], o.err = decodeUpdate(updates[i], o.where, fmt.Sprintf("updates[%d]", i))
	}
	if o.err != nil {
		return Device{}, o.err
	}
	return d, nil
}

// decodeUpdate reads one update of a device's history; field is where it
// sits in the device ("updates[2]").
func decodeUpdate(raw json.RawMessage, where, field string) (Update, error) {
	o := decodeObject(raw, where, field, "an update (an object)")
	o.prefix = field + "."
	var u Update
	u.ID = o.integer("update_id")
	u.Status = o.text("update_status")
	u.ScheduleTime, u.at = o.timestamp("deployment_schedule_time")
	// update_version is shown, never compared: a missing one is no error.
	if v, ok := o.fields["update_version"]; ok && jsonKind(v) == "a string" {
		_ = json.Unmarshal(v, &u.Version)
	}
	if o.err != nil {
		return Update{}, o.err
	}
	return u, nil
}

// deviceState is one entry of a get_devices_state page.
type deviceState struct {
	uuid, name, status string
}

// decodeState reads one entry of a get_devices_state page; its reads keep
// the first error (answerObject), which it returns.
func decodeState(raw json.RawMessage, where string) (deviceState, error) {
	o := decodeObject(raw, where, "message[]", "a device state (an object)")
	s := deviceState{uuid: o.text("device_uuid")}
	o.where = fmt.Sprintf("%s (device_uuid %q)", where, s.uuid)
	s.status = o.text("device_status")
	s.name = o.text("device_name")
	if o.err != nil {
		return deviceState{}, o.err
	}
	return s, nil
}
