package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/upswift/terraform-provider-upswift/internal/emulator"
	"github.com/upswift/terraform-provider-upswift/internal/emulator/emulatortest"
)

const (
	testAccToken = "acc-token-7d41e0c2b9"
	testAccAddr  = "upswift_app_removal.test"
)

// testFleet is the fleet the Terraform-driven tests remove apps from.
//
//	Demo/TestGroup1: d-1 online  [edge]       legacy-agent metrics      success
//	                 d-2 offline [edge beta]  legacy-agent              failed
//	Demo/TestGroup2: d-4ec7-1be9 online [beta] legacy-agent camera-driver pending
//	                 d-4 online  []           metrics                   in_progress
//	Demo/TestGroup3: d-5 offline []           legacy-agent              aborted
//	Other/G:         d-6 online  [edge]       legacy-agent              success
func testFleet() *emulator.Fleet {
	dev := func(id, state, status string, tags []string, apps ...string) emulator.Device {
		m := map[string]string{}
		for _, a := range apps {
			m[a] = "1.0.0"
		}
		return emulator.Device{ID: id, Name: "device " + id, Tags: tags, Apps: m, State: state, UpdateStatus: status}
	}
	return &emulator.Fleet{Accounts: []emulator.Account{{
		UserToken: testAccToken,
		Apps:      []string{"legacy-agent", "metrics", "camera-driver", "unused-app"},
		Projects: []emulator.Project{
			{Name: "Demo", Groups: []emulator.Group{
				{Name: "TestGroup1", Devices: []emulator.Device{
					dev("d-1", "online", "success", []string{"edge"}, "legacy-agent", "metrics"),
					dev("d-2", "offline", "failed", []string{"edge", "beta"}, "legacy-agent"),
				}},
				{Name: "TestGroup2", Devices: []emulator.Device{
					dev("d-4ec7-1be9", "online", "pending", []string{"beta"}, "legacy-agent", "camera-driver"),
					dev("d-4", "online", "in_progress", nil, "metrics"),
				}},
				{Name: "TestGroup3", Devices: []emulator.Device{
					dev("d-5", "offline", "aborted", nil, "legacy-agent"),
				}},
			}},
			{Name: "Other", Groups: []emulator.Group{
				{Name: "G", Devices: []emulator.Device{dev("d-6", "online", "success", []string{"edge"}, "legacy-agent")}},
			}},
		},
	}}}
}

// fixture is one emulator for one test, with the fleet as it was before.
type fixture struct {
	t      *testing.T
	server *emulator.Server
	before map[string]emulator.DeviceView
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	s := emulatortest.Start(t, testFleet())
	return &fixture{t: t, server: s, before: s.Emulator.Devices(testAccToken)}
}

func (f *fixture) providerConfig() string {
	return fmt.Sprintf(`
provider "upswift" {
  endpoint    = %[1]q
  user_token  = %[2]q
  max_retries = 1
}
`, f.server.URL, testAccToken)
}

func (f *fixture) config(resourceBody string) string {
	return f.providerConfig() + fmt.Sprintf("\nresource \"upswift_app_removal\" \"test\" {\n%s\n}\n", resourceBody)
}

// removals returns the API removal calls the emulator received.
func (f *fixture) removals() []emulator.Request {
	var out []emulator.Request
	for _, r := range f.server.Emulator.Requests() {
		if r.Path == "/v1/device_apps" {
			out = append(out, r)
		}
	}
	return out
}

// expectCalls checks how many removal calls the emulator has received.
func (f *fixture) expectCalls(n int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := len(f.removals()); got != n {
			return fmt.Errorf("emulator received %d removal calls, want %d", got, n)
		}
		return nil
	}
}

// lost returns, per device, the apps it lost since the fixture started, and
// fails when anything else about a device changed.
func (f *fixture) lost() (map[string][]string, error) {
	after := f.server.Emulator.Devices(testAccToken)
	out := map[string][]string{}
	for id, b := range f.before {
		a, ok := after[id]
		if !ok {
			return nil, fmt.Errorf("device %s disappeared", id)
		}
		if a.State != b.State || a.UpdateStatus != b.UpdateStatus || !slices.Equal(a.Tags, b.Tags) || a.Group != b.Group || a.Project != b.Project {
			return nil, fmt.Errorf("device %s changed beyond its apps: %+v -> %+v", id, b, a)
		}
		for app, version := range b.Apps {
			v, still := a.Apps[app]
			if !still {
				out[id] = append(out[id], app)
			} else if v != version {
				return nil, fmt.Errorf("device %s app %s changed version %s -> %s", id, app, version, v)
			}
		}
		for app := range a.Apps {
			if _, had := b.Apps[app]; !had {
				return nil, fmt.Errorf("device %s gained app %s", id, app)
			}
		}
		sort.Strings(out[id])
	}
	return out, nil
}

