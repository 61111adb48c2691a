package provider

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
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

// TestAccAppRemoval_invalidConfig: every class of invalid configuration
// fails at plan, and the API receives nothing.
func TestAccAppRemoval_invalidConfig(t *testing.T) {
	filter := func(typ, op, val string) string {
		return fmt.Sprintf(`
  app_name = "legacy-agent"
  device_filter = {
    project = { name = "Demo" }
    filters = [{ type = "tag", operand = "is", value = "edge" }, { type = %q, operand = %q, value = %q }]
  }`, typ, op, val)
	}
	tests := []struct {
		name string
		body string
		want string
	}{
		{"unknown type", filter("serial", "is", "x"), `filters\[1\]\.type value must be one of`},
		{"operand not allowed for type", filter("device_state", "is_not", "online"), `(?s)Invalid Filter Operand.*filters\[1\]\.operand value "is_not" is not allowed for\s+filter type "device_state"`},
		{"unknown operand", filter("tag", "contains", "x"), `filters\[1\]\.operand value must be one of`},
		{"device_state value", filter("device_state", "is", "asleep"), `(?s)Invalid Filter Value.*"online",\s+"offline"`},
		{"update_status value", filter("update_status", "is_not", "done"), `(?s)Invalid Filter Value.*"pending",\s+"in_progress"`},
		{"empty value", filter("tag", "is", ""), `filters\[1\]\.value string length must be at least 1`},
		{"empty app name", `
  app_name = ""
  device_filter = { project = { name = "Demo" } }`, `app_name string length must be at least 1`},
		{"empty project name", `
  app_name = "a"
  device_filter = { project = { name = "" } }`, `project\.name string length must be at least 1`},
		{"empty group name", `
  app_name = "a"
  device_filter = { project = { name = "Demo" }, groups = [{ name = "" }] }`, `groups\[0\]\.name string length must be\s+at least 1`},
		{"missing project", `
  app_name = "a"
  device_filter = { groups = [] }`, `(?s)Incorrect attribute value type|attribute "project" is required`},
		{"missing device_filter", `
  app_name = "a"`, `(?s)Missing required argument|"device_filter" is required`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			parallelUnitTest(t, resource.TestCase{
				CheckDestroy: f.expectCalls(0),
				Steps: []resource.TestStep{{
					Config:      f.config(tt.body),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tt.want),
				}},
			})
			if n := len(f.server.Emulator.Requests()); n != 0 {
				t.Errorf("emulator received %d requests for an invalid configuration", n)
			}
		})
	}
}

// TestAccAppRemoval_invalidProviderConfig: bad provider settings fail at plan.
func TestAccAppRemoval_invalidProviderConfig(t *testing.T) {
	tests := []struct {
		name, provider, want string
	}{
		{"plain http to a remote host", `endpoint = "http://api.connect.jfrog.io"`, `(?s)Invalid Upswift Endpoint.*plain http`},
		{"relative endpoint", `endpoint = "api.connect.jfrog.io"`, `(?s)Invalid Upswift Endpoint.*absolute`},
		{"max_retries out of range", `max_retries = 99`, `max_retries value must be between 0 and 20`},
		{"requests_per_minute zero", `requests_per_minute = 0`, `requests_per_minute value must be at least 1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parallelUnitTest(t, resource.TestCase{
				Steps: []resource.TestStep{{
					Config: fmt.Sprintf(`
provider "upswift" {
  user_token = "x"
  %s
}
resource "upswift_app_removal" "test" {
  app_name      = "a"
  device_filter = { project = { name = "Demo" } }
}`, tt.provider),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tt.want),
				}},
			})
		})
	}
}

// TestAccAppRemoval_apiRefusals: the emulator's error_message reaches the
// user, nothing is saved to state and no device changes.
func TestAccAppRemoval_apiRefusals(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"unknown app", `
  app_name      = "no-such-app"
  device_filter = { project = { name = "Demo" } }`, `(?s)Unable to Remove App.*400 Bad Request.*no-such-app`},
		{"unknown project", `
  app_name      = "legacy-agent"
  device_filter = { project = { name = "Nope" } }`, `(?s)Unable to Remove App.*400 Bad Request.*Nope`},
		{"unknown group", `
  app_name      = "legacy-agent"
  device_filter = { project = { name = "Demo" }, groups = [{ name = "TestGroup9" }] }`, `(?s)Unable to Remove App.*400 Bad Request.*TestGroup9`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			parallelUnitTest(t, resource.TestCase{
				Steps: []resource.TestStep{
					{Config: f.config(tt.body), ExpectError: regexp.MustCompile(tt.want)},
					{
						// Nothing was saved: the next plan creates it again.
						Config:             f.config(tt.body),
						PlanOnly:           true,
						ExpectNonEmptyPlan: true,
					},
				},
			})
			if n := len(f.removals()); n != 1 {
				t.Errorf("emulator received %d removal calls, want 1", n)
			}
			if lost, err := f.lost(); err != nil || len(lost) != 0 {
				t.Errorf("fleet changed after a refused removal: %v %v", lost, err)
			}
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

// TestAccAppRemoval_missingToken: without a token the apply fails with an
// error that names both ways to set it, and nothing is sent.
func TestAccAppRemoval_missingToken(t *testing.T) {
	f := newFixture(t)
	t.Setenv(envUserToken, "")
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "upswift" {
  endpoint = %q
}
resource "upswift_app_removal" "test" {
  app_name      = "legacy-agent"
  device_filter = { project = { name = "Demo" } }
}`, f.server.URL),
			ExpectError: regexp.MustCompile(`(?s)Missing Upswift User Token.*user_token.*UPSWIFT_USER_TOKEN`),
		}},
	})
	if n := len(f.server.Emulator.Requests()); n != 0 {
		t.Errorf("emulator received %d requests without a token", n)
	}
}

