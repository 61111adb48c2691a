package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/upswift/terraform-provider-upswift/internal/upswift"
)

// defaultCreateTimeout bounds a removal, retries and rate-limit waits
// included, when the configuration sets no timeouts.create.
const defaultCreateTimeout = 10 * time.Minute

var (
	_ resource.Resource               = (*appRemovalResource)(nil)
	_ resource.ResourceWithConfigure  = (*appRemovalResource)(nil)
	_ resource.ResourceWithModifyPlan = (*appRemovalResource)(nil)
)

// NewAppRemovalResource returns the upswift_app_removal resource.
func NewAppRemovalResource() resource.Resource {
	return &appRemovalResource{}
}

type appRemovalResource struct {
	data *providerData
}

type appRemovalModel struct {
	ID           types.String   `tfsdk:"id"`
	AppName      types.String   `tfsdk:"app_name"`
	DeviceFilter types.Object   `tfsdk:"device_filter"`
	Triggers     types.Map      `tfsdk:"triggers"`
	Timeouts     timeouts.Value `tfsdk:"timeouts"`
}

// deviceFilterModel is device_filter once every value is known (apply).
type deviceFilterModel struct {
	Project nameModel     `tfsdk:"project"`
	Groups  []nameModel   `tfsdk:"groups"`
	Filters []filterModel `tfsdk:"filters"`
}

// deviceFilterPlanModel is device_filter during plan, where lists may still
// be unknown.
type deviceFilterPlanModel struct {
	Project types.Object `tfsdk:"project"`
	Groups  types.List   `tfsdk:"groups"`
	Filters types.List   `tfsdk:"filters"`
}

type nameModel struct {
	Name types.String `tfsdk:"name"`
}

type filterModel struct {
	Type    types.String `tfsdk:"type"`
	Operand types.String `tfsdk:"operand"`
	Value   types.String `tfsdk:"value"`
}

var (
	groupObjectType  = types.ObjectType{AttrTypes: map[string]attr.Type{"name": types.StringType}}
	filterObjectType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"type": types.StringType, "operand": types.StringType, "value": types.StringType,
	}}
)

func (r *appRemovalResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_app_removal"
}

func (r *appRemovalResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	nonEmpty := []validator.String{stringvalidator.LengthAtLeast(1)}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Removes an app from the devices of an Upswift (JFrog Connect) project that a device " +
			"filter selects, with one `DELETE /v1/device_apps` call.\n\n" +
			"This resource is an operation, not a remote object: **creating** it removes the app from the devices " +
			"that match `device_filter` at that moment. Changing any argument, or any value in `triggers`, plans a " +
			"replacement, which sends the removal again. Refresh keeps the state as it is (the API has nothing to " +
			"read back). **Destroying** it makes no API call and does not reinstall the app: it only removes the " +
			"resource from Terraform state.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "A random identifier of this removal, set when it is applied.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"app_name": schema.StringAttribute{
				MarkdownDescription: "Name of the app to remove, as it appears on the dashboard. The app must exist in the account. Changing it forces a new removal.",
				Required:            true,
				Validators:          nonEmpty,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"device_filter": schema.SingleNestedAttribute{
				MarkdownDescription: "Which devices the app is removed from: the devices of `project` that belong to " +
					"any of `groups` (all of the project's devices when `groups` is empty) and match every one of " +
					"`filters`. With no groups and no filters the removal applies to the whole project, and the plan " +
					"warns about it. Changing it forces a new removal.",
				Required:      true,
				PlanModifiers: []planmodifier.Object{objectplanmodifier.RequiresReplace()},
				Attributes: map[string]schema.Attribute{
					"project": schema.SingleNestedAttribute{
						MarkdownDescription: "The project whose devices are selected.",
						Required:            true,
						Attributes: map[string]schema.Attribute{
							"name": schema.StringAttribute{
								MarkdownDescription: "Project name, as shown on the dashboard (e.g. `Demo`).",
								Required:            true,
								Validators:          nonEmpty,
							},
						},
					},
					"groups": schema.ListNestedAttribute{
						MarkdownDescription: "Device groups of the project; devices of any of them are selected. " +
							"Defaults to an empty list, which selects all of the project's devices.",
						Optional: true,
						Computed: true,
						Default:  listdefault.StaticValue(types.ListValueMust(groupObjectType, []attr.Value{})),
						NestedObject: schema.NestedAttributeObject{
							Attributes: map[string]schema.Attribute{
								"name": schema.StringAttribute{
									MarkdownDescription: "Group name, as shown on the dashboard (e.g. `TestGroup1`).",
									Required:            true,
									Validators:          nonEmpty,
								},
							},
						},
					},
					"filters": schema.ListNestedAttribute{
						MarkdownDescription: "Filters that every selected device must match (they combine with AND). " +
							"Defaults to an empty list. `device_state` takes only the operand `is` and the values " +
							"`online` or `offline`; `update_status` takes `pending`, `in_progress`, `success`, `failed` " +
							"or `aborted`.",
						Optional: true,
						Computed: true,
						Default:  listdefault.StaticValue(types.ListValueMust(filterObjectType, []attr.Value{})),
						NestedObject: schema.NestedAttributeObject{
							Validators: []validator.Object{filterValidator{}},
							Attributes: map[string]schema.Attribute{
								"type": schema.StringAttribute{
									MarkdownDescription: "Filter type: one of " + markdownList(upswift.FilterTypeNames()) + ".",
									Required:            true,
									Validators:          []validator.String{stringvalidator.OneOf(upswift.FilterTypeNames()...)},
								},
								"operand": schema.StringAttribute{
									MarkdownDescription: "`is` or `is_not`; `device_state` takes only `is`.",
									Required:            true,
									Validators:          []validator.String{stringvalidator.OneOf(upswift.OperandIs, upswift.OperandIsNot)},
								},
								"value": schema.StringAttribute{
									MarkdownDescription: "What the filter compares with: a device ID, tag or app name; `online` or `offline` for `device_state`; `pending`, `in_progress`, `success`, `failed` or `aborted` for `update_status`.",
									Required:            true,
									Validators:          nonEmpty,
								},
							},
						},
					},
				},
			},
			"triggers": schema.MapAttribute{
				MarkdownDescription: "Arbitrary values that, when changed, force a new removal, in the way " +
					"`terraform_data`'s `triggers_replace` does; for example a version of the fleet image, so that " +
					"the app is removed again from devices that got it back.",
				ElementType:   types.StringType,
				Optional:      true,
				PlanModifiers: []planmodifier.Map{mapplanmodifier.RequiresReplace()},
			},
			"timeouts": timeoutsAttribute(ctx),
		},
	}
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

