package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ resource.Resource               = (*removalResource)(nil)
	_ resource.ResourceWithConfigure  = (*removalResource)(nil)
	_ resource.ResourceWithModifyPlan = (*removalResource)(nil)
)

// NewAppRemovalResource returns the upswift_app_removal resource.
func NewAppRemovalResource() resource.Resource {
	return &removalResource{removal{kind: appRemoval}}
}

// NewTagRemovalResource returns the upswift_tag_removal resource.
func NewTagRemovalResource() resource.Resource {
	return &removalResource{removal{kind: tagRemoval}}
}

// removalResource is a removal as a resource: creating it sends the
// removal, and nothing else calls the API. Both kinds share it; only the
// attribute naming what is removed differs, so values are read by path.
type removalResource struct{ removal }

func (r *removalResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + r.kind.typeName
}

func (r *removalResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	k := r.kind
	resp.Schema = schema.Schema{
		MarkdownDescription: fmt.Sprintf("%s.\n\n"+
			"This resource is an operation, not a remote object: **creating** it removes the %s from the devices "+
			"that match `device_filter` at that moment. Changing any argument, or any value in `triggers`, plans a "+
			"replacement, which sends the removal again. Refresh keeps the state as it is (the API has nothing to "+
			"read back). **Destroying** it makes no API call and does not put the %s back: it only removes the "+
			"resource from Terraform state. On Terraform 1.14 and later, the `upswift_%s` action does the same "+
			"removal without keeping anything in state.\n\n%s",
			k.summary(), k.noun, k.noun, k.typeName, deviceFilterMarkdown(k.noun, k.nameAttr)),
		Attributes: withAttributes(map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "A random identifier of this removal, set when it is applied.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			k.nameAttr: schema.StringAttribute{
				MarkdownDescription: k.nameDescription + " Changing it forces a new removal.",
				Required:            true,
				Validators:          nonEmpty(),
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"device_filter": resourceDeviceFilterAttribute(k.noun),
			"triggers": schema.MapAttribute{
				MarkdownDescription: "Arbitrary values that, when changed, force a new removal, in the way " +
					"`terraform_data`'s `triggers_replace` does; for example a version of the fleet image, so that " +
					"the " + k.noun + " is removed again from devices that got it back.",
				ElementType:   types.StringType,
				Optional:      true,
				PlanModifiers: []planmodifier.Map{mapplanmodifier.RequiresReplace()},
			},
			"timeouts": timeoutsAttribute(ctx),
		}, resourceScopeAttributes(k.noun)),
	}
}

// withAttributes adds more attributes to attrs.
func withAttributes[A any](attrs, more map[string]A) map[string]A {
	maps.Copy(attrs, more)
	return attrs
}

// timeoutsAttribute is the timeouts attribute of terraform-plugin-framework-
// timeouts, described for users.
func timeoutsAttribute(ctx context.Context) schema.Attribute {
	attr := timeouts.Attributes(ctx, timeouts.Opts{
		Create: true,
		CreateDescription: fmt.Sprintf("How long a removal may take, retries and rate-limit waits included "+
			"(a [duration](https://pkg.go.dev/time#ParseDuration) such as `\"5m\"`). Defaults to `%s`.", defaultCreateTimeout),
	})
	if nested, ok := attr.(schema.SingleNestedAttribute); ok {
		nested.MarkdownDescription = "How long Terraform waits for the operations of this resource. Changing it " +
			"makes no API call and forces no new removal."
		return nested
	}
	return attr
}

func (r *removalResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	resp.Diagnostics.Append(r.configure(req.ProviderData)...)
}

// ModifyPlan adds the plan-review warnings (a removal that applies to a
// whole project, a destroy that does not put anything back, a missing
// token) and, when the removal would run, its scope checks.
func (r *removalResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		// The whole state is read, not only the name: a state that does not
		// fit the schema is an error, not a warning about an empty name.
		var state types.Object
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if resp.Diagnostics.HasError() {
			return
		}
		name, _ := state.Attributes()[r.kind.nameAttr].(types.String)
		resp.Diagnostics.Append(destroyWarning(r.kind, name)...)
		return
	}
	if removes := req.State.Raw.IsNull() || len(resp.RequiresReplace) > 0; !removes {
		return
	}
	timeout, diags := createTimeout(ctx, req.Plan)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(r.planChecks(ctx, req.Plan.GetAttribute, resourceForm, timeout)...)
}

func (r *removalResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	name, filter, diags := readRemoval(ctx, r.kind, req.Plan.GetAttribute)
	resp.Diagnostics.Append(diags...)
	check, diags := readScopeCheck(ctx, req.Plan.GetAttribute)
	resp.Diagnostics.Append(diags...)
	timeout, diags := createTimeout(ctx, req.Plan)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	run := removalRun{kind: r.kind, name: name, filter: filter, check: check, timeout: timeout, form: resourceForm}
	scope, diags := run.run(ctx, r.data)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(setPlanAsState(ctx, req.Plan, &resp.State)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), newID())...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("applied_device_uuids"),
		appliedSet(uuidsOf(scope), check.requested()))...)
}

// createTimeout is the plan's timeouts.create, or the default.
func createTimeout(ctx context.Context, plan tfsdk.Plan) (time.Duration, diag.Diagnostics) {
	var to timeouts.Value
	diags := plan.GetAttribute(ctx, path.Root("timeouts"), &to)
	if diags.HasError() {
		return 0, diags
	}
	timeout, d := to.Create(ctx, defaultCreateTimeout)
	diags.Append(d...)
	return timeout, diags
}

// Read keeps the state as it is: a removal has nothing to read back.
func (r *removalResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

// Update is reached only for changes that need no API call (timeouts):
// every other argument forces replacement.
func (r *removalResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.Diagnostics.Append(setPlanAsState(ctx, req.Plan, &resp.State)...)
}

// Delete makes no API call: the framework removes the resource from state.
func (r *removalResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
}

// setPlanAsState stores the planned values as the new state.
func setPlanAsState(ctx context.Context, plan tfsdk.Plan, state *tfsdk.State) diag.Diagnostics {
	var values types.Object
	diags := plan.Get(ctx, &values)
	if diags.HasError() {
		return diags
	}
	diags.Append(state.Set(ctx, values)...)
	return diags
}

func newID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