// TestPlanWarnings checks the plan-review warnings of both removal
// resources through the provider server, as Terraform asks for a plan.
func TestPlanWarnings(t *testing.T) {
	for _, k := range []struct {
		kind        removalKind
		name        string
		noReinstall string
	}{
		{appRemoval, "legacy-agent", "Destroying Does Not Reinstall the App"},
		{tagRemoval, "edge", "Destroying Does Not Restore the Tag"},
	} {
		t.Run(k.kind.noun, func(t *testing.T) { testPlanWarnings(t, k.kind, k.name, k.noReinstall) })
	}
}

func testPlanWarnings(t *testing.T, kind removalKind, name, noReinstall string) {
	const (
		wholeProject = "Removal Applies to a Whole Project"
		noToken      = "Missing Upswift User Token"
	)
	tests := []struct {
		name     string
		token    string
		groups   []string
		filters  []filterCase
		destroy  bool
		want     []string
		wantNone []string
	}{
		{name: "whole project", token: "x", want: []string{wholeProject}, wantNone: []string{noToken, noReinstall}},
		{name: "empty lists are a whole project", token: "x", groups: []string{}, filters: []filterCase{}, want: []string{wholeProject}},
		{name: "groups narrow it", token: "x", groups: []string{"TestGroup1"}, wantNone: []string{wholeProject}},
		{name: "filters narrow it", token: "x", filters: []filterCase{{"tag", "is", "edge"}}, wantNone: []string{wholeProject}},
		{name: "destroy", token: "x", destroy: true, want: []string{noReinstall}, wantNone: []string{wholeProject}},
		{name: "no token", token: "", groups: []string{"G"}, want: []string{noToken}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(envUserToken, "")
			ctx := context.Background()
			server := newTestServer(t)
			configureProvider(t, server, tt.token)
			objType, config := resourceValueOf(t, server, kind, name, tt.groups, tt.filters, "")
			null := tftypes.NewValue(objType, nil)
			req := &tfprotov6.PlanResourceChangeRequest{
				TypeName:         "upswift_" + kind.typeName,
				PriorState:       dynamic(t, objType, null),
				ProposedNewState: dynamic(t, objType, config),
				Config:           dynamic(t, objType, config),
			}
			if tt.destroy {
				req.PriorState, req.ProposedNewState = dynamic(t, objType, config), dynamic(t, objType, null)
			}
			resp, err := server.PlanResourceChange(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if errs := errorsOnly(resp.Diagnostics); len(errs) > 0 {
				t.Fatalf("plan failed: %s", describe(errs))
			}
			summaries := map[string]string{}
			for _, d := range resp.Diagnostics {
				if d.Severity == tfprotov6.DiagnosticSeverityWarning {
					summaries[d.Summary] = d.Detail
				}
			}
			for _, w := range tt.want {
				detail, ok := summaries[w]
				if !ok {
					t.Errorf("missing warning %q; got %v", w, summaries)
				}
				if !strings.Contains(detail, fmt.Sprintf("%s %q", kind.noun, name)) && w != noToken {
					t.Errorf("warning %q does not name the %s: %s", w, kind.noun, detail)
				}
				if w == noToken && (!strings.Contains(detail, "user_token") || !strings.Contains(detail, envUserToken)) {
					t.Errorf("token warning does not name both ways to set it: %s", detail)
				}
			}
			for _, w := range tt.wantNone {
				if _, ok := summaries[w]; ok {
					t.Errorf("unexpected warning %q", w)
				}
			}
		})
	}
}

