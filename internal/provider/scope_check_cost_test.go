package provider

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/upswift/terraform-provider-upswift/internal/emulator"
)

// What the scope checks cost and what they leave alone: max_devices at the
// plan and at the apply, the listings they share, a removal that asks for
// no check, and a state written before the checks existed.

// TestAccScope_maxDevices: max_devices fails the plan when the scope is
// larger, with nothing sent but the reads; a saved plan within the bound
// is refused at apply when a device joined; a plan with nothing to run
// lists nothing.
func TestAccScope_maxDevices(t *testing.T) {
	cli := anyCLI(t)
	t.Run("plan", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		w := newWorkDir(t, cli, f.unboundConfig("legacy-agent", group1Filter, "max_devices = 1"))
		out := w.mustFail("plan", "-input=false", "-no-color")
		for _, want := range []string{"Removal Scope Larger Than max_devices", "device_filter selects 2 devices, more than " +
			`max_devices = 1: d-1 ("device d-1"), d-2 ("device d-2")`, "Nothing was sent and nothing was saved to state"} {
			if !contains(out, want) {
				t.Errorf("the plan does not say %q:\n%s", want, out)
			}
		}
		if details, states := f.reads(); details != 1 || states != 1 || len(f.removals()) != 0 {
			t.Errorf("the plan sent %d details and %d states pages and %d removals, want one listing and no removal",
				details, states, len(f.removals()))
		}
	})
	t.Run("apply", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		w := newWorkDir(t, cli, f.unboundConfig("legacy-agent", group1Filter, "max_devices = 2"))
		w.mustRun("plan", "-input=false", "-no-color", "-out=review.tfplan")
		if err := f.server.Emulator.AddDevice(testAccToken, "Demo", "TestGroup1", emulator.Device{ID: "d-new", Name: "lab-new", State: "online"}); err != nil {
			t.Fatal(err)
		}
		out := w.mustFail("apply", "-input=false", "-no-color", "review.tfplan")
		for _, want := range []string{"device_filter selects 3 devices, more than max_devices = 2", "Nothing was sent and nothing was saved to state"} {
			if !contains(out, want) {
				t.Errorf("the apply does not say %q:\n%s", want, out)
			}
		}
		if len(f.removals()) != 0 || w.stateAttributes("upswift_app_removal.test") != nil {
			t.Error("the refused removal was sent or saved")
		}
		// Within the bound again: the removal runs, and a later plan, with
		// nothing to run, lists nothing.
		if err := f.server.Emulator.MoveDevice(testAccToken, "d-new", "Demo", "TestGroup2"); err != nil {
			t.Fatal(err)
		}
		w.mustRun("apply", "-input=false", "-no-color", "-auto-approve")
		details, _ := f.reads()
		if code, out := w.planExitCode(); code != 0 {
			t.Fatalf("the plan after the apply has changes:\n%s", out)
		}
		if after, _ := f.reads(); after != details {
			t.Errorf("a plan with nothing to run listed the scope (%d details pages, %d before)", after, details)
		}
	})
}

// TestAccScope_unknownMaxDefersTheCheck: a max_devices known only at apply
// lists nothing during the plan; the apply checks it.
func TestAccScope_unknownMaxDefersTheCheck(t *testing.T) {
	f := newFixture(t)
	config := f.unboundConfig("legacy-agent", group1Filter, "max_devices = terraform_data.bound.output") + `
resource "terraform_data" "bound" {
  input = 1
}
`
	w := newWorkDir(t, cliAtLeast(t, tfversion.Version1_4_0), config)
	w.mustRun("plan", "-input=false", "-no-color", "-out=review.tfplan")
	if details, states := f.reads(); details+states != 0 {
		t.Fatalf("the plan listed the scope (%d, %d pages) for a bound it did not know", details, states)
	}
	out := w.mustFail("apply", "-input=false", "-no-color", "review.tfplan")
	if !contains(out, "device_filter selects 2 devices, more than max_devices = 1") || len(f.removals()) != 0 {
		t.Errorf("the apply did not refuse the removal over its bound:\n%s", out)
	}
}

