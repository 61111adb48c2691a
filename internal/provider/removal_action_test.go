package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/action"
	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// The action tests need Terraform 1.14 or later: `make testacc-actions`
// runs them with a Terraform 1.15 built by scripts/cli.sh. Under older CLIs
// and OpenTofu they skip, saying so.

// actionKinds are the two actions with a removal each test can send.
var actionKinds = []struct {
	kind    removalKind
	fixture func(*testing.T) *fixture
	name    string
	// filter selects devices of the test fleet; want are those that have
	// name and so lose it.
	filter string
	want   []string
}{
	{appRemoval, newFixture, "legacy-agent", `{ project = { name = "Demo" }, groups = [{ name = "TestGroup1" }] }`, []string{"d-1", "d-2"}},
	{tagRemoval, newTagFixture, "edge", `{ project = { name = "Demo" }, filters = [{ type = "device_state", operand = "is", value = "offline" }] }`, []string{"d-2"}},
}

// actionBlock declares action.upswift_<kind>.x removing name from the
// devices that filter (HCL) selects.
func actionBlock(kind removalKind, name, filter string) string {
	return fmt.Sprintf(`
action "upswift_%s" "x" {
  config {
    %s = %q
    device_filter = %s
  }
}
`, kind.typeName, kind.nameAttr, name, filter)
}

// TestAccAction_trigger: a terraform_data's action_trigger invokes the
// action after create and after update; the removal is sent each time, the
// selected devices lose the app or tag, and only the terraform_data is in
// state.
func TestAccAction_trigger(t *testing.T) {
	for _, ak := range actionKinds {
		t.Run(ak.kind.noun, func(t *testing.T) {
			f := ak.fixture(t)
			config := func(image string) string {
				return f.providerConfig() + actionBlock(ak.kind, ak.name, ak.filter) + fmt.Sprintf(`
resource "terraform_data" "image" {
  input = %q
  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.upswift_%s.x]
    }
  }
}
`, image, ak.kind.typeName)
			}
			onlyTerraformData := func(s *terraform.State) error {
				var addrs []string
				for addr := range s.RootModule().Resources {
					addrs = append(addrs, addr)
				}
				if !slices.Equal(addrs, []string{"terraform_data.image"}) {
					return fmt.Errorf("state holds %v, want only terraform_data.image", addrs)
				}
				return nil
			}
			parallelUnitTest(t, resource.TestCase{
				TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
				Steps: []resource.TestStep{
					{
						Config: config("v1"),
						Check: resource.ComposeAggregateTestCheckFunc(
							f.expectCalls(1), f.expectLost(ak.name, ak.want...), f.expectBodyField(0, ak.kind.nameAttr, ak.name),
							f.expectHeaders(), f.expectStateHasNoToken(), onlyTerraformData,
						),
					},
					{
						// A new image version updates the terraform_data: the
						// action runs again.
						Config: config("v2"),
						Check:  resource.ComposeAggregateTestCheckFunc(f.expectCalls(2), f.expectIdenticalBodies(), onlyTerraformData),
					},
					{
						Config: config("v2"),
						Check:  f.expectCalls(2),
					},
				},
			})
		})
	}
}

// TestAccAction_invoke: `terraform apply -invoke=action...` sends the
// removal once, reports its progress (a retry after a 502 included)
// without the token, and writes nothing to state.
func TestAccAction_invoke(t *testing.T) {
	cli := actionsCLI(t)
	for _, ak := range actionKinds {
		t.Run(ak.kind.noun, func(t *testing.T) {
			t.Parallel()
			f := ak.fixture(t)
			w := newWorkDir(t, cli, f.actionConfig(actionBlock(ak.kind, ak.name, ak.filter)))
			f.server.Emulator.FailNext(1, 502, true)
			out, err := w.run("apply", "-invoke=action.upswift_"+ak.kind.typeName+".x", "-auto-approve", "-input=false", "-no-color")
			if err != nil {
				t.Fatalf("invoke failed: %v\n%s", err, out)
			}
			if got := len(f.removals()); got != 2 {
				t.Errorf("emulator received %d calls, want 2 (a 502, then the removal)", got)
			}
			if err := f.expectLost(ak.name, ak.want...)(nil); err != nil {
				t.Error(err)
			}
			if err := f.expectIdenticalBodies()(nil); err != nil {
				t.Error(err)
			}
			path := strings.TrimPrefix(ak.kind.call, "DELETE ")
			for _, msg := range []string{
				"Sent DELETE " + path + ".",
				"The API answered 502 Bad Gateway to attempt 1; retrying",
				"Sent DELETE " + path + " again (attempt 2).",
				"The API accepted DELETE " + path + " (200).",
			} {
				if !contains(out, msg) {
					t.Errorf("output lacks the progress message %q:\n%s", msg, out)
				}
			}
			if strings.Contains(out, testAccToken) {
				t.Error("the output holds the user token")
			}
			if res := w.stateResources(); len(res) != 0 {
				t.Errorf("state holds %v after an invocation", res)
			}
		})
	}
}

