package emulator

import (
	"fmt"
	"slices"
	"testing"
)

func TestLatestUpdate(t *testing.T) {
	u := func(id int64, status, when string) Update {
		return Update{ID: id, Status: status, Version: "v1", ScheduleTime: when}
	}
	tests := []struct {
		name    string
		updates []Update
		wantID  int64 // 0: no latest update
	}{
		{"none", nil, 0},
		{"empty list", []Update{}, 0},
		{"one", []Update{u(4, "failed", "2026-01-01 00:00:00")}, 4},
		{"latest time wins over list order", []Update{u(1, "success", "2026-03-01 00:00:00"), u(2, "failed", "2026-01-01 00:00:00")}, 1},
		{"latest time wins over a higher id", []Update{u(9, "success", "2026-01-01 00:00:00"), u(3, "failed", "2026-01-02 00:00:00")}, 3},
		{"seconds count", []Update{u(1, "success", "2026-01-01 00:00:01"), u(2, "failed", "2026-01-01 00:00:00")}, 1},
		{"years count before months", []Update{u(1, "success", "2025-12-31 23:59:59"), u(2, "failed", "2026-01-01 00:00:00")}, 2},
		{"tie: highest id, listed first", []Update{u(8, "aborted", "2026-01-01 00:00:00"), u(7, "success", "2026-01-01 00:00:00")}, 8},
		{"tie: highest id, listed last", []Update{u(7, "success", "2026-01-01 00:00:00"), u(8, "aborted", "2026-01-01 00:00:00")}, 8},
		{"tie among three, an older higher id", []Update{
			u(50, "pending", "2025-01-01 00:00:00"), u(5, "success", "2026-01-01 00:00:00"),
			u(6, "failed", "2026-01-01 00:00:00"), u(4, "aborted", "2026-01-01 00:00:00"),
		}, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := latestUpdate(tt.updates)
			if ok != (tt.wantID != 0) || got.ID != tt.wantID {
				t.Errorf("latestUpdate = %+v, %v; want update_id %d", got, ok, tt.wantID)
			}
			d := Device{Updates: tt.updates}
			if want := got.Status; d.latestStatus() != want {
				t.Errorf("latestStatus = %q, want %q", d.latestStatus(), want)
			}
		})
	}
}

// TestUpdateStatusFilterUsesLatestUpdate: the update_status filter of the
// removals reads the latest update, not the list's last entry nor any
// entry, and a device without updates matches no "is" and every "is_not".
func TestUpdateStatusFilterUsesLatestUpdate(t *testing.T) {
	u := func(id int64, status, when string) Update {
		return Update{ID: id, Status: status, ScheduleTime: when}
	}
	p := &Project{Name: "P", Groups: []Group{{Name: "G", Devices: []Device{
		{ID: "d-none"},
		{ID: "d-retried", Updates: []Update{u(2, "success", "2026-02-01 00:00:00"), u(1, "failed", "2026-01-01 00:00:00")}},
		{ID: "d-tie", Updates: []Update{u(11, "aborted", "2026-01-01 00:00:00"), u(10, "failed", "2026-01-01 00:00:00")}},
		{ID: "d-pending", Updates: []Update{u(3, "pending", "2026-03-01 00:00:00")}},
	}}}}
	all := []string{"d-none", "d-retried", "d-tie", "d-pending"}
	want := map[string][]string{ // devices whose latest update has the status
		"success": {"d-retried"}, "aborted": {"d-tie"}, "pending": {"d-pending"},
	}
	for _, status := range updateStatuses {
		for _, op := range []string{OperandIs, OperandIsNot} {
			t.Run(fmt.Sprintf("%s %s", op, status), func(t *testing.T) {
				var got []string
				for _, d := range selectDevices(p, nil, []Filter{{Type: FilterUpdateStatus, Operand: op, Value: status}}) {
					got = append(got, d.ID)
				}
				exp := want[status]
				if op == OperandIsNot {
					exp = slices.DeleteFunc(slices.Clone(all), func(id string) bool { return slices.Contains(want[status], id) })
				}
				if !slices.Equal(got, exp) {
					t.Errorf("selected %v, want %v", got, exp)
				}
			})
		}
	}
}