func (r *appRemovalResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if req.ProviderData == nil {
		return
	}
	data, ok := req.ProviderData.(*providerData)
	if !ok {
		resp.Diagnostics.AddError("Unexpected Resource Configure Type",
			fmt.Sprintf("Expected *providerData, got %T. Please report this issue to the provider developers.", req.ProviderData))
		return
	}
	r.data = data
}

// ModifyPlan adds the plan-review warnings: a removal that applies to a
// whole project, a destroy that does not reinstall, a missing token.
func (r *appRemovalResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		var state appRemovalModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if resp.Diagnostics.HasError() {
			return
		}
		resp.Diagnostics.AddWarning("Destroying Does Not Reinstall the App",
			fmt.Sprintf("Destroying this upswift_app_removal makes no API call: it only removes the resource from "+
				"Terraform state. The app %q stays removed from the devices it was removed from; to put it back, "+
				"deploy it again from the Upswift dashboard.", state.AppName.ValueString()))
		return
	}
	removes := req.State.Raw.IsNull() || len(resp.RequiresReplace) > 0
	if !removes {
		return
	}

	var plan appRemovalModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || plan.DeviceFilter.IsUnknown() || plan.DeviceFilter.IsNull() {
		return
	}
	var filter deviceFilterPlanModel
	resp.Diagnostics.Append(plan.DeviceFilter.As(ctx, &filter, basetypes.ObjectAsOptions{})...)
	if resp.Diagnostics.HasError() {
		return
	}
	if isEmptyList(filter.Groups) && isEmptyList(filter.Filters) {
		project := "(known after apply)"
		var p nameModel
		if !filter.Project.IsUnknown() && !filter.Project.As(ctx, &p, basetypes.ObjectAsOptions{}).HasError() && !p.Name.IsUnknown() {
			project = fmt.Sprintf("%q", p.Name.ValueString())
		}
		resp.Diagnostics.AddAttributeWarning(path.Root("device_filter"), "Removal Applies to a Whole Project",
			fmt.Sprintf("device_filter has no groups and no filters: applying will remove the app %s from every "+
				"device of project %s. Add groups or filters to narrow it.", quoteKnown(plan.AppName), project))
	}
	if r.data != nil && r.data.tokenMissing {
		resp.Diagnostics.AddWarning("Missing Upswift User Token", missingTokenDetail+
			" This plan can be reviewed, but applying it will fail until a token is set.")
	}
}

const missingTokenDetail = "The provider configuration has no user token. Set user_token in the provider \"upswift\" block " +
	"(e.g. user_token = var.upswift_user_token) or set the " + envUserToken + " environment variable. " +
	"The token is under Settings on the Upswift (JFrog Connect) dashboard."

