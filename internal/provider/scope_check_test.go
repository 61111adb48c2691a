package provider

import (
	"slices"
	"strings"
	"testing"

	"github.com/upswift/terraform-provider-upswift/internal/emulator"
)

// The saved-plan stories of expected_device_uuids: each plans with the
// real CLI into a file, changes the emulator's fleet, then applies the
// saved plan, as a pipeline that plans in a pull request and applies after
// approval does.

// TestAccScope_joinedDeviceRefusesTheSavedPlan: a device that joins the
// scope between the plan and the apply (moved into the group, come
// online, or new) makes the apply of the saved plan fail, naming it;
// nothing is sent and the state holds no removal.
func TestAccScope_joinedDeviceRefusesTheSavedPlan(t *testing.T) {
	cli := anyCLI(t)
	tests := []struct {
		name     string
		fixture  func(*testing.T) *fixture
		removed  string
		filter   string
		reviewed []string
		join     func(*emulator.Emulator) error
		joined   string
	}{
		{"moved into the group", newFixture, "legacy-agent", group1Filter, []string{"d-1", "d-2"},
			func(e *emulator.Emulator) error { return e.MoveDevice(testAccToken, "d-5", "Demo", "TestGroup1") }, `d-5 ("device d-5")`},
		{"came online", newFixture, "legacy-agent", group1OnlineFilter, []string{"d-1"},
			func(e *emulator.Emulator) error { return e.SetDeviceState(testAccToken, "d-2", "online") }, `d-2 ("device d-2")`},
		{"new device", newFixture, "legacy-agent", group1Filter, []string{"d-1", "d-2"},
			func(e *emulator.Emulator) error {
				return e.AddDevice(testAccToken, "Demo", "TestGroup1", emulator.Device{ID: "d-new", Name: "lab-new", State: "online",
					Apps: map[string]string{"legacy-agent": "1.0.0"}, Tags: []string{"edge"}})
			}, `d-new ("lab-new")`},
		{"tag removal, moved into the group", newTagFixture, "edge", group1Filter, []string{"d-1", "d-2"},
			func(e *emulator.Emulator) error { return e.MoveDevice(testAccToken, "d-6", "Demo", "TestGroup1") }, `d-6 ("device d-6")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := tt.fixture(t)
			addr := "upswift_" + f.kind.typeName + ".test"
			w := newWorkDir(t, cli, f.boundConfig(tt.removed, tt.filter, ""))
			w.mustRun("plan", "-input=false", "-no-color", "-out=review.tfplan")
			if got := jsonStrings(w.plannedChanges("review.tfplan")[addr].Change.After["expected_device_uuids"]); !slices.Equal(got, tt.reviewed) {
				t.Fatalf("the saved plan's expected_device_uuids are %v, want %v", got, tt.reviewed)
			}
			if err := tt.join(f.server.Emulator); err != nil {
				t.Fatal(err)
			}
			out := w.mustFail("apply", "-input=false", "-no-color", "review.tfplan")
			for _, want := range []string{"Devices Joined the Removal's Scope", "1 device joined the scope of this removal since " +
				"expected_device_uuids was read: " + tt.joined, "Nothing was sent and nothing was saved to state", "Plan again to review it"} {
				if !contains(out, want) {
					t.Errorf("the refused apply does not say %q:\n%s", want, out)
				}
			}
			if calls := f.removals(); len(calls) != 0 {
				t.Errorf("the emulator received %d removals, want none", len(calls))
			}
			if attrs := w.stateAttributes(addr); attrs != nil {
				t.Errorf("the state holds the refused removal: %v", attrs)
			}
		})
	}
}

// TestAccScope_leftDeviceWarns: a device of the reviewed set that left the
// scope before the apply does not stop it: the removal is sent, the
// warning names the device, and the state records the devices listed
// right before sending.
func TestAccScope_leftDeviceWarns(t *testing.T) {
	f := newFixture(t)
	w := newWorkDir(t, anyCLI(t), f.boundConfig("legacy-agent", group1Filter, ""))
	w.mustRun("plan", "-input=false", "-no-color", "-out=review.tfplan")
	if err := f.server.Emulator.MoveDevice(testAccToken, "d-2", "Demo", "TestGroup2"); err != nil {
		t.Fatal(err)
	}
	out := w.mustRun("apply", "-input=false", "-no-color", "review.tfplan")
	for _, want := range []string{"Devices Left the Removal's Scope", "1 device of expected_device_uuids no longer matches device_filter: d-2"} {
		if !contains(out, want) {
			t.Errorf("the apply does not warn %q:\n%s", want, out)
		}
	}
	if calls := f.removals(); len(calls) != 1 {
		t.Fatalf("the emulator received %d removals, want 1", len(calls))
	}
	if f.hasApp("d-1", "legacy-agent") || !f.hasApp("d-2", "legacy-agent") {
		t.Error("the removal did not go to d-1 only: d-1 must lose the app, d-2 (gone to another group) keep it")
	}
	attrs := w.stateAttributes("upswift_app_removal.test")
	if got := jsonStrings(attrs["applied_device_uuids"]); !slices.Equal(got, []string{"d-1"}) {
		t.Errorf("applied_device_uuids = %v, want [d-1]", got)
	}
	if got := jsonStrings(attrs["expected_device_uuids"]); !slices.Equal(got, []string{"d-1", "d-2"}) {
		t.Errorf("expected_device_uuids = %v, want the reviewed [d-1 d-2]", got)
	}
}

// TestAccScope_afterTheRemovalRan: once the removal ran, an unchanged
// fleet plans nothing; a device that joins plans a replacement whose diff
// names it, and its apply removes the app from it; a device that leaves
// plans an update that sends nothing.
func TestAccScope_afterTheRemovalRan(t *testing.T) {
	f := newFixture(t)
	w := newWorkDir(t, anyCLI(t), f.boundConfig("legacy-agent", group1Filter, ""))
	w.mustRun("apply", "-input=false", "-no-color", "-auto-approve")
	if n := len(f.removals()); n != 1 {
		t.Fatalf("%d removals after the first apply, want 1", n)
	}
	if code, out := w.planExitCode(); code != 0 {
		t.Fatalf("an unchanged fleet plans changes:\n%s", out)
	}

	if err := f.server.Emulator.MoveDevice(testAccToken, "d-5", "Demo", "TestGroup1"); err != nil {
		t.Fatal(err)
	}
	out := w.mustRun("plan", "-input=false", "-no-color", "-out=joined.tfplan")
	for _, want := range []string{`+ "d-5"`, "forces replacement"} {
		if !contains(out, want) {
			t.Errorf("the plan after d-5 joined does not show %q:\n%s", want, out)
		}
	}
	if got := w.plannedChanges("joined.tfplan")["upswift_app_removal.test"].Change.Actions; !slices.Contains(got, "delete") || !slices.Contains(got, "create") {
		t.Errorf("the removal's planned actions are %v, want a replacement", got)
	}
	w.mustRun("apply", "-input=false", "-no-color", "joined.tfplan")
	if n := len(f.removals()); n != 2 || f.hasApp("d-5", "legacy-agent") {
		t.Fatalf("after the replacement: %d removals (want 2), d-5 still has the app: %t", n, f.hasApp("d-5", "legacy-agent"))
	}

	if err := f.server.Emulator.MoveDevice(testAccToken, "d-1", "Demo", "TestGroup2"); err != nil {
		t.Fatal(err)
	}
	out = w.mustRun("plan", "-input=false", "-no-color", "-out=left.tfplan")
	if !contains(out, `- "d-1"`) || strings.Contains(out, "forces replacement") {
		t.Errorf("the plan after d-1 left does not drop it in place:\n%s", out)
	}
	if got := w.plannedChanges("left.tfplan")["upswift_app_removal.test"].Change.Actions; !slices.Equal(got, []string{"update"}) {
		t.Errorf("the removal's planned actions are %v, want [update]", got)
	}
	w.mustRun("apply", "-input=false", "-no-color", "left.tfplan")
	if n := len(f.removals()); n != 2 {
		t.Errorf("%d removals after devices only left, want still 2", n)
	}
	if code, out := w.planExitCode(); code != 0 {
		t.Fatalf("the fleet unchanged again, the plan has changes:\n%s", out)
	}
}

// TestAccScope_appFilterComparesTheSuperset: with an app filter, which the
// reads cannot evaluate, the reviewed set and the check are the superset
// of devices that match the other filters, and the warnings say so; the
// removal itself touches only the devices with the app.
func TestAccScope_appFilterComparesTheSuperset(t *testing.T) {
	f := newFixture(t)
	filter := `{ project = { name = "Demo" }, groups = [{ name = "TestGroup2" }], filters = [{ type = "app", operand = "is", value = "legacy-agent" }] }`
	w := newWorkDir(t, anyCLI(t), f.boundConfig("legacy-agent", filter, ""))
	out := w.mustRun("apply", "-input=false", "-no-color", "-auto-approve")
	for _, want := range []string{"App Filter Not Evaluated", "The scope checked against expected_device_uuids and max_devices holds the devices that match the other filters"} {
		if !contains(out, want) {
			t.Errorf("the apply does not warn %q:\n%s", want, out)
		}
	}
	if got := jsonStrings(w.stateAttributes("upswift_app_removal.test")["applied_device_uuids"]); !slices.Equal(got, []string{"d-4", "d-4ec7-1be9"}) {
		t.Errorf("applied_device_uuids = %v, want the superset [d-4 d-4ec7-1be9]", got)
	}
	if f.hasApp("d-4ec7-1be9", "legacy-agent") || !f.hasApp("d-4", "metrics") {
		t.Error("the removal did not take legacy-agent from d-4ec7-1be9 alone")
	}
}

// TestAccScope_filterFromTheDataSource: the docs' example, whose removal
// takes the data source's own device_filter (groups only: its filters are
// null), applies and then plans no change.
func TestAccScope_filterFromTheDataSource(t *testing.T) {
	f := newFixture(t)
	config := requiredUpswift + f.providerConfig() + devicesBlock("legacy_agent", `{ project = { name = "Demo" }, groups = [{ name = "TestGroup1" }] }`) + `
resource "upswift_app_removal" "legacy_agent" {
  app_name              = "legacy-agent"
  device_filter         = data.upswift_devices.legacy_agent.device_filter
  expected_device_uuids = data.upswift_devices.legacy_agent.device_uuids
  max_devices           = 20
}
`
	w := newWorkDir(t, anyCLI(t), config)
	w.mustRun("apply", "-input=false", "-no-color", "-auto-approve")
	if f.hasApp("d-1", "legacy-agent") || f.hasApp("d-2", "legacy-agent") || len(f.removals()) != 1 {
		t.Fatal("the removal did not take legacy-agent from d-1 and d-2 in one call")
	}
	if code, out := w.planExitCode(); code != 0 {
		t.Fatalf("the example plans changes after its apply:\n%s", out)
	}
}

// TestAccScope_failedListingRefuses: a listing that fails right before the
// removal, after its retries, refuses the removal and says why; nothing
// is sent and the state holds no removal.
func TestAccScope_failedListingRefuses(t *testing.T) {
	f := newFixture(t)
	w := newWorkDir(t, anyCLI(t), f.boundConfig("legacy-agent", group1Filter, ""))
	w.mustRun("plan", "-input=false", "-no-color", "-out=review.tfplan")
	f.server.Emulator.FailNext(100, 503, true)
	out := w.mustFail("apply", "-input=false", "-no-color", "review.tfplan")
	for _, want := range []string{"Unable to Check the Removal's Scope", `Listing the devices of project "Demo" in groups "TestGroup1" failed`,
		"503", "Nothing was sent and nothing was saved to state"} {
		if !contains(out, want) {
			t.Errorf("the refused apply does not say %q:\n%s", want, out)
		}
	}
	if n := len(f.removals()); n != 0 || w.stateAttributes("upswift_app_removal.test") != nil {
		t.Errorf("%d removals sent or the removal saved after a failed listing", n)
	}
}
