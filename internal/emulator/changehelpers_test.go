package emulator

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// otherToken is the token of the second account of changeFleet.
const otherToken = "other-token"

// changeFleet is the demo fleet with a second project, Lab (group Bench
// with one device, group Empty with none), and a second account with a
// project and group named as the demo's, so that moves across projects and
// the isolation of accounts show.
func changeFleet() *Fleet {
	f := DemoFleet()
	f.Accounts[0].Projects = append(f.Accounts[0].Projects, Project{Name: "Lab", Groups: []Group{
		{Name: "Bench", Devices: []Device{{ID: "d-1ab0-0001", Name: "bench-01", State: StateOnline,
			Tags: []string{"lab"}, Apps: map[string]string{"metrics": "1.0.0"}}}},
		{Name: "Empty"},
	}})
	f.Accounts = append(f.Accounts, Account{UserToken: otherToken, Apps: []string{"metrics"}, Projects: []Project{
		{Name: "Demo", Groups: []Group{{Name: "TestGroup1", Devices: []Device{{ID: "d-0000-0001", Name: "other-01", State: StateOnline}}}}},
	}})
	f.normalize()
	return f
}

// checkNoToken fails the test when s holds a token of changeFleet.
func checkNoToken(t testing.TB, what, s string) {
	t.Helper()
	for _, token := range []string{DemoToken, otherToken} {
		if strings.Contains(s, token) {
			t.Errorf("%s holds a token: %s", what, s)
		}
	}
}

// checkReadsMatchFleet pages through both reads with a limit of 2, over
// the whole account and narrowed to each of its groups, and compares what
// they answer with the fleet: the device_ids of devices_details, the
// uuids, states and names of get_devices_state.
func checkReadsMatchFleet(t *testing.T, e *Emulator, token string) {
	t.Helper()
	a := e.Fleet().account(token)
	if a == nil {
		t.Fatal("no account with this token")
	}
	views := deviceViews(a)
	scopes := []map[string]any{nil}
	for _, p := range a.Projects {
		for _, g := range p.Groups {
			scopes = append(scopes, map[string]any{"project_name": p.Name, "group_name": g.Name})
		}
	}
	for _, scope := range scopes {
		var wantIDs []int64
		var wantStates []stateEntry
		for _, v := range views {
			if scope == nil || (v.Project == scope["project_name"] && v.Group == scope["group_name"]) {
				wantIDs = append(wantIDs, v.DeviceID)
				wantStates = append(wantStates, stateEntry{DeviceStatus: v.State, DeviceUUID: v.ID, DeviceName: v.Name})
			}
		}
		slices.Sort(wantIDs)
		slices.SortFunc(wantStates, func(a, b stateEntry) int { return cmp.Compare(a.DeviceUUID, b.DeviceUUID) })
		if ids, _ := pageAllDetails(t, e, token, 2, scope); !slices.Equal(ids, wantIDs) {
			t.Errorf("devices_details %v: %v, want %v", scope, ids, wantIDs)
		}
		if states, _ := pageAllStateEntries(t, e, token, 2, scope); !slices.Equal(states, wantStates) {
			t.Errorf("get_devices_state %v: %v, want %v", scope, states, wantStates)
		}
	}
}

// removeTag sends DELETE /v1/device_tags for tag over one group of a
// project of the demo account, with the given filters, and returns the IDs
// the log says lost the tag, sorted.
func removeTag(t *testing.T, e *Emulator, project, group, tag string, filters ...any) []string {
	t.Helper()
	b := map[string]any{"user_token": DemoToken, "tag_name": tag, "device_filter": map[string]any{
		"project": map[string]any{"name": project},
		"groups":  []any{map[string]any{"name": group}},
		"filters": append([]any{}, filters...),
	}}
	if rec := serve(e, http.MethodDelete, DeviceTagsPath, mustJSON(t, b)); rec.Code != http.StatusOK {
		t.Fatalf("removal of tag %q from %s/%s: %d %s", tag, project, group, rec.Code, rec.Body)
	}
	log := e.Requests()
	return slices.Sorted(slices.Values(log[len(log)-1].Removed))
}

// carrying lists, sorted, the devices of the demo account in group of
// project that carry tag and pass keep (nil: all).
func carrying(e *Emulator, project, group, tag string, keep func(DeviceView) bool) []string {
	var out []string
	for id, v := range e.Devices(DemoToken) {
		if v.Project == project && v.Group == group && slices.Contains(v.Tags, tag) && (keep == nil || keep(v)) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// checkRemovalSees removes a tag the device of the demo account carries
// from its group (with filters) and checks that the removal took it from
// exactly the devices the fleet says carry it there (and pass keep), the
// device among them when it passes keep.
func checkRemovalSees(t *testing.T, e *Emulator, id string, keep func(DeviceView) bool, filters ...any) {
	t.Helper()
	v := e.Devices(DemoToken)[id]
	if len(v.Tags) == 0 {
		t.Fatalf("device %s carries no tag", id)
	}
	want := carrying(e, v.Project, v.Group, v.Tags[0], keep)
	got := removeTag(t, e, v.Project, v.Group, v.Tags[0], filters...)
	if !slices.Equal(got, want) || (keep == nil || keep(v)) != slices.Contains(got, id) {
		t.Errorf("removal of tag %q from %s/%s took it from %v, want %v", v.Tags[0], v.Project, v.Group, got, want)
	}
}