// TestMissingTokenErrorNamesTheProviderConfiguration: the apply-time error
// for a missing token is not pinned to an attribute of the resource (the
// token is not one); its detail names both ways to set it.
func TestMissingTokenErrorNamesTheProviderConfiguration(t *testing.T) {
	t.Setenv(envUserToken, "")
	for _, kind := range []removalKind{appRemoval, tagRemoval} {
		t.Run(kind.noun, func(t *testing.T) { testMissingTokenError(t, kind) })
	}
}

func testMissingTokenError(t *testing.T, kind removalKind) {
	server := newTestServer(t)
	configureProvider(t, server, "")
	objType, config := resourceValueOf(t, server, kind, "x", []string{"TestGroup1"}, nil, "")
	resp, err := server.ApplyResourceChange(context.Background(), &tfprotov6.ApplyResourceChangeRequest{
		TypeName:     "upswift_" + kind.typeName,
		PriorState:   dynamic(t, objType, tftypes.NewValue(objType, nil)),
		PlannedState: dynamic(t, objType, config),
		Config:       dynamic(t, objType, config),
	})
	if err != nil {
		t.Fatal(err)
	}
	errs := errorsOnly(resp.Diagnostics)
	if len(errs) != 1 || errs[0].Summary != "Missing Upswift User Token" {
		t.Fatalf("want one Missing Upswift User Token error, got %s", describe(resp.Diagnostics))
	}
	if errs[0].Attribute != nil {
		t.Errorf("the error is pinned to %s; the token belongs to the provider configuration", pathString(errs[0].Attribute))
	}
	for _, want := range []string{"provider configuration", "user_token", envUserToken} {
		if !strings.Contains(errs[0].Detail, want) {
			t.Errorf("detail does not name %q: %s", want, errs[0].Detail)
		}
	}
}

// TestDestroyWarningNeedsTheState: when the prior state cannot be read, the
// destroy plan reports that error instead of warning about an empty app name.
func TestDestroyWarningNeedsTheState(t *testing.T) {
	for _, newResource := range []func() fwresource.Resource{NewAppRemovalResource, NewTagRemovalResource} {
		testDestroyWarningNeedsTheState(t, newResource())
	}
}

func testDestroyWarningNeedsTheState(t *testing.T, r fwresource.Resource) {
	ctx := context.Background()
	var schemaResp fwresource.SchemaResponse
	r.Schema(ctx, fwresource.SchemaRequest{}, &schemaResp)
	s := schemaResp.Schema
	// A state of another shape than the schema's: State.Get fails.
	wrong := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"id": tftypes.String}}
	req := fwresource.ModifyPlanRequest{
		State: tfsdk.State{Schema: s, Raw: tftypes.NewValue(wrong, map[string]tftypes.Value{"id": tftypes.NewValue(tftypes.String, "x")})},
		Plan:  tfsdk.Plan{Schema: s, Raw: tftypes.NewValue(s.Type().TerraformType(ctx), nil)},
	}
	resp := &fwresource.ModifyPlanResponse{Plan: req.Plan}
	r.(fwresource.ResourceWithModifyPlan).ModifyPlan(ctx, req, resp)
	if !resp.Diagnostics.HasError() {
		t.Fatalf("an unreadable state gave no error: %v", resp.Diagnostics)
	}
	for _, d := range resp.Diagnostics.Warnings() {
		t.Errorf("unexpected warning %q: %s", d.Summary(), d.Detail())
	}
}
