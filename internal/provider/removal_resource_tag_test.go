package provider

import (
	"fmt"
	"regexp"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

const testAccTagAddr = "upswift_tag_removal.test"

// TestAccTagRemoval_basic: create sends one DELETE /v1/device_tags with
// tag_name and the device filter, the tag leaves exactly the selected
// devices, a second plan is empty, destroy sends nothing.
func TestAccTagRemoval_basic(t *testing.T) {
	f := newTagFixture(t)
	body := `
  tag_name = "edge"
  device_filter = {
    project = { name = "Demo" }
    groups  = [{ name = "TestGroup1" }]
    filters = [{ type = "device_state", operand = "is", value = "online" }]
  }`
	parallelUnitTest(t, resource.TestCase{
		CheckDestroy: resource.ComposeAggregateTestCheckFunc(f.expectCalls(1), f.expectLost("edge", "d-1")),
		Steps: []resource.TestStep{
			{
				Config: f.config(body),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccTagAddr, plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccTagAddr, tfjsonpath.New("tag_name"), knownvalue.StringExact("edge")),
					statecheck.ExpectKnownValue(testAccTagAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{16}$`))),
					statecheck.ExpectKnownValue(testAccTagAddr, tfjsonpath.New("triggers"), knownvalue.Null()),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					f.expectCalls(1),
					f.expectBody(0, `{"user_token": "<redacted>", "tag_name": "edge", "device_filter": {
						"project": {"name": "Demo"}, "groups": [{"name": "TestGroup1"}],
						"filters": [{"type": "device_state", "operand": "is", "value": "online"}]}}`),
					f.expectLost("edge", "d-1"),
					f.expectHeaders(),
					f.expectStateHasNoToken(),
				),
			},
			f.unchangedStep(f.config(body), 1),
		},
	})
}

// TestAccTagRemoval_filters: the device filter selects for tags as for apps.
func TestAccTagRemoval_filters(t *testing.T) {
	tests := []struct {
		name, tag, filterHCL string
		want                 []string
	}{
		{"whole project", "beta", `{ project = { name = "Demo" } }`, []string{"d-2", "d-4ec7-1be9"}},
		{"by another tag", "edge", `{ project = { name = "Demo" }, filters = [{ type = "tag", operand = "is", value = "beta" }] }`, []string{"d-2"}},
		{"by app", "edge", `{ project = { name = "Demo" }, filters = [{ type = "app", operand = "is", value = "metrics" }] }`, []string{"d-1"}},
		{"by update_status is_not", "beta", `{ project = { name = "Demo" }, filters = [{ type = "update_status", operand = "is_not", value = "failed" }] }`, []string{"d-4ec7-1be9"}},
		{"other project", "edge", `{ project = { name = "Other" } }`, []string{"d-6"}},
		{"no selected device has it", "beta", `{ project = { name = "Demo" }, groups = [{ name = "TestGroup3" }] }`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newTagFixture(t)
			parallelUnitTest(t, resource.TestCase{
				Steps: []resource.TestStep{{
					Config: f.config(fmt.Sprintf("  tag_name = %q\n  device_filter = %s", tt.tag, tt.filterHCL)),
					Check:  resource.ComposeAggregateTestCheckFunc(f.expectCalls(1), f.expectLost(tt.tag, tt.want...)),
				}},
			})
		})
	}
}

// TestAccTagRemoval_refusals: an unknown tag is refused by the API with its
// message, nothing is saved and no device changes; an invalid filter or an
// empty tag_name fails at plan and nothing is sent.
func TestAccTagRemoval_refusals(t *testing.T) {
	t.Run("unknown tag", func(t *testing.T) {
		f := newTagFixture(t)
		body := `
  tag_name      = "no-such-tag"
  device_filter = { project = { name = "Demo" } }`
		parallelUnitTest(t, resource.TestCase{
			Steps: []resource.TestStep{
				{Config: f.config(body), ExpectError: regexp.MustCompile(`(?s)Unable to Remove Tag.*400 Bad Request.*tag\s+"no-such-tag"\s+does not exist.*Check the tag name`)},
				{Config: f.config(body), PlanOnly: true, ExpectNonEmptyPlan: true},
			},
		})
		if n := len(f.removals()); n != 1 {
			t.Errorf("emulator received %d removal calls, want 1", n)
		}
		if lost, err := f.lost(); err != nil || len(lost) != 0 {
			t.Errorf("fleet changed after a refused removal: %v %v", lost, err)
		}
	})
	invalid := []struct{ name, body, want string }{
		{"operand not allowed for type", `
  tag_name      = "edge"
  device_filter = { project = { name = "Demo" }, filters = [{ type = "device_state", operand = "is_not", value = "online" }] }`,
			`(?s)Invalid Filter Operand.*filters\[0\]\.operand value "is_not" is not allowed for\s+filter type "device_state"`},
		{"unknown type", `
  tag_name      = "edge"
  device_filter = { project = { name = "Demo" }, filters = [{ type = "serial", operand = "is", value = "x" }] }`,
			`filters\[0\]\.type value must be one of`},
		{"empty tag name", `
  tag_name      = ""
  device_filter = { project = { name = "Demo" } }`, `tag_name string length must be at least 1`},
	}
	for _, tt := range invalid {
		t.Run(tt.name, func(t *testing.T) {
			f := newTagFixture(t)
			parallelUnitTest(t, resource.TestCase{
				Steps: []resource.TestStep{{Config: f.config(tt.body), PlanOnly: true, ExpectError: regexp.MustCompile(tt.want)}},
			})
			if n := len(f.server.Emulator.Requests()); n != 0 {
				t.Errorf("emulator received %d requests for an invalid configuration", n)
			}
		})
	}
}

// TestAccTagRemoval_laterFiltersSeeIt: after a tag removal, an app removal
// filtered on that tag selects only the devices that still carry it.
func TestAccTagRemoval_laterFiltersSeeIt(t *testing.T) {
	f := newTagFixture(t)
	tagRemovalHCL := `
resource "upswift_tag_removal" "beta" {
  tag_name      = "beta"
  device_filter = { project = { name = "Demo" }, groups = [{ name = "TestGroup1" }] }
}
`
	appByTagHCL := `
resource "upswift_app_removal" "beta_devices" {
  app_name      = "legacy-agent"
  device_filter = { project = { name = "Demo" }, filters = [{ type = "tag", operand = "is", value = "beta" }] }
}
`
	devicesWith := func(tag, app string) []string {
		var out []string
		for id, d := range f.server.Emulator.Devices(testAccToken) {
			_, hasApp := d.Apps[app]
			if slices.Contains(d.Tags, tag) || hasApp && tag == "" {
				out = append(out, id)
			}
		}
		slices.Sort(out)
		return out
	}
	parallelUnitTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: f.providerConfig() + tagRemovalHCL,
				Check: func(*terraform.State) error {
					if got := devicesWith("beta", ""); !slices.Equal(got, []string{"d-4ec7-1be9"}) {
						return fmt.Errorf("devices tagged beta after the removal: %v", got)
					}
					return nil
				},
			},
			{
				Config: f.providerConfig() + tagRemovalHCL + appByTagHCL,
				Check: func(*terraform.State) error {
					// d-2 had beta and legacy-agent; having lost beta, it keeps the app.
					if got := devicesWith("", "legacy-agent"); !slices.Equal(got, []string{"d-1", "d-2", "d-5", "d-6"}) {
						return fmt.Errorf("devices with legacy-agent: %v, want all but d-4ec7-1be9", got)
					}
					return nil
				},
			},
		},
	})
}
