package emulator

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// TimeLayout is the form of every timestamp of the API's device details
// (last_keepalive, deployment_schedule_time, registered_date): UTC without
// a zone.
const TimeLayout = "2006-01-02 15:04:05"

// Update is one entry of a device's update history, with the fields and
// JSON names of the API's device details.
type Update struct {
	ID int64 `json:"update_id"`
	// Status is "pending", "in_progress", "success", "failed" or "aborted".
	Status  string `json:"update_status"`
	Version string `json:"update_version"`
	Comment string `json:"comment,omitempty"`
	// ScheduleTime is when the update was deployed, in TimeLayout (UTC).
	ScheduleTime string `json:"deployment_schedule_time"`
}

// latestUpdate returns the device's latest update: the one with the latest
// deployment_schedule_time, the highest update_id among those scheduled at
// that time. ok is false when the device has no update.
//
// This is the emulator's own reading of the docs' "last update status",
// written out here rather than shared with the provider's client: the
// emulator is an independent oracle, so a client that takes, say, the last
// entry of the list instead selects other devices than the emulator does.
// The times compare as strings because Validate holds them to TimeLayout,
// whose fixed-width fields order like the times they spell.
func latestUpdate(updates []Update) (latest Update, ok bool) {
	for _, u := range updates {
		if !ok || u.ScheduleTime > latest.ScheduleTime ||
			(u.ScheduleTime == latest.ScheduleTime && u.ID > latest.ID) {
			latest, ok = u, true
		}
	}
	return latest, ok
}

// latestStatus is the status of the device's latest update, "" when it has
// none: what an update_status filter compares with.
func (d *Device) latestStatus() string {
	u, _ := latestUpdate(d.Updates)
	return u.Status
}

// validateUpdates checks a device's update history: known statuses,
// positive update IDs unique in the device, schedule times in TimeLayout,
// and an UpdateStatus that is empty or the latest update's status.
func validateUpdates(d Device) error {
	ids := map[int64]bool{}
	for i, u := range d.Updates {
		where := fmt.Sprintf("device %q: updates[%d]", d.ID, i)
		if u.ID <= 0 {
			return fmt.Errorf("%s: update_id %d is not positive", where, u.ID)
		}
		if ids[u.ID] {
			return fmt.Errorf("%s: update_id %d is used twice in the device", where, u.ID)
		}
		ids[u.ID] = true
		if !slices.Contains(updateStatuses, u.Status) {
			return fmt.Errorf("%s: update_status %q is not one of %s", where, u.Status, strings.Join(updateStatuses, ", "))
		}
		if err := checkTime(u.ScheduleTime); err != nil {
			return fmt.Errorf("%s: deployment_schedule_time %w", where, err)
		}
	}
	if latest, ok := latestUpdate(d.Updates); ok && d.UpdateStatus != "" && d.UpdateStatus != latest.Status {
		return fmt.Errorf("device %q: update_status %q differs from the status %q of its latest update (update_id %d); leave it empty or make them equal",
			d.ID, d.UpdateStatus, latest.Status, latest.ID)
	}
	return nil
}

// checkTime checks that s is a time spelled exactly in TimeLayout. Parsing
// alone is not enough: time.Parse also takes fractional seconds the layout
// does not show, which would break the string order latestUpdate relies on.
func checkTime(s string) error {
	t, err := time.Parse(TimeLayout, s)
	if err != nil || t.Format(TimeLayout) != s {
		return fmt.Errorf("%q is not a UTC time like %q", s, TimeLayout)
	}
	return nil
}
