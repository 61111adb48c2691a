package provider

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

const testAccAddr = "upswift_app_removal.test"

const issueExample = `
  app_name = "legacy-agent"
  device_filter = {
    project = { name = "Demo" }
    groups  = [{ name = "TestGroup1" }, { name = "TestGroup2" }]
    filters = [
      { type = "specific_device", operand = "is", value = "d-4ec7-1be9" },
      { type = "device_state", operand = "is", value = "online" },
    ]
  }`

func TestAccAppRemoval_basic(t *testing.T) {
	f := newFixture(t)
	parallelUnitTest(t, resource.TestCase{
		CheckDestroy: resource.ComposeAggregateTestCheckFunc(
			f.expectCalls(1), // destroy sends nothing
			f.expectLost("legacy-agent", "d-4ec7-1be9"),
		),
		Steps: []resource.TestStep{
			{
				Config: f.config(issueExample),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccAddr, plancheck.ResourceActionCreate),
					plancheck.ExpectUnknownValue(testAccAddr, tfjsonpath.New("id")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccAddr, tfjsonpath.New("app_name"), knownvalue.StringExact("legacy-agent")),
					statecheck.ExpectKnownValue(testAccAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{16}$`))),
					statecheck.ExpectKnownValue(testAccAddr, tfjsonpath.New("device_filter").AtMapKey("filters"), knownvalue.ListSizeExact(2)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					f.expectCalls(1),
					f.expectBody(0, `{"user_token": "<redacted>", "app_name": "legacy-agent", "device_filter": {
						"project": {"name": "Demo"},
						"groups": [{"name": "TestGroup1"}, {"name": "TestGroup2"}],
						"filters": [{"type": "specific_device", "operand": "is", "value": "d-4ec7-1be9"},
						            {"type": "device_state", "operand": "is", "value": "online"}]}}`),
					f.expectLost("legacy-agent", "d-4ec7-1be9"),
					f.expectHeaders(),
					f.expectStateHasNoToken(),
				),
			},
			// A second plan is empty and makes no call.
			f.unchangedStep(f.config(issueExample), 1),
		},
	})
}

func TestAccAppRemoval_minimalSendsEmptyLists(t *testing.T) {
	f := newFixture(t)
	parallelUnitTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: f.config(`
  app_name      = "legacy-agent"
  device_filter = { project = { name = "Demo" } }`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccAddr, tfjsonpath.New("device_filter").AtMapKey("groups"), knownvalue.ListExact([]knownvalue.Check{})),
				statecheck.ExpectKnownValue(testAccAddr, tfjsonpath.New("device_filter").AtMapKey("filters"), knownvalue.ListExact([]knownvalue.Check{})),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				f.expectCalls(1),
				f.expectBody(0, `{"user_token": "<redacted>", "app_name": "legacy-agent",
					"device_filter": {"project": {"name": "Demo"}, "groups": [], "filters": []}}`),
				f.expectRawBodyHas(0, `"groups":[]`, `"filters":[]`),
				f.expectLost("legacy-agent", "d-1", "d-2", "d-4ec7-1be9", "d-5"),
			),
		}},
	})
}

// TestAccAppRemoval_filters exercises every filter type and operand end to
// end: exactly the matching devices lose the app, no other device changes.
func TestAccAppRemoval_filters(t *testing.T) {
	tests := []struct {
		name    string
		app     string
		groups  string
		filters string
		want    []string
	}{
		{"specific_device is", "legacy-agent", "", `{ type = "specific_device", operand = "is", value = "d-2" }`, []string{"d-2"}},
		{"specific_device is_not", "legacy-agent", "", `{ type = "specific_device", operand = "is_not", value = "d-2" }`, []string{"d-1", "d-4ec7-1be9", "d-5"}},
		{"tag is", "legacy-agent", "", `{ type = "tag", operand = "is", value = "edge" }`, []string{"d-1", "d-2"}},
		{"tag is_not", "legacy-agent", "", `{ type = "tag", operand = "is_not", value = "edge" }`, []string{"d-4ec7-1be9", "d-5"}},
		{"app is", "legacy-agent", "", `{ type = "app", operand = "is", value = "metrics" }`, []string{"d-1"}},
		{"app is_not", "metrics", "", `{ type = "app", operand = "is_not", value = "legacy-agent" }`, []string{"d-4"}},
		{"device_state is online", "legacy-agent", "", `{ type = "device_state", operand = "is", value = "online" }`, []string{"d-1", "d-4ec7-1be9"}},
		{"device_state is offline", "legacy-agent", "", `{ type = "device_state", operand = "is", value = "offline" }`, []string{"d-2", "d-5"}},
		{"update_status is", "legacy-agent", "", `{ type = "update_status", operand = "is", value = "failed" }`, []string{"d-2"}},
		{"update_status is_not", "legacy-agent", "", `{ type = "update_status", operand = "is_not", value = "success" }`, []string{"d-2", "d-4ec7-1be9", "d-5"}},
		{"groups union", "legacy-agent", `{ name = "TestGroup1" }, { name = "TestGroup3" }`, "", []string{"d-1", "d-2", "d-5"}},
		{"groups and filters AND", "legacy-agent", `{ name = "TestGroup1" }, { name = "TestGroup2" }`,
			`{ type = "tag", operand = "is", value = "beta" }, { type = "device_state", operand = "is", value = "offline" }`, []string{"d-2"}},
		{"nothing matches", "camera-driver", `{ name = "TestGroup1" }`, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			body := fmt.Sprintf(`
  app_name = %q
  device_filter = {
    project = { name = "Demo" }
    groups  = [%s]
    filters = [%s]
  }`, tt.app, tt.groups, tt.filters)
			parallelUnitTest(t, resource.TestCase{
				Steps: []resource.TestStep{{
					Config: f.config(body),
					Check:  resource.ComposeAggregateTestCheckFunc(f.expectCalls(1), f.expectLost(tt.app, tt.want...)),
				}},
			})
		})
	}
}

// TestAccRemoval_replace, for both removal resources: changing the name
// of what is removed or triggers replaces the resource (a new id) and sends
// the removal again; changing timeouts updates in place without a call; an
// unchanged config sends nothing. triggers is kept in state.
func TestAccRemoval_replace(t *testing.T) {
	tests := []struct {
		kind         removalKind
		fixture      func(*testing.T) *fixture
		first, other string
		wantLost     map[string][]string
	}{
		{appRemoval, newFixture, "legacy-agent", "metrics", map[string][]string{"d-1": {"legacy-agent", "metrics"}, "d-2": {"legacy-agent"}}},
		{tagRemoval, newTagFixture, "edge", "beta", map[string][]string{"d-1": {"edge"}, "d-2": {"beta", "edge"}}},
	}
	for _, tt := range tests {
		t.Run(tt.kind.noun, func(t *testing.T) {
			f := tt.fixture(t)
			addr := "upswift_" + tt.kind.typeName + ".test"
			body := func(name, trigger string) string {
				return fmt.Sprintf(`
  %s = %q
  device_filter = { project = { name = "Demo" }, groups = [{ name = "TestGroup1" }] }
  triggers      = { image = %q }`, tt.kind.nameAttr, name, trigger)
			}
			timeouts := "\n  timeouts = { create = \"5m\" }"
			ids := statecheck.CompareValue(compare.ValuesDiffer())
			sameID := statecheck.CompareValue(compare.ValuesSame())
			triggers := func(v string) statecheck.StateCheck {
				return statecheck.ExpectKnownValue(addr, tfjsonpath.New("triggers"),
					knownvalue.MapExact(map[string]knownvalue.Check{"image": knownvalue.StringExact(v)}))
			}
			replaced := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
			}}
			parallelUnitTest(t, resource.TestCase{
				CheckDestroy: f.expectCalls(3),
				Steps: []resource.TestStep{
					{
						Config:            f.config(body(tt.first, "v1")),
						ConfigStateChecks: []statecheck.StateCheck{ids.AddStateValue(addr, tfjsonpath.New("id")), triggers("v1")},
						Check:             f.expectCalls(1),
					},
					{
						Config:            f.config(body(tt.other, "v1")),
						ConfigPlanChecks:  replaced,
						ConfigStateChecks: []statecheck.StateCheck{ids.AddStateValue(addr, tfjsonpath.New("id"))},
						Check:             resource.ComposeAggregateTestCheckFunc(f.expectCalls(2), f.expectBodyField(1, tt.kind.nameAttr, tt.other)),
					},
					{
						Config:            f.config(body(tt.other, "v2")),
						ConfigPlanChecks:  replaced,
						ConfigStateChecks: []statecheck.StateCheck{ids.AddStateValue(addr, tfjsonpath.New("id")), sameID.AddStateValue(addr, tfjsonpath.New("id")), triggers("v2")},
						Check:             f.expectCalls(3),
					},
					{
						// Only timeouts changed: an update in place, no API call.
						Config: f.config(body(tt.other, "v2") + timeouts),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						}},
						ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(addr, tfjsonpath.New("id")), triggers("v2")},
						Check:             f.expectCalls(3),
					},
					{
						Config: f.config(body(tt.other, "v2") + timeouts),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectEmptyPlan(),
						}},
						Check: resource.ComposeAggregateTestCheckFunc(f.expectCalls(3), func(*terraform.State) error {
							got, err := f.lost()
							if err != nil {
								return err
							}
							if !maps.EqualFunc(got, tt.wantLost, slices.Equal) {
								return fmt.Errorf("lost %v, want %v", got, tt.wantLost)
							}
							return nil
						}),
					},
				},
			})
		})
	}
}

// TestAccAppRemoval_unknownFilterValues: a filter value from another
// resource is unknown at plan and is checked once known: a valid one
// applies, an invalid one fails before anything is sent. The value comes
// from terraform_data, which Terraform has had since 1.4.
func TestAccAppRemoval_unknownFilterValues(t *testing.T) {
	needsTerraformData := []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_4_0)}
	config := func(f *fixture, state string) string {
		return f.providerConfig() + fmt.Sprintf(`
resource "terraform_data" "state" {
  input = %q
}
resource "upswift_app_removal" "test" {
  app_name = "legacy-agent"
  device_filter = {
    project = { name = "Demo" }
    filters = [{ type = "device_state", operand = "is", value = terraform_data.state.output }]
  }
}`, state)
	}
	t.Run("valid", func(t *testing.T) {
		f := newFixture(t)
		parallelUnitTest(t, resource.TestCase{
			TerraformVersionChecks: needsTerraformData,
			Steps: []resource.TestStep{{
				Config: config(f, "offline"),
				Check:  resource.ComposeAggregateTestCheckFunc(f.expectCalls(1), f.expectLost("legacy-agent", "d-2", "d-5")),
			}},
		})
	})
	t.Run("invalid", func(t *testing.T) {
		f := newFixture(t)
		parallelUnitTest(t, resource.TestCase{
			TerraformVersionChecks: needsTerraformData,
			Steps: []resource.TestStep{{
				Config:      config(f, "asleep"),
				ExpectError: regexp.MustCompile(`(?s)filters\[0\]\.value.*"asleep".*"online",\s+"offline"`),
			}},
		})
		if n := len(f.removals()); n != 0 {
			t.Errorf("emulator received %d removal calls for an invalid filter", n)
		}
	})
}

// TestAccAppRemoval_tokenFromEnvironment: user_token and endpoint fall back
// to UPSWIFT_USER_TOKEN and UPSWIFT_ENDPOINT.
func TestAccAppRemoval_tokenFromEnvironment(t *testing.T) {
	f := newFixture(t)
	t.Setenv(envUserToken, testAccToken)
	t.Setenv(envEndpoint, f.server.URL)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
provider "upswift" {}
resource "upswift_app_removal" "test" {
  app_name      = "camera-driver"
  device_filter = { project = { name = "Demo" } }
}`,
			Check: resource.ComposeAggregateTestCheckFunc(f.expectCalls(1), f.expectLost("camera-driver", "d-4ec7-1be9")),
		}},
	})
}
