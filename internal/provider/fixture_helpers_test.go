package provider

// Helpers shared by the provider's tests: the test fleet and the fixture
// around one emulator per test, the checks of what the emulator received
// and how its fleet changed, and the provider-server helpers that validate,
// plan and configure without a Terraform CLI.

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

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
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

func newTestServer(t testing.TB, opts ...Option) tfprotov6.ProviderServer {
	t.Helper()
	server, err := providerserver.NewProtocol6WithError(New("test", opts...)())()
	if err != nil {
		t.Fatal(err)
	}
	return server
}

func validateConfig(t *testing.T, server tfprotov6.ProviderServer, filters []filterCase) []*tfprotov6.Diagnostic {
	return validateConfigWith(t, server, filters, "")
}

// validateConfigWith builds a resource configuration with these filters
// (the last filter's unknownField left unknown) and validates it.
func validateConfigWith(t *testing.T, server tfprotov6.ProviderServer, filters []filterCase, unknownField string) []*tfprotov6.Diagnostic {
	t.Helper()
	objType, config := resourceValue(t, server, nil, filters, unknownField)
	resp, err := server.ValidateResourceConfig(context.Background(), &tfprotov6.ValidateResourceConfigRequest{
		TypeName: "upswift_app_removal",
		Config:   dynamic(t, objType, config),
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp.Diagnostics
}

// resourceValue builds an upswift_app_removal value removing legacy-agent in project "Demo" with
// these groups and filters; nil groups or filters are left null.
func resourceValue(t testing.TB, server tfprotov6.ProviderServer, groups []string, filters []filterCase, unknownField string) (tftypes.Object, tftypes.Value) {
	t.Helper()
	return resourceValueOf(t, server, appRemoval, "legacy-agent", groups, filters, unknownField)
}

// resourceValueOf is resourceValue for the resource of kind k, removing name.
func resourceValueOf(t testing.TB, server tfprotov6.ProviderServer, k removalKind, name string, groups []string, filters []filterCase, unknownField string) (tftypes.Object, tftypes.Value) {
	t.Helper()
	schemaResp, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	objType := schemaResp.ResourceSchemas["upswift_"+k.typeName].ValueType().(tftypes.Object)
	dfType := objType.AttributeTypes["device_filter"].(tftypes.Object)
	groupListType := dfType.AttributeTypes["groups"].(tftypes.List)
	filterListType := dfType.AttributeTypes["filters"].(tftypes.List)

	var groupList, filterList tftypes.Value
	if groups == nil {
		groupList = tftypes.NewValue(groupListType, nil)
	} else {
		elems := make([]tftypes.Value, len(groups))
		for i, g := range groups {
			elems[i] = tftypes.NewValue(groupListType.ElementType, map[string]tftypes.Value{"name": tftypes.NewValue(tftypes.String, g)})
		}
		groupList = tftypes.NewValue(groupListType, elems)
	}
	if filters == nil {
		filterList = tftypes.NewValue(filterListType, nil)
	} else {
		elems := make([]tftypes.Value, len(filters))
		for i, f := range filters {
			fields := map[string]tftypes.Value{
				"type":    tftypes.NewValue(tftypes.String, f.typ),
				"operand": tftypes.NewValue(tftypes.String, f.operand),
				"value":   tftypes.NewValue(tftypes.String, f.value),
			}
			if i == len(filters)-1 && unknownField != "" {
				fields[unknownField] = tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
			}
			elems[i] = tftypes.NewValue(filterListType.ElementType, fields)
		}
		filterList = tftypes.NewValue(filterListType, elems)
	}
	config := map[string]tftypes.Value{}
	for name, typ := range objType.AttributeTypes {
		config[name] = tftypes.NewValue(typ, nil)
	}
	config[k.nameAttr] = tftypes.NewValue(tftypes.String, name)
	config["device_filter"] = tftypes.NewValue(dfType, map[string]tftypes.Value{
		"project": tftypes.NewValue(dfType.AttributeTypes["project"], map[string]tftypes.Value{"name": tftypes.NewValue(tftypes.String, "Demo")}),
		"groups":  groupList,
		"filters": filterList,
	})
	return objType, tftypes.NewValue(objType, config)
}

func dynamic(t testing.TB, typ tftypes.Type, v tftypes.Value) *tfprotov6.DynamicValue {
	t.Helper()
	dv, err := tfprotov6.NewDynamicValue(typ, v)
	if err != nil {
		t.Fatal(err)
	}
	return &dv
}

func errorsOnly(diags []*tfprotov6.Diagnostic) []*tfprotov6.Diagnostic {
	return bySeverity(diags, tfprotov6.DiagnosticSeverityError)
}

// bySeverity returns the diagnostics of one severity.
func bySeverity(diags []*tfprotov6.Diagnostic, severity tfprotov6.DiagnosticSeverity) []*tfprotov6.Diagnostic {
	var out []*tfprotov6.Diagnostic
	for _, d := range diags {
		if d.Severity == severity {
			out = append(out, d)
		}
	}
	return out
}

func describe(diags []*tfprotov6.Diagnostic) string {
	if len(diags) == 0 {
		return "no diagnostics"
	}
	var b strings.Builder
	for _, d := range diags {
		fmt.Fprintf(&b, "\n  [%s] %s: %s", pathString(d.Attribute), d.Summary, d.Detail)
	}
	return b.String()
}

// pathString renders a protocol attribute path as device_filter.filters[1].type.
func pathString(p *tftypes.AttributePath) string {
	if p == nil {
		return ""
	}
	var b strings.Builder
	for _, step := range p.Steps() {
		switch s := step.(type) {
		case tftypes.AttributeName:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(string(s))
		case tftypes.ElementKeyInt:
			fmt.Fprintf(&b, "[%d]", int64(s))
		case tftypes.ElementKeyString:
			fmt.Fprintf(&b, "[%q]", string(s))
		}
	}
	return b.String()
}
