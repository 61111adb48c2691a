package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"

	"github.com/upswift/terraform-provider-upswift/internal/upswift"
)

var (
	_ action.Action               = (*removalAction)(nil)
	_ action.ActionWithConfigure  = (*removalAction)(nil)
	_ action.ActionWithModifyPlan = (*removalAction)(nil)
)

// NewAppRemovalAction returns the upswift_app_removal action.
func NewAppRemovalAction() action.Action { return &removalAction{removal{kind: appRemoval}} }

// NewTagRemovalAction returns the upswift_tag_removal action.
func NewTagRemovalAction() action.Action { return &removalAction{removal{kind: tagRemoval}} }

// removalAction is a removal as a Terraform action (Terraform 1.14 and
// later): invoking it sends the removal; nothing is kept in state. It has
// the resource's arguments, validation, client and error wording.
type removalAction struct{ removal }

func (a *removalAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + a.kind.typeName
}

func (a *removalAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	k := a.kind
	resp.Schema = schema.Schema{
		MarkdownDescription: fmt.Sprintf("%s, each time the action is invoked: with "+
			"`terraform apply -invoke=action.upswift_%s.<name>`, or from a resource's `lifecycle` "+
			"`action_trigger`. Nothing is kept in state. Needs Terraform 1.14 or later; the "+
			"`upswift_%s` resource does the same on any version.\n\n%s",
			k.summary(), k.typeName, k.typeName, deviceFilterMarkdown(k.noun, k.nameAttr)),
		Attributes: withAttributes(map[string]schema.Attribute{
			k.nameAttr: schema.StringAttribute{
				MarkdownDescription: k.nameDescription,
				Required:            true,
				Validators:          nonEmpty(),
			},
			"device_filter": actionDeviceFilterAttribute(k.noun),
			"timeout": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("How long an invocation may take, retries and rate-limit waits "+
					"included (a [duration](https://pkg.go.dev/time#ParseDuration) such as `\"5m\"`). Defaults to `%s`.",
					defaultCreateTimeout),
				CustomType: timetypes.GoDurationType{},
				Optional:   true,
				Validators: []validator.String{positiveDuration{}},
			},
		}, actionScopeAttributes(k.noun)),
	}
}

func (a *removalAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	resp.Diagnostics.Append(a.configure(req.ProviderData)...)
}

// ModifyPlan warns, as the resource's plan does, about a removal that
// applies to a whole project and about a missing token, and runs the scope
// checks the action asks for.
func (a *removalAction) ModifyPlan(ctx context.Context, req action.ModifyPlanRequest, resp *action.ModifyPlanResponse) {
	timeout, diags := actionTimeout(ctx, req.Config)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(a.planChecks(ctx, req.Config.GetAttribute, actionForm, timeout)...)
}

// Invoke sends the removal and reports its progress: each attempt, waits
// for the rate limit, retries after server errors, the API's success, and
// the devices listed right before sending when a scope check listed them.
// The messages name the call, never the token.
func (a *removalAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	name, filter, diags := readRemoval(ctx, a.kind, req.Config.GetAttribute)
	resp.Diagnostics.Append(diags...)
	check, diags := readScopeCheck(ctx, req.Config.GetAttribute)
	resp.Diagnostics.Append(diags...)
	timeout, diags := actionTimeout(ctx, req.Config)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	progress := func(string) {}
	if resp.SendProgress != nil {
		progress = func(msg string) { resp.SendProgress(action.InvokeProgressEvent{Message: msg}) }
		ctx = upswift.WithProgress(ctx, func(e upswift.Event) { progress(e.String()) })
	}
	run := removalRun{kind: a.kind, name: name, filter: filter, check: check, timeout: timeout, form: actionForm}
	scope, diags := run.run(ctx, a.data)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() || !check.requested() {
		return
	}
	for _, msg := range scopeProgress(a.kind.noun, scope) {
		progress(msg)
	}
}

// actionTimeout is the configuration's timeout, or the default.
func actionTimeout(ctx context.Context, config tfsdk.Config) (time.Duration, diag.Diagnostics) {
	var configured timetypes.GoDuration
	diags := config.GetAttribute(ctx, path.Root("timeout"), &configured)
	if diags.HasError() || configured.IsNull() || configured.IsUnknown() {
		return defaultCreateTimeout, diags
	}
	d, more := configured.ValueGoDuration()
	diags.Append(more...)
	return d, diags
}