// TestAccAction_invokeRateLimited: a 429 during an invocation is waited out
// and the removal sent again; the progress says so.
func TestAccAction_invokeRateLimited(t *testing.T) {
	cli := actionsCLI(t)
	f := newFixture(t)
	w := newWorkDir(t, cli, f.actionConfig(actionBlock(appRemoval, "legacy-agent", `{ project = { name = "Demo" }, groups = [{ name = "TestGroup3" }] }`)))
	f.server.Emulator.FailNext(1, 429, false)
	out, err := w.run("apply", "-invoke=action.upswift_app_removal.x", "-auto-approve", "-input=false", "-no-color")
	if err != nil {
		t.Fatalf("invoke failed: %v\n%s", err, out)
	}
	if got := len(f.removals()); got != 2 {
		t.Errorf("emulator received %d calls, want 2 (a 429, then the removal)", got)
	}
	if err := f.expectLost("legacy-agent", "d-5")(nil); err != nil {
		t.Error(err)
	}
	for _, msg := range []string{"rate limit was reached (429", "The API accepted DELETE /v1/device_apps (200)."} {
		if !contains(out, msg) {
			t.Errorf("output lacks the progress message %q:\n%s", msg, out)
		}
	}
}

// TestAccAction_invalidFilterAtValidate: `terraform validate` refuses an
// action with a filter the API would refuse, in the resource's words, and
// sends nothing.
func TestAccAction_invalidFilterAtValidate(t *testing.T) {
	cli := actionsCLI(t)
	tests := []struct{ name, filter, want string }{
		{"operand", `{ project = { name = "Demo" }, filters = [{ type = "device_state", operand = "is_not", value = "online" }] }`,
			`Invalid Filter Operand`},
		{"value", `{ project = { name = "Demo" }, filters = [{ type = "update_status", operand = "is", value = "done" }] }`,
			`Attribute device_filter.filters[0].value value "done" is not allowed for filter type "update_status". Allowed values for "update_status": "pending", "in_progress", "success", "failed", "aborted".`},
		{"type", `{ project = { name = "Demo" }, filters = [{ type = "serial", operand = "is", value = "x" }] }`,
			`device_filter.filters[0].type value must be one of`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newTagFixture(t)
			w := newWorkDir(t, cli, f.actionConfig(actionBlock(tagRemoval, "edge", tt.filter)))
			out, err := w.run("validate", "-no-color")
			if err == nil {
				t.Fatalf("validate accepted the filter:\n%s", out)
			}
			if !contains(out, tt.want) {
				t.Errorf("validate output lacks %q:\n%s", tt.want, out)
			}
			if n := len(f.server.Emulator.Requests()); n != 0 {
				t.Errorf("emulator received %d requests", n)
			}
		})
	}
}

