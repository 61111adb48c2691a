package upswift

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// update is an Update as the listing decodes it.
func update(id int64, status, at string) Update {
	t, err := time.Parse(time.DateTime, at)
	if err != nil {
		panic(err)
	}
	return Update{ID: id, Status: status, ScheduleTime: at, at: t}
}

func TestLastUpdateStatus(t *testing.T) {
	tests := []struct {
		name    string
		updates []Update
		want    string
	}{
		{"no update", nil, ""},
		{"one", []Update{update(1, "failed", "2024-01-01 00:00:00")}, "failed"},
		{"the latest time wins over a higher id", []Update{
			update(9, "success", "2024-01-01 00:00:00"), update(2, "pending", "2024-03-01 00:00:00")}, "pending"},
		{"in any order", []Update{
			update(2, "pending", "2024-03-01 00:00:00"), update(9, "success", "2024-01-01 00:00:00")}, "pending"},
		{"a tie goes to the highest id", []Update{
			update(7, "aborted", "2024-03-01 00:00:00"), update(8, "in_progress", "2024-03-01 00:00:00"),
			update(3, "success", "2024-03-01 00:00:00")}, "in_progress"},
		{"a second after wins", []Update{
			update(8, "failed", "2024-03-01 00:00:00"), update(1, "success", "2024-03-01 00:00:01")}, "success"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (Device{Updates: tt.updates}).LastUpdateStatus(); got != tt.want {
				t.Errorf("LastUpdateStatus() = %q, want %q", got, tt.want)
			}
		})
	}
}

// selectionFleet: d-1 online [edge] success; d-2 offline [edge beta]
// failed; d-3 online [beta] no update; d-4 state not reported [] pending.
func selectionFleet() []Device {
	return []Device{
		{UUID: "d-1", State: "online", Tags: []string{"edge"}, Updates: []Update{update(1, "success", "2024-01-01 00:00:00")}},
		{UUID: "d-2", State: "offline", Tags: []string{"edge", "beta"}, Updates: []Update{
			update(2, "success", "2024-01-01 00:00:00"), update(3, "failed", "2024-02-01 00:00:00")}},
		{UUID: "d-3", State: "online", Tags: []string{"beta"}},
		{UUID: "d-4", Updates: []Update{update(4, "pending", "2024-01-01 00:00:00")}},
	}
}

// TestSelect: each filter type and operand with the API's rules, filters
// combined with AND; app filters are not evaluated, and devices whose
// state was not reported pass device_state filters, both said in the
// result.
func TestSelect(t *testing.T) {
	f := func(typ, op, value string) Filter { return Filter{Type: typ, Operand: op, Value: value} }
	tests := []struct {
		name            string
		filters         []Filter
		want            string
		wantUnevaluated []int
		wantUnreported  string
	}{
		{"no filter", nil, "d-1 d-2 d-3 d-4", nil, ""},
		{"specific_device is", []Filter{f("specific_device", "is", "d-2")}, "d-2", nil, ""},
		{"specific_device is_not", []Filter{f("specific_device", "is_not", "d-2")}, "d-1 d-3 d-4", nil, ""},
		{"tag is", []Filter{f("tag", "is", "beta")}, "d-2 d-3", nil, ""},
		{"tag is_not", []Filter{f("tag", "is_not", "beta")}, "d-1 d-4", nil, ""},
		{"device_state is online", []Filter{f("device_state", "is", "online")}, "d-1 d-3 d-4", nil, "d-4"},
		{"device_state is offline", []Filter{f("device_state", "is", "offline")}, "d-2 d-4", nil, "d-4"},
		{"update_status is: the latest update", []Filter{f("update_status", "is", "failed")}, "d-2", nil, ""},
		{"update_status is: not an older update", []Filter{f("update_status", "is", "success")}, "d-1", nil, ""},
		{"update_status is_not: no update matches", []Filter{f("update_status", "is_not", "success")}, "d-2 d-3 d-4", nil, ""},
		{"app is: not evaluated", []Filter{f("app", "is", "legacy-agent")}, "d-1 d-2 d-3 d-4", []int{0}, ""},
		{"app is_not: not evaluated", []Filter{f("tag", "is", "edge"), f("app", "is_not", "x")}, "d-1 d-2", []int{1}, ""},
		{"AND", []Filter{f("tag", "is", "edge"), f("device_state", "is", "online")}, "d-1", nil, ""},
		{"AND, nothing left", []Filter{f("tag", "is", "beta"), f("tag", "is_not", "beta")}, "", nil, ""},
		{"an unreported state is named only when its device is kept", []Filter{
			f("device_state", "is", "online"), f("tag", "is", "edge")}, "d-1", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sel, err := Select(selectionFleet(), tt.filters)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, d := range sel.Devices {
				got = append(got, d.UUID)
			}
			if strings.Join(got, " ") != tt.want {
				t.Errorf("selected %q, want %q", got, tt.want)
			}
			if !slices.Equal(sel.Unevaluated, tt.wantUnevaluated) {
				t.Errorf("unevaluated %v, want %v", sel.Unevaluated, tt.wantUnevaluated)
			}
			if strings.Join(sel.StateNotReported, " ") != tt.wantUnreported {
				t.Errorf("state not reported %v, want %q", sel.StateNotReported, tt.wantUnreported)
			}
		})
	}
	if _, err := Select(selectionFleet(), []Filter{f("device_state", "is_not", "online")}); err == nil {
		t.Error("a filter the API refuses was evaluated")
	}
}

