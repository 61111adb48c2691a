package provider

// Helpers shared by the provider's tests: the test fleet and the fixture
// around one emulator per test, and the checks of what the emulator
// received and how its fleet changed. The provider-server helpers that
// validate, plan and configure without a Terraform CLI are in
// server_helpers_test.go.

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/upswift/terraform-provider-upswift/internal/emulator"
	"github.com/upswift/terraform-provider-upswift/internal/emulator/emulatortest"
)

// testAccToken is the user token of the test fleet's account.
const testAccToken = "acc-token-7d41e0c2b9"

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
	// kind is the removal the fixture's configurations and checks are
	// about: apps unless newTagFixture made it.
	kind removalKind
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	s := emulatortest.Start(t, testFleet())
	return &fixture{t: t, server: s, before: s.Emulator.Devices(testAccToken), kind: appRemoval}
}

// newTagFixture is newFixture for tag removals: config declares an
// upswift_tag_removal, removals and lost look at tags.
func newTagFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	f.kind = tagRemoval
	return f
}

// apiPath is the API path of the fixture's removal, e.g. /v1/device_apps.
func (f *fixture) apiPath() string {
	return strings.TrimPrefix(f.kind.call, "DELETE ")
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
	return f.providerConfig() + fmt.Sprintf("\nresource \"upswift_%s\" \"test\" {\n%s\n}\n", f.kind.typeName, resourceBody)
}

// removals returns the API removal calls the emulator received.
func (f *fixture) removals() []emulator.Request {
	var out []emulator.Request
	for _, r := range f.server.Emulator.Requests() {
		if r.Path == f.apiPath() {
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

// lost returns, per device, the apps (or, for a tag fixture, the tags) it
// lost since the fixture started, and fails when anything else about a
// device changed.
func (f *fixture) lost() (map[string][]string, error) {
	after := f.server.Emulator.Devices(testAccToken)
	out := map[string][]string{}
	for id, b := range f.before {
		a, ok := after[id]
		if !ok {
			return nil, fmt.Errorf("device %s disappeared", id)
		}
		if a.State != b.State || a.UpdateStatus != b.UpdateStatus || a.Group != b.Group || a.Project != b.Project {
			return nil, fmt.Errorf("device %s changed: %+v -> %+v", id, b, a)
		}
		var gone []string
		var err error
		if f.kind.noun == "tag" {
			if !maps.Equal(a.Apps, b.Apps) {
				return nil, fmt.Errorf("device %s changed its apps: %v -> %v", id, b.Apps, a.Apps)
			}
			gone, err = lostNames(id, "tag", b.Tags, a.Tags)
		} else {
			if !slices.Equal(a.Tags, b.Tags) {
				return nil, fmt.Errorf("device %s changed its tags: %v -> %v", id, b.Tags, a.Tags)
			}
			gone, err = lostApps(id, b.Apps, a.Apps)
		}
		if err != nil {
			return nil, err
		}
		if len(gone) > 0 {
			out[id] = gone
		}
	}
	return out, nil
}

// lostApps lists the apps of before that after lacks; a new app or a
// changed version is an error.
func lostApps(id string, before, after map[string]string) ([]string, error) {
	var gone []string
	for app, version := range before {
		v, still := after[app]
		if !still {
			gone = append(gone, app)
		} else if v != version {
			return nil, fmt.Errorf("device %s app %s changed version %s -> %s", id, app, version, v)
		}
	}
	for app := range after {
		if _, had := before[app]; !had {
			return nil, fmt.Errorf("device %s gained app %s", id, app)
		}
	}
	sort.Strings(gone)
	return gone, nil
}

// lostNames lists the names of before that after lacks; a new name is an
// error.
func lostNames(id, what string, before, after []string) ([]string, error) {
	var gone []string
	for _, n := range before {
		if !slices.Contains(after, n) {
			gone = append(gone, n)
		}
	}
	for _, n := range after {
		if !slices.Contains(before, n) {
			return nil, fmt.Errorf("device %s gained %s %s", id, what, n)
		}
	}
	sort.Strings(gone)
	return gone, nil
}

// expectLost checks that exactly these devices lost exactly this app (or
// tag, for a tag fixture) and no other device changed.
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

// unchangedStep applies config again: the plan must be empty, and the
// emulator must still have received calls removal calls in all.
func (f *fixture) unchangedStep(config string, calls int) resource.TestStep {
	return resource.TestStep{
		Config: config,
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectEmptyPlan(),
		}},
		Check: f.expectCalls(calls),
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
