package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/upswift/terraform-provider-upswift/internal/emulator"
	"github.com/upswift/terraform-provider-upswift/internal/emulator/emulatortest"
)

// guideScopeConfig is the configuration of the CI guide's section on the
// scope: a removal bound to the devices its upswift_devices lists, with a
// max_devices of most.
func guideScopeConfig(most int) string {
	return fmt.Sprintf(`
terraform {
  required_providers {
    upswift = {
      source = "upswift/upswift"
    }
  }
}

locals {
  legacy_agent_filter = {
    project = { name = "Demo" }
    groups  = [{ name = "TestGroup1" }, { name = "TestGroup2" }]
    filters = [{ type = "device_state", operand = "is", value = "online" }]
  }
}

data "upswift_devices" "legacy_agent_scope" {
  device_filter = local.legacy_agent_filter
}

resource "upswift_app_removal" "legacy_agent" {
  app_name              = "legacy-agent"
  device_filter         = local.legacy_agent_filter
  expected_device_uuids = data.upswift_devices.legacy_agent_scope.device_uuids
  max_devices           = %d
}
`, most)
}

// guidePlan is what the guide reads from `show -json` of a saved plan:
// the devices upswift_devices listed (prior_state) and the removal's
// expected_device_uuids (resource_changes).
type guidePlan struct {
	PriorState struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Address, Mode, Type string
					Values              struct {
						DeviceUUIDs []string `json:"device_uuids"`
					}
				}
			} `json:"root_module"`
		}
	} `json:"prior_state"`
	ResourceChanges []struct {
		Address string
		Change  struct {
			Actions []string
			After   struct {
				Expected []string `json:"expected_device_uuids"`
			}
		}
	} `json:"resource_changes"`
}

// TestCIGuide_scopeReview checks what the CI pipelines guide says about
// reviewing a removal's devices and binding the apply to them, with the
// provider as its own process, as in a pipeline:
//   - `show -json` of the saved plan holds the devices upswift_devices
//     listed, under prior_state, and the removal's expected_device_uuids
//     under resource_changes, where the guide's jq expressions find them;
//   - a device that joins the scope before the saved plan is applied makes
//     the apply fail, naming it, with nothing sent;
//   - max_devices fails `terraform plan` when the scope is larger, and
//     nothing but the reads is sent.
func TestCIGuide_scopeReview(t *testing.T) {
	t.Parallel()
	cli := cliAtLeast(t, tfversion.Version1_0_0)
	providerDir := buildProvider(t)
	server := emulatortest.Start(t, emulator.DemoFleet())
	work := t.TempDir()
	env := processEnv(t, work, providerDir, "UPSWIFT_ENDPOINT="+server.URL, "UPSWIFT_USER_TOKEN="+emulator.DemoToken)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	run := func(args ...string) ([]byte, error) {
		cmd := exec.CommandContext(ctx, cli, args...)
		cmd.Dir = work
		cmd.Env = env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		return append(out, stderr.Bytes()...), err
	}

	// The scope fits: the saved plan holds it, twice.
	writeFile(t, filepath.Join(work, "main.tf"), guideScopeConfig(20))
	if out, err := run("plan", "-out=tfplan", "-input=false", "-no-color"); err != nil {
		t.Fatalf("plan: %v\n%s", err, out)
	}
	show, err := run("show", "-json", "tfplan")
	if err != nil {
		t.Fatalf("show: %v\n%s", err, show)
	}
	var plan guidePlan
	if err := json.Unmarshal(show, &plan); err != nil {
		t.Fatalf("show -json: %v", err)
	}
	var listed, expected []string
	for _, r := range plan.PriorState.Values.RootModule.Resources {
		if r.Mode == "data" && r.Type == "upswift_devices" && r.Address == "data.upswift_devices.legacy_agent_scope" {
			listed = r.Values.DeviceUUIDs
		}
	}
	for _, c := range plan.ResourceChanges {
		if c.Address == "upswift_app_removal.legacy_agent" && slices.Contains(c.Change.Actions, "create") {
			expected = slices.Sorted(slices.Values(c.Change.After.Expected))
		}
	}
	// The online devices of TestGroup1 and TestGroup2 of the demo fleet.
	want := []string{"d-4ec7-1be9", "d-5b8e-02f4", "d-7f21-9ad6", "d-a3c5-6e18", "d-c0d9-3b72"}
	if !slices.Equal(listed, want) || !slices.Equal(expected, want) {
		t.Errorf("the saved plan lists %v under prior_state and %v as expected_device_uuids, want %v", listed, expected, want)
	}
	if text := planFileText(t, filepath.Join(work, "tfplan")); strings.Contains(text, emulator.DemoToken) {
		t.Error("the saved plan holds the user token")
	}

	// A device joins the scope before the apply: the apply fails, naming
	// it, and nothing is sent.
	if err := server.Emulator.MoveDevice(emulator.DemoToken, "d-8b3f-c6e2", "Demo", "TestGroup1"); err != nil {
		t.Fatal(err)
	}
	out, err := run("apply", "-input=false", "-no-color", "tfplan")
	if err == nil {
		t.Fatalf("the saved plan was applied although a device joined the scope:\n%s", out)
	}
	for _, w := range []string{"Devices Joined the Removal's Scope", `d-8b3f-c6e2 ("lab-02")`, "Plan again"} {
		if !contains(string(out), w) {
			t.Errorf("the refused apply does not say %q:\n%s", w, out)
		}
	}

	// The scope is larger than allowed: the plan fails, nothing is sent
	// but reads, and no plan file is written.
	writeFile(t, filepath.Join(work, "main.tf"), guideScopeConfig(4))
	out, err = run("plan", "-out=refused.tfplan", "-input=false", "-no-color")
	if err == nil {
		t.Fatalf("a plan over max_devices succeeded:\n%s", out)
	}
	for _, w := range []string{"Removal Scope Larger Than max_devices", "device_filter selects 6 devices, more than max_devices = 4"} {
		if !contains(string(out), w) {
			t.Errorf("the failed plan does not say %q:\n%s", w, out)
		}
	}
	// Terraform may save an errored plan for inspection; it is not
	// applyable.
	if _, err := os.Stat(filepath.Join(work, "refused.tfplan")); err == nil {
		if out, err := run("apply", "-input=false", "-no-color", "refused.tfplan"); err == nil {
			t.Errorf("the refused plan was applied:\n%s", out)
		}
	}
	for _, r := range server.Emulator.Requests() {
		if r.Method != "GET" {
			t.Errorf("the emulator received %s %s: only reads were to be sent", r.Method, r.Path)
		}
	}
}
