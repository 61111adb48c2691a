package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/upswift/terraform-provider-upswift/internal/emulator"
)

// When upswift_devices is read, and what a plan can do with it: refuse a
// removal whose scope is larger than expected.

// planCheckFunc is a plan check from a function.
type planCheckFunc func() error

func (f planCheckFunc) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = f()
}

// guardConfig reads the scope of a removal of legacy-agent from the online
// devices of TestGroup1 and TestGroup2 (d-1, d-4 and d-4ec7-1be9) and
// refuses the removal when the scope holds more than most devices.
func (f *fixture) guardConfig(most int) string {
	const filter = `{
    project = { name = "Demo" }
    groups  = [{ name = "TestGroup1" }, { name = "TestGroup2" }]
    filters = [{ type = "device_state", operand = "is", value = "online" }]
  }`
	return f.providerConfig() + devicesBlock("scope", filter) + fmt.Sprintf(`
resource "upswift_app_removal" "guarded" {
  app_name      = "legacy-agent"
  device_filter = %[1]s

  lifecycle {
    precondition {
      condition     = length(data.upswift_devices.scope.device_uuids) <= %[2]d
      error_message = "The removal would touch ${length(data.upswift_devices.scope.device_uuids)} devices, more than %[2]d: ${join(", ", data.upswift_devices.scope.device_uuids)}."
    }
  }
}
`, filter, most)
}

// TestAccDevices_guard: a removal whose precondition bounds the scope that
// upswift_devices reads fails the plan when the scope is larger, with
// nothing but the reads sent, and is applied when it fits, removing the app
// from devices of that scope only. Preconditions need Terraform 1.2.
func TestAccDevices_guard(t *testing.T) {
	f := newFixture(t)
	parallelUnitTest(t, resource.TestCase{
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_2_0)},
		Steps: []resource.TestStep{
			{
				Config:      f.guardConfig(2),
				ExpectError: regexp.MustCompile(`(?s)Resource precondition failed.*The removal would touch 3 devices, more than 2:\s+d-1,\s+d-4,\s+d-4ec7-1be9`),
			},
			{
				// Nothing but reads was sent by the refused plan.
				PreConfig: func() {
					if n := len(f.removals()); n != 0 {
						t.Fatalf("the refused plan sent %d removals", n)
					}
					expectOnlyReads(t, f.server)
					if n := countByPath(f.server.Emulator.Requests())[detailsPath]; n == 0 {
						t.Fatal("the refused plan read nothing: the precondition had no scope to check")
					}
				},
				Config:            f.guardConfig(3),
				ConfigStateChecks: []statecheck.StateCheck{expectUUIDs("scope", "d-1", "d-4", "d-4ec7-1be9")},
				Check:             resource.ComposeAggregateTestCheckFunc(f.expectCalls(1), f.expectLost("legacy-agent", "d-1", "d-4ec7-1be9")),
			},
		},
	})
}

// TestAccDevices_unknownValueDefersTheRead: a filter value that is known
// only once another resource is created defers the read to apply, after
// that resource: the plan reads nothing and shows the data source to be
// read; the apply reads it after the removal it waits for.
func TestAccDevices_unknownValueDefersTheRead(t *testing.T) {
	f := newFixture(t)
	config := f.providerConfig() + `
resource "upswift_tag_removal" "first" {
  tag_name      = "edge"
  device_filter = { project = { name = "Other" } }
}
` + devicesBlock("after", `{
    project = { name = "Demo" }
    filters = [{ type = "tag", operand = "is", value = upswift_tag_removal.first.id != "" ? "edge" : "none" }]
  }`)
	parallelUnitTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("data.upswift_devices.after", plancheck.ResourceActionRead),
				planCheckFunc(func() error {
					if n := len(f.server.Emulator.Requests()); n != 0 {
						return fmt.Errorf("the plan sent %d requests, want none: the read waits for apply", n)
					}
					return nil
				}),
			}},
			ConfigStateChecks: []statecheck.StateCheck{expectUUIDs("after", "d-1", "d-2")},
			Check: func(*terraform.State) error {
				log := f.server.Emulator.Requests()
				i := slices.IndexFunc(log, func(r emulator.Request) bool { return r.Path == detailsPath })
				if len(log) == 0 || log[0].Path != "/v1/device_tags" || i < 1 {
					var paths []string
					for _, r := range log {
						paths = append(paths, r.Path)
					}
					return fmt.Errorf("requests %s: want the removal first, then the reads", strings.Join(paths, " "))
				}
				return nil
			},
		}},
	})
}

// TestAccDevices_validateMakesNoCall: `terraform validate` of a
// configuration with upswift_devices sends nothing; the plan then reads.
func TestAccDevices_validateMakesNoCall(t *testing.T) {
	f := newFixture(t)
	w := newWorkDir(t, terraformCLI(t), f.actionConfig(devicesBlock("scope", `{ project = { name = "Demo" } }`)))
	if out, err := w.run("validate", "-no-color"); err != nil {
		t.Fatalf("validate: %v\n%s", err, out)
	}
	if n := len(f.server.Emulator.Requests()); n != 0 {
		t.Fatalf("validate sent %d requests", n)
	}
	if out, err := w.run("plan", "-input=false", "-no-color"); err != nil {
		t.Fatalf("plan: %v\n%s", err, out)
	}
	if got := countByPath(f.server.Emulator.Requests()); got[detailsPath] != 1 || got[statesPath] != 1 {
		t.Fatalf("the plan sent %v, want one page of each read", got)
	}
}
