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
// scope: a removal, the upswift_devices with its device_filter, and a
// precondition that refuses more than most devices.
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
  app_name      = "legacy-agent"
  device_filter = local.legacy_agent_filter

  lifecycle {
    precondition {
      condition     = length(data.upswift_devices.legacy_agent_scope.device_uuids) <= %d
      error_message = "The removal of legacy-agent would apply to more than %d devices."
    }
  }
}
`, most, most)
}

// TestCIGuide_scopeReview checks what the CI pipelines guide says about
// reviewing a removal's devices, with the provider as its own process, as
// in a pipeline:
//   - `show -json` of the saved plan holds the devices upswift_devices
//     listed, under prior_state with the data source's address, where the
//     guide's jq expression finds them;
//   - a precondition that bounds the scope fails `terraform plan`, whose
//     plan cannot be applied, and nothing but the reads is sent.
//
// Preconditions need Terraform 1.2: under older CLIs the test skips, saying
// so.
func TestCIGuide_scopeReview(t *testing.T) {
	t.Parallel()
	cli := cliAtLeast(t, tfversion.Version1_2_0)
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

	// The scope fits: the saved plan holds it.
	writeFile(t, filepath.Join(work, "main.tf"), guideScopeConfig(20))
	if out, err := run("plan", "-out=tfplan", "-input=false", "-no-color"); err != nil {
		t.Fatalf("plan: %v\n%s", err, out)
	}
	show, err := run("show", "-json", "tfplan")
	if err != nil {
		t.Fatalf("show: %v\n%s", err, show)
	}
	var plan struct {
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
	}
	if err := json.Unmarshal(show, &plan); err != nil {
		t.Fatalf("show -json: %v", err)
	}
	var listed []string
	for _, r := range plan.PriorState.Values.RootModule.Resources {
		if r.Mode == "data" && r.Type == "upswift_devices" && r.Address == "data.upswift_devices.legacy_agent_scope" {
			listed = r.Values.DeviceUUIDs
		}
	}
	// The online devices of TestGroup1 and TestGroup2 of the demo fleet.
	want := []string{"d-4ec7-1be9", "d-5b8e-02f4", "d-7f21-9ad6", "d-a3c5-6e18", "d-c0d9-3b72"}
	if !slices.Equal(listed, want) {
		t.Errorf("prior_state lists %v for data.upswift_devices.legacy_agent_scope, want %v", listed, want)
	}
	if text := planFileText(t, filepath.Join(work, "tfplan")); strings.Contains(text, emulator.DemoToken) {
		t.Error("the saved plan holds the user token")
	}

	// The scope is larger than allowed: the plan fails, nothing is sent
	// but reads, and no plan file is written.
	writeFile(t, filepath.Join(work, "main.tf"), guideScopeConfig(4))
	out, err := run("plan", "-out=refused.tfplan", "-input=false", "-no-color")
	if err == nil {
		t.Fatalf("a plan whose precondition fails succeeded:\n%s", out)
	}
	for _, w := range []string{"Resource precondition failed", "would apply to more than 4 devices"} {
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