// TestAccAction_timeout: timeout bounds an invocation, waits included; a
// timeout that is no duration, or not above zero, is refused by validate.
func TestAccAction_timeout(t *testing.T) {
	cli := actionsCLI(t)
	withTimeout := func(timeout string) string {
		return strings.Replace(actionBlock(tagRemoval, "edge", `{ project = { name = "Demo" } }`),
			"    device_filter", "    timeout = "+timeout+"\n    device_filter", 1)
	}
	t.Run("bounds the invocation", func(t *testing.T) {
		t.Parallel()
		f := newTagFixture(t)
		f.server.Emulator.SetLatency(time.Minute)
		w := newWorkDir(t, cli, f.actionConfig(withTimeout(`"1s"`)))
		start := time.Now()
		out, err := w.run("apply", "-invoke=action.upswift_tag_removal.x", "-auto-approve", "-input=false", "-no-color")
		if err == nil {
			t.Fatalf("the invocation succeeded:\n%s", out)
		}
		if waited := time.Since(start); waited > 30*time.Second {
			t.Errorf("the invocation took %s with a 1s timeout", waited)
		}
		for _, want := range []string{`Removing tag "edge" did not finish within the action's timeout of 1s`, "Raise the action's timeout"} {
			if !contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		if lost, err := f.lost(); err != nil || len(lost) != 0 {
			t.Errorf("fleet changed: %v %v", lost, err)
		}
	})
	for _, tt := range []struct{ timeout, want string }{
		{`"soon"`, `Invalid Time Duration String Value`},
		{`"0s"`, `Attribute timeout value "0s" must be a duration above zero`},
	} {
		t.Run("refuses "+tt.timeout, func(t *testing.T) {
			t.Parallel()
			f := newTagFixture(t)
			w := newWorkDir(t, cli, f.actionConfig(withTimeout(tt.timeout)))
			out, err := w.run("validate", "-no-color")
			if err == nil || !contains(out, tt.want) {
				t.Errorf("validate: %v, want an error with %q:\n%s", err, tt.want, out)
			}
			if n := len(f.server.Emulator.Requests()); n != 0 {
				t.Errorf("emulator received %d requests", n)
			}
		})
	}
}

// TestAccAction_apiRefusal: an invocation the API refuses fails with the
// API's message; nothing changes and nothing is written to state.
func TestAccAction_apiRefusal(t *testing.T) {
	cli := actionsCLI(t)
	f := newTagFixture(t)
	w := newWorkDir(t, cli, f.actionConfig(actionBlock(tagRemoval, "no-such-tag", `{ project = { name = "Demo" } }`)))
	out, err := w.run("apply", "-invoke=action.upswift_tag_removal.x", "-auto-approve", "-input=false", "-no-color")
	if err == nil {
		t.Fatalf("the invocation succeeded:\n%s", out)
	}
	for _, want := range []string{"Unable to Remove Tag", `the API answered 400 Bad Request: tag "no-such-tag" does not exist in this account`} {
		if !contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "saved to state") {
		t.Errorf("an action's error speaks of state:\n%s", out)
	}
	if n := len(f.removals()); n != 1 {
		t.Errorf("emulator received %d calls, want 1", n)
	}
	if lost, err := f.lost(); err != nil || len(lost) != 0 {
		t.Errorf("fleet changed: %v %v", lost, err)
	}
	if res := w.stateResources(); len(res) != 0 {
		t.Errorf("state holds %v", res)
	}
}

// TestActionsGetTheClient: the provider's Configure hands the same data,
// with its client, to actions as to resources (the scaffolding's example
// action never gets one), and actions keep it.
func TestActionsGetTheClient(t *testing.T) {
	ctx := context.Background()
	p := New("test")()
	var schemaResp fwprovider.SchemaResponse
	p.Schema(ctx, fwprovider.SchemaRequest{}, &schemaResp)
	typ := schemaResp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	values := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		values[name] = tftypes.NewValue(at, nil)
	}
	values["user_token"] = tftypes.NewValue(tftypes.String, "tok-1")
	values["endpoint"] = tftypes.NewValue(tftypes.String, "http://127.0.0.1:1")
	var resp fwprovider.ConfigureResponse
	p.Configure(ctx, fwprovider.ConfigureRequest{Config: tfsdk.Config{Schema: schemaResp.Schema, Raw: tftypes.NewValue(typ, values)}}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	data, ok := resp.ActionData.(*providerData)
	if !ok || data.client == nil || resp.ActionData != resp.ResourceData {
		t.Fatalf("ActionData %#v, want the resources' *providerData with a client", resp.ActionData)
	}
	for _, newAction := range []func() action.Action{NewAppRemovalAction, NewTagRemovalAction} {
		a, ok := newAction().(*removalAction)
		if !ok {
			t.Fatalf("%T is not a removal action", a)
		}
		var cresp action.ConfigureResponse
		a.Configure(ctx, action.ConfigureRequest{ProviderData: resp.ActionData}, &cresp)
		if cresp.Diagnostics.HasError() || a.data != data {
			t.Fatalf("%s: Configure did not keep the provider data: %v", a.kind.typeName, cresp.Diagnostics)
		}
	}
}

// TestActionSchemasAreValid: both action schemas pass the framework's
// checks and describe every attribute.
func TestActionSchemasAreValid(t *testing.T) {
	ctx := context.Background()
	for _, newAction := range []func() action.Action{NewAppRemovalAction, NewTagRemovalAction} {
		var resp action.SchemaResponse
		newAction().Schema(ctx, action.SchemaRequest{}, &resp)
		if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
			t.Fatal(diags)
		}
		if !strings.Contains(resp.Schema.MarkdownDescription, "| `device_state` | `is` | `online` or `offline` |") {
			t.Errorf("action description lacks the generated filter table: %s", resp.Schema.MarkdownDescription)
		}
		for name, a := range resp.Schema.Attributes {
			if a.GetMarkdownDescription() == "" {
				t.Errorf("attribute %s has no description", name)
			}
		}
	}
}