// listerFunc is a Lister from a function.
type listerFunc func(ctx context.Context, q DeviceQuery) ([]Device, error)

func (f listerFunc) ListDevices(ctx context.Context, q DeviceQuery) ([]Device, error) {
	return f(ctx, q)
}

// TestSelectDevicesUnitesGroups: one listing per group (each once, however
// often it is named), their union without duplicates, ordered by UUID;
// without groups, one listing of the project.
func TestSelectDevicesUnitesGroups(t *testing.T) {
	byGroup := map[string][]Device{
		"":   {{UUID: "d-1"}, {UUID: "d-2"}, {UUID: "d-3"}, {UUID: "d-4"}},
		"G1": {{UUID: "d-3"}, {UUID: "d-1"}},
		"G2": {{UUID: "d-2"}, {UUID: "d-1"}},
	}
	tests := []struct {
		groups      []string
		want        string
		wantQueries string
	}{
		{nil, "d-1 d-2 d-3 d-4", `project "P"`},
		{[]string{"G1"}, "d-1 d-3", `group "G1" of project "P"`},
		{[]string{"G2", "G1", "G2"}, "d-1 d-2 d-3", `group "G1" of project "P",group "G2" of project "P"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.groups, ","), func(t *testing.T) {
			var mu sync.Mutex
			var queries []string
			l := listerFunc(func(_ context.Context, q DeviceQuery) ([]Device, error) {
				mu.Lock()
				queries = append(queries, q.String())
				mu.Unlock()
				return byGroup[q.Group], nil
			})
			f := DeviceFilter{Project: Project{Name: "P"}}
			for _, g := range tt.groups {
				f.Groups = append(f.Groups, Group{Name: g})
			}
			sel, err := SelectDevices(context.Background(), l, f)
			if err != nil {
				t.Fatal(err)
			}
			if got := uuidList(sel.Devices); got != tt.want {
				t.Errorf("selected %q, want %q", got, tt.want)
			}
			slices.Sort(queries)
			if got := strings.Join(queries, ","); got != tt.wantQueries {
				t.Errorf("listed %s, want %s", got, tt.wantQueries)
			}
		})
	}
}

// TestSelectDevicesStopsOnTheFirstError: a refused group listing fails the
// selection and stops the others.
func TestSelectDevicesStopsOnTheFirstError(t *testing.T) {
	refused := errors.New("group G9 does not exist")
	l := listerFunc(func(ctx context.Context, q DeviceQuery) ([]Device, error) {
		if q.Group == "G9" {
			return nil, refused
		}
		<-ctx.Done()
		return nil, ctx.Err()
	})
	f := DeviceFilter{Project: Project{Name: "P"}, Groups: []Group{{Name: "G1"}, {Name: "G9"}}}
	if _, err := SelectDevices(context.Background(), l, f); !errors.Is(err, refused) {
		t.Fatalf("error %v, want the refusal", err)
	}
}

func uuidList(devices []Device) string {
	var out []string
	for _, d := range devices {
		out = append(out, d.UUID)
	}
	return strings.Join(out, " ")
}