func (r *appRemovalResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan appRemovalModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	switch {
	case r.data == nil:
		resp.Diagnostics.AddError("Unconfigured Upswift Provider",
			"The provider was not configured before the removal. Please report this issue to the provider developers.")
		return
	case r.data.tokenMissing:
		// Not an attribute of this resource: the token belongs to the
		// provider configuration, which the detail names.
		resp.Diagnostics.AddError("Missing Upswift User Token", missingTokenDetail)
		return
	case r.data.client == nil:
		resp.Diagnostics.AddError("Unconfigured Upswift Provider",
			"The provider configuration still had unknown values at apply. Make sure user_token and endpoint are known before the removal is applied.")
		return
	}

	removal, diags := expandRemoveAppRequest(ctx, plan)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(checkFilters(removal.DeviceFilter.Filters)...)
	timeout, diags := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	if err := r.data.client.RemoveApp(ctx, removal); err != nil {
		resp.Diagnostics.AddError("Unable to Remove App", removalErrorDetail(removal.AppName, timeout, err))
		return
	}

	plan.ID = types.StringValue(newID())
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

// Read keeps the state as it is: a removal has nothing to read back.
func (r *appRemovalResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

// Update is reached only for changes that need no API call (timeouts):
// every other argument forces replacement.
func (r *appRemovalResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan appRemovalModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

// Delete makes no API call: the framework removes the resource from state.
func (r *appRemovalResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
}

// expandRemoveAppRequest turns a fully known plan into the API request.
func expandRemoveAppRequest(ctx context.Context, m appRemovalModel) (upswift.RemoveAppRequest, diag.Diagnostics) {
	var f deviceFilterModel
	diags := m.DeviceFilter.As(ctx, &f, basetypes.ObjectAsOptions{})
	req := upswift.RemoveAppRequest{
		AppName: m.AppName.ValueString(),
		DeviceFilter: upswift.DeviceFilter{
			Project: upswift.Project{Name: f.Project.Name.ValueString()},
			Groups:  make([]upswift.Group, 0, len(f.Groups)),
			Filters: make([]upswift.Filter, 0, len(f.Filters)),
		},
	}
	for _, g := range f.Groups {
		req.DeviceFilter.Groups = append(req.DeviceFilter.Groups, upswift.Group{Name: g.Name.ValueString()})
	}
	for _, fl := range f.Filters {
		req.DeviceFilter.Filters = append(req.DeviceFilter.Filters, upswift.Filter{
			Type: fl.Type.ValueString(), Operand: fl.Operand.ValueString(), Value: fl.Value.ValueString(),
		})
	}
	return req, diags
}

// checkFilters checks filters whose values were unknown during plan and are
// known now, so that nothing invalid is ever sent.
func checkFilters(filters []upswift.Filter) diag.Diagnostics {
	var diags diag.Diagnostics
	for i, f := range filters {
		var fe *upswift.FilterError
		if err := f.Validate(); errors.As(err, &fe) {
			p := path.Root("device_filter").AtName("filters").AtListIndex(i).AtName(fe.Field)
			diags.AddAttributeError(p, "Invalid Filter", fmt.Sprintf("Attribute %s: %s.", p, err))
		}
	}
	return diags
}

// removalErrorDetail explains a failed removal and what to do next.
func removalErrorDetail(app string, timeout time.Duration, err error) string {
	var apiErr *upswift.APIError
	var reqErr *upswift.RequestError
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("Removing app %q did not finish within the create timeout of %s: %s. "+
			"Nothing was saved to state. Raise timeouts.create, or try again later.", app, timeout, err)
	case errors.Is(err, context.Canceled):
		return fmt.Sprintf("Terraform was interrupted while waiting for the API to remove app %q: %s. "+
			"Nothing was saved to state; the API may or may not have removed the app. Applying again sends the removal again.", app, err)
	case errors.As(err, &apiErr):
		detail := fmt.Sprintf("Removing app %q failed: %s.", app, apiErr)
		if hint := apiErr.Hint(); hint != "" {
			detail += "\n\n" + hint
		}
		return detail + "\n\nNothing was saved to state."
	case errors.As(err, &reqErr):
		return fmt.Sprintf("Removing app %q failed: %s. Check the provider's endpoint and the network, "+
			"then apply again. Nothing was saved to state.", app, reqErr)
	}
	return fmt.Sprintf("Removing app %q failed: %s. Nothing was saved to state.", app, err)
}

func isEmptyList(l types.List) bool {
	return !l.IsUnknown() && len(l.Elements()) == 0
}

func quoteKnown(s types.String) string {
	if s.IsUnknown() {
		return "(known after apply)"
	}
	return fmt.Sprintf("%q", s.ValueString())
}

func markdownList(values []string) string {
	out := ""
	for i, v := range values {
		switch {
		case i == 0:
		case i == len(values)-1:
			out += " or "
		default:
			out += ", "
		}
		out += "`" + v + "`"
	}
	return out
}

func newID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