// TestActionPlanWarnings: an action's plan warns as the resource's does
// about a removal of a whole project and a missing token, and not about a
// narrowed one.
func TestActionPlanWarnings(t *testing.T) {
	const (
		wholeProject = "Removal Applies to a Whole Project"
		noToken      = "Missing Upswift User Token"
	)
	tests := []struct {
		name         string
		groups       []string // nil: absent (null), as an action's config leaves it
		tokenMissing bool
		want         []string
	}{
		{name: "absent lists are a whole project", want: []string{wholeProject}},
		{name: "empty lists are a whole project", groups: []string{}, want: []string{wholeProject}},
		{name: "groups narrow it", groups: []string{"TestGroup1"}},
		{name: "no token", groups: []string{"TestGroup1"}, tokenMissing: true, want: []string{noToken}},
	}
	ctx := context.Background()
	for _, newAction := range []func() action.Action{NewAppRemovalAction, NewTagRemovalAction} {
		for _, tt := range tests {
			a, ok := newAction().(*removalAction)
			if !ok {
				t.Fatal("not a removal action")
			}
			t.Run(a.kind.noun+"/"+tt.name, func(t *testing.T) {
				a.data = &providerData{tokenMissing: tt.tokenMissing}
				var schemaResp action.SchemaResponse
				a.Schema(ctx, action.SchemaRequest{}, &schemaResp)
				typ := schemaResp.Schema.Type().TerraformType(ctx).(tftypes.Object)
				df := typ.AttributeTypes["device_filter"].(tftypes.Object)
				groupList := df.AttributeTypes["groups"].(tftypes.List)
				groups := tftypes.NewValue(groupList, nil)
				if tt.groups != nil {
					elems := []tftypes.Value{}
					for _, g := range tt.groups {
						elems = append(elems, tftypes.NewValue(groupList.ElementType, map[string]tftypes.Value{"name": tftypes.NewValue(tftypes.String, g)}))
					}
					groups = tftypes.NewValue(groupList, elems)
				}
				values := map[string]tftypes.Value{}
				for name, at := range typ.AttributeTypes {
					values[name] = tftypes.NewValue(at, nil)
				}
				values[a.kind.nameAttr] = tftypes.NewValue(tftypes.String, "x")
				values["device_filter"] = tftypes.NewValue(df, map[string]tftypes.Value{
					"project": tftypes.NewValue(df.AttributeTypes["project"], map[string]tftypes.Value{"name": tftypes.NewValue(tftypes.String, "Demo")}),
					"groups":  groups,
					"filters": tftypes.NewValue(df.AttributeTypes["filters"], nil),
				})
				raw := tftypes.NewValue(typ, values)
				var resp action.ModifyPlanResponse
				a.ModifyPlan(ctx, action.ModifyPlanRequest{Config: tfsdk.Config{Schema: schemaResp.Schema, Raw: raw}}, &resp)
				if resp.Diagnostics.HasError() {
					t.Fatal(resp.Diagnostics)
				}
				var got []string
				for _, d := range resp.Diagnostics.Warnings() {
					got = append(got, d.Summary())
					if d.Summary() == wholeProject && !strings.Contains(d.Detail(), a.kind.noun+` "x"`) {
						t.Errorf("warning does not name the %s: %s", a.kind.noun, d.Detail())
					}
				}
				if !slices.Equal(got, tt.want) {
					t.Errorf("warnings %v, want %v", got, tt.want)
				}
			})
		}
	}
}