// TestAccScope_oneListingPerRun: 200 removals over one group, each with
// both checks, cost one listing of each read in the plan and one in the
// apply of the saved plan, not one per removal.
func TestAccScope_oneListingPerRun(t *testing.T) {
	f := newFixture(t)
	config := f.boundConfig("legacy-agent", group1Filter, "max_devices = 5\n  count = 200")
	w := newWorkDir(t, anyCLI(t), config)
	w.mustRun("plan", "-input=false", "-no-color", "-out=review.tfplan")
	if details, states := f.reads(); details != 1 || states != 1 {
		t.Errorf("the plan of 200 checked removals sent %d details and %d states pages, want 1 and 1", details, states)
	}
	w.mustRun("apply", "-input=false", "-no-color", "-parallelism=20", "review.tfplan")
	if details, states := f.reads(); details != 2 || states != 2 {
		t.Errorf("plan and apply of 200 checked removals sent %d details and %d states pages, want 2 and 2", details, states)
	}
	if n := len(f.removals()); n != 200 {
		t.Errorf("%d removals, want 200", n)
	}
}

// TestAccScope_stateOfTheReleaseBefore: a removal applied without checks
// lists nothing (one removal call, no read), and a state in the shape the
// release before the checks wrote (no expected_device_uuids, max_devices
// or applied_device_uuids) plans no change.
func TestAccScope_stateOfTheReleaseBefore(t *testing.T) {
	f := newFixture(t)
	w := newWorkDir(t, anyCLI(t), f.unboundConfig("legacy-agent", group1Filter, ""))
	w.mustRun("apply", "-input=false", "-no-color", "-auto-approve")
	if details, states := f.reads(); details+states != 0 || len(f.removals()) != 1 {
		t.Fatalf("a removal without checks sent %d reads and %d removals, want no read and one removal", details+states, len(f.removals()))
	}
	path := filepath.Join(w.dir, "terraform.tfstate")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var state map[string]any
	if err := json.Unmarshal(data, &state); err != nil {
		t.Fatal(err)
	}
	attrs := state["resources"].([]any)[0].(map[string]any)["instances"].([]any)[0].(map[string]any)["attributes"].(map[string]any)
	for _, name := range []string{"expected_device_uuids", "max_devices", "applied_device_uuids"} {
		if _, ok := attrs[name]; !ok {
			t.Fatalf("the state has no %s to take out: %v", name, attrs)
		}
		delete(attrs, name)
	}
	if got := slices.Sorted(maps.Keys(attrs)); !slices.Equal(got, []string{"app_name", "device_filter", "id", "timeouts", "triggers"}) {
		t.Fatalf("the rewritten state has %v", got)
	}
	data, err = json.Marshal(state)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out := w.planExitCode(); code != 0 {
		t.Fatalf("a state of the release before plans changes:\n%s", out)
	}
	if details, states := f.reads(); details+states != 0 || len(f.removals()) != 1 {
		t.Errorf("the plan sent %d reads and the emulator has %d removals, want none and 1", details+states, len(f.removals()))
	}
}

// TestAccScope_unknownReviewedSetWarns: a reviewed set known only at apply
// (its data source waits for a value of another resource) gets a plan
// warning that the plan does not show it; the apply checks the set it
// gets then.
func TestAccScope_unknownReviewedSetWarns(t *testing.T) {
	f := newFixture(t)
	config := f.unboundConfig("legacy-agent", group1Filter, "expected_device_uuids = data.upswift_devices.later.device_uuids") +
		devicesBlock("later", `{ project = { name = terraform_data.project.output }, groups = [{ name = "TestGroup1" }] }`) + `
resource "terraform_data" "project" {
  input = "Demo"
}
`
	w := newWorkDir(t, cliAtLeast(t, tfversion.Version1_4_0), config)
	out := w.mustRun("plan", "-input=false", "-no-color", "-out=review.tfplan")
	if !contains(out, "Reviewed Scope Known Only at Apply") {
		t.Errorf("the plan does not warn that the reviewed set is unknown:\n%s", out)
	}
	w.mustRun("apply", "-input=false", "-no-color", "review.tfplan")
	if got := jsonStrings(w.stateAttributes("upswift_app_removal.test")["applied_device_uuids"]); !slices.Equal(got, []string{"d-1", "d-2"}) {
		t.Errorf("applied_device_uuids = %v, want [d-1 d-2]", got)
	}
}