// expectLost checks that exactly these devices lost exactly this app and
// no other device changed.
func (f *fixture) expectLost(app string, devices ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got, err := f.lost()
		if err != nil {
			return err
		}
		want := map[string][]string{}
		for _, d := range devices {
			want[d] = []string{app}
		}
		if !reflect.DeepEqual(got, want) {
			return fmt.Errorf("devices that lost apps: got %v, want %v", got, want)
		}
		return nil
	}
}

// expectBody checks the JSON body of removal call i.
func (f *fixture) expectBody(i int, want string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		calls := f.removals()
		if i >= len(calls) {
			return fmt.Errorf("no removal call %d (got %d)", i, len(calls))
		}
		var wantBody map[string]any
		if err := json.Unmarshal([]byte(want), &wantBody); err != nil {
			return err
		}
		if !reflect.DeepEqual(calls[i].Body, wantBody) {
			return fmt.Errorf("body of call %d:\n got %s\nwant %s", i, calls[i].RawBody, want)
		}
		return nil
	}
}

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
			{
				// A second plan is empty and makes no call.
				Config: f.config(issueExample),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				Check: f.expectCalls(1),
			},
		},
	})
}

func (f *fixture) expectHeaders() resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, c := range f.removals() {
			if ct := c.Header.Get("Content-Type"); ct != "application/json" {
				return fmt.Errorf("Content-Type %q", ct)
			}
			ua := c.Header.Get("User-Agent")
			if !regexp.MustCompile(`terraform-provider-upswift/test .*Terraform/\d+\.\d+\.\d+`).MatchString(ua) {
				return fmt.Errorf("User-Agent %q does not name the provider, its version and the Terraform version", ua)
			}
		}
		return nil
	}
}

func (f *fixture) expectStateHasNoToken() resource.TestCheckFunc {
	return func(s *terraform.State) error {
		raw, err := json.Marshal(s)
		if err != nil {
			return err
		}
		if strings.Contains(string(raw), testAccToken) {
			return fmt.Errorf("state contains the user token")
		}
		return nil
	}
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

func (f *fixture) expectRawBodyHas(i int, parts ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		calls := f.removals()
		if i >= len(calls) {
			return fmt.Errorf("no removal call %d", i)
		}
		for _, p := range parts {
			if !strings.Contains(string(calls[i].RawBody), p) {
				return fmt.Errorf("raw body %s does not contain %s", calls[i].RawBody, p)
			}
		}
		return nil
	}
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

// TestAccAppRemoval_replace: changing app_name or triggers replaces the
// resource and sends the removal again; changing timeouts updates in place
// without a call; an unchanged config sends nothing.
func TestAccAppRemoval_replace(t *testing.T) {
	f := newFixture(t)
	body := func(app, trigger string) string {
		return fmt.Sprintf(`
  app_name      = %q
  device_filter = { project = { name = "Demo" }, groups = [{ name = "TestGroup1" }] }
  triggers      = { image = %q }`, app, trigger)
	}
	var firstID string
	parallelUnitTest(t, resource.TestCase{
		CheckDestroy: f.expectCalls(3),
		Steps: []resource.TestStep{
			{
				Config: f.config(body("legacy-agent", "v1")),
				Check: resource.ComposeAggregateTestCheckFunc(f.expectCalls(1), func(s *terraform.State) error {
					firstID = s.RootModule().Resources[testAccAddr].Primary.ID
					return nil
				}),
			},
			{
				Config: f.config(body("metrics", "v1")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					f.expectCalls(2),
					f.expectBodyField(1, "app_name", "metrics"),
					func(s *terraform.State) error {
						if id := s.RootModule().Resources[testAccAddr].Primary.ID; id == firstID {
							return fmt.Errorf("id %s was kept across a replacement", id)
						}
						return nil
					},
				),
			},
			{
				Config: f.config(body("metrics", "v2")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: f.expectCalls(3),
			},
			{
				// Only timeouts changed: an update in place, no API call.
				Config: f.config(body("metrics", "v2") + "\n  timeouts = { create = \"5m\" }"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccAddr, plancheck.ResourceActionUpdate),
				}},
				Check: f.expectCalls(3),
			},
			{
				Config: f.config(body("metrics", "v2") + "\n  timeouts = { create = \"5m\" }"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(f.expectCalls(3), func(*terraform.State) error {
					got, err := f.lost()
					if err != nil {
						return err
					}
					want := map[string][]string{"d-1": {"legacy-agent", "metrics"}, "d-2": {"legacy-agent"}}
					if !maps.EqualFunc(got, want, slices.Equal) {
						return fmt.Errorf("lost apps %v, want %v", got, want)
					}
					return nil
				}),
			},
		},
	})
}

func (f *fixture) expectBodyField(i int, key, want string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		calls := f.removals()
		if i >= len(calls) {
			return fmt.Errorf("no removal call %d", i)
		}
		if got := calls[i].Body[key]; got != want {
			return fmt.Errorf("call %d %s = %v, want %q", i, key, got, want)
		}
		return nil
	}
}

