package provider

import (
	"fmt"
	"testing"
)

// The scope checks of the actions (Terraform 1.14 and later), invoked with
// `-invoke` and from a resource's action_trigger, with saved plans.

// boundAction declares data.upswift_devices.scope over filter (HCL) and
// action.upswift_<kind>.x of name over the same filter, bound to the data
// source's device_uuids, with extra arguments.
func boundAction(kind removalKind, name, filter, extra string) string {
	return devicesBlock("scope", filter) + fmt.Sprintf(`
action "upswift_%s" "x" {
  config {
    %s = %q
    device_filter         = %s
    expected_device_uuids = data.upswift_devices.scope.device_uuids
    %s
  }
}
`, kind.typeName, kind.nameAttr, name, filter, extra)
}

// TestAccActionScope_invoke: an invocation planned into a file is refused
// at apply when a device joined, with nothing sent; invoked again over the
// reviewed scope, it reports the devices listed right before sending.
func TestAccActionScope_invoke(t *testing.T) {
	cli := actionsCLI(t)
	f := newFixture(t)
	w := newWorkDir(t, cli, f.actionConfig(boundAction(appRemoval, "legacy-agent", group1Filter, "")))
	invoke := "-invoke=action.upswift_app_removal.x"
	w.mustRun("plan", "-input=false", "-no-color", invoke, "-out=invoke.tfplan")
	if err := f.server.Emulator.MoveDevice(testAccToken, "d-5", "Demo", "TestGroup1"); err != nil {
		t.Fatal(err)
	}
	out := w.mustFail("apply", "-input=false", "-no-color", "invoke.tfplan")
	for _, want := range []string{"Devices Joined the Removal's Scope", `1 device joined the scope of this removal since ` +
		`expected_device_uuids was read: d-5 ("device d-5")`, "Nothing was sent."} {
		if !contains(out, want) {
			t.Errorf("the refused invocation does not say %q:\n%s", want, out)
		}
	}
	if n := len(f.removals()); n != 0 {
		t.Fatalf("the emulator received %d removals, want none", n)
	}

	out = w.mustRun("apply", "-input=false", "-no-color", "-auto-approve", invoke)
	for _, want := range []string{"The app removal applied to the 3 devices listed right before it was sent.",
		"Devices of the removal: d-1, d-2, d-5"} {
		if !contains(out, want) {
			t.Errorf("the invocation's progress does not say %q:\n%s", want, out)
		}
	}
	if n := len(f.removals()); n != 1 || f.hasApp("d-5", "legacy-agent") {
		t.Errorf("%d removals, d-5 kept the app: %t; want one removal that reached d-5", n, f.hasApp("d-5", "legacy-agent"))
	}
}

// TestAccActionScope_maxDevicesFailsThePlan: an invocation whose scope is
// larger than max_devices fails its plan, with nothing sent but the reads.
func TestAccActionScope_maxDevicesFailsThePlan(t *testing.T) {
	f := newFixture(t)
	w := newWorkDir(t, actionsCLI(t), f.actionConfig(actionBlockWith(appRemoval, "legacy-agent", group1Filter, "max_devices = 1")))
	out := w.mustFail("plan", "-input=false", "-no-color", "-invoke=action.upswift_app_removal.x")
	if !contains(out, "device_filter selects 2 devices, more than max_devices = 1") {
		t.Errorf("the plan does not refuse the scope:\n%s", out)
	}
	if details, _ := f.reads(); details != 1 || len(f.removals()) != 0 {
		t.Errorf("%d details pages and %d removals, want one listing and no removal", details, len(f.removals()))
	}
}

// TestAccActionScope_trigger: an action_trigger's invocation, planned into
// a file with the resource that triggers it, is refused at apply when a
// device joined the reviewed scope.
func TestAccActionScope_trigger(t *testing.T) {
	f := newFixture(t)
	config := f.actionConfig(boundAction(appRemoval, "legacy-agent", group1Filter, "")) + `
resource "terraform_data" "image" {
  input = "v1"
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.upswift_app_removal.x]
    }
  }
}
`
	w := newWorkDir(t, actionsCLI(t), config)
	w.mustRun("plan", "-input=false", "-no-color", "-out=image.tfplan")
	if err := f.server.Emulator.MoveDevice(testAccToken, "d-5", "Demo", "TestGroup1"); err != nil {
		t.Fatal(err)
	}
	out := w.mustFail("apply", "-input=false", "-no-color", "image.tfplan")
	if !contains(out, `expected_device_uuids was read: d-5 ("device d-5")`) {
		t.Errorf("the triggered invocation was not refused naming d-5:\n%s", out)
	}
	if n := len(f.removals()); n != 0 {
		t.Errorf("the emulator received %d removals, want none", n)
	}
}

// actionBlockWith is actionBlock with extra arguments.
func actionBlockWith(kind removalKind, name, filter, extra string) string {
	return fmt.Sprintf(`
action "upswift_%s" "x" {
  config {
    %s = %q
    device_filter = %s
    %s
  }
}
`, kind.typeName, kind.nameAttr, name, filter, extra)
}