// TestAccAppRemoval_unknownFilterValues: a filter value from another
// resource is unknown at plan and is checked once known: a valid one
// applies, an invalid one fails before anything is sent.
func TestAccAppRemoval_unknownFilterValues(t *testing.T) {
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
			Steps: []resource.TestStep{{
				Config: config(f, "offline"),
				Check:  resource.ComposeAggregateTestCheckFunc(f.expectCalls(1), f.expectLost("legacy-agent", "d-2", "d-5")),
			}},
		})
	})
	t.Run("invalid", func(t *testing.T) {
		f := newFixture(t)
		parallelUnitTest(t, resource.TestCase{
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

// TestPlanWarnings checks the plan-review warnings through the provider
// server, as Terraform asks for a plan.
func TestPlanWarnings(t *testing.T) {
	const (
		wholeProject = "Removal Applies to a Whole Project"
		noReinstall  = "Destroying Does Not Reinstall the App"
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
			objType, config := resourceValue(t, server, tt.groups, tt.filters, "")
			null := tftypes.NewValue(objType, nil)
			req := &tfprotov6.PlanResourceChangeRequest{
				TypeName:         "upswift_app_removal",
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
				if !strings.Contains(detail, "legacy-agent") && w != noToken {
					t.Errorf("warning %q does not name the app: %s", w, detail)
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

func configureProvider(t testing.TB, server tfprotov6.ProviderServer, token string) {
	t.Helper()
	configureProviderAt(t, server, "http://127.0.0.1:1", token)
}

func configureProviderAt(t testing.TB, server tfprotov6.ProviderServer, endpoint, token string) {
	t.Helper()
	if errs := errorsOnly(configureProviderDiags(t, server, endpoint, token)); len(errs) > 0 {
		t.Fatalf("configure failed: %s", describe(errs))
	}
}

// configureProviderDiags configures the provider with this endpoint and,
// unless empty, this user_token, and returns the diagnostics.
func configureProviderDiags(t testing.TB, server tfprotov6.ProviderServer, endpoint, token string) []*tfprotov6.Diagnostic {
	t.Helper()
	ctx := context.Background()
	schemaResp, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	typ := schemaResp.Provider.ValueType().(tftypes.Object)
	attrs := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		attrs[name] = tftypes.NewValue(at, nil)
	}
	if token != "" {
		attrs["user_token"] = tftypes.NewValue(tftypes.String, token)
	}
	attrs["endpoint"] = tftypes.NewValue(tftypes.String, endpoint)
	resp, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{
		TerraformVersion: "1.11.4",
		Config:           dynamic(t, typ, tftypes.NewValue(typ, attrs)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp.Diagnostics
}

// TestMissingTokenErrorNamesTheProviderConfiguration: the apply-time error
// for a missing token is not pinned to an attribute of the resource (the
// token is not one); its detail names both ways to set it.
func TestMissingTokenErrorNamesTheProviderConfiguration(t *testing.T) {
	t.Setenv(envUserToken, "")
	server := newTestServer(t)
	configureProvider(t, server, "")
	objType, config := resourceValue(t, server, []string{"TestGroup1"}, nil, "")
	resp, err := server.ApplyResourceChange(context.Background(), &tfprotov6.ApplyResourceChangeRequest{
		TypeName:     "upswift_app_removal",
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
	ctx := context.Background()
	r := NewAppRemovalResource()
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
