package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/upswift/terraform-provider-upswift/internal/upswift"
)

// What every removal shares, resource or action, app or tag: the kinds of
// removal the API offers, the call with its timeout, the error wording and
// the plan warnings.

// defaultCreateTimeout bounds a removal, retries and rate-limit waits
// included, when the configuration sets no timeouts.create (resources) or
// timeout (actions).
const defaultCreateTimeout = 10 * time.Minute

// removalKind is one of the API's removals.
type removalKind struct {
	// noun is what is removed: "app" or "tag".
	noun string
	// typeName is the resource and action type without the provider
	// prefix: "app_removal".
	typeName string
	// nameAttr is the attribute naming what is removed: "app_name".
	nameAttr string
	// call is the API call, for descriptions: "DELETE /v1/device_apps".
	call string
	// nameDescription describes nameAttr.
	nameDescription string
	// restore says how to put back what was removed.
	restore string
	// remove sends the removal.
	remove func(ctx context.Context, c *upswift.Client, name string, f upswift.DeviceFilter) error
	// changesReads is true when the removal changes what the API's reads
	// report: a tag removal does (tags), an app removal does not (the
	// reads report no apps).
	changesReads bool
}

var (
	appRemoval = removalKind{
		noun:            "app",
		typeName:        "app_removal",
		nameAttr:        "app_name",
		call:            "DELETE /v1/device_apps",
		nameDescription: "Name of the app to remove, as it appears on the dashboard. The app must exist in the account.",
		restore:         "deploy it again from the Upswift dashboard",
		remove: func(ctx context.Context, c *upswift.Client, name string, f upswift.DeviceFilter) error {
			return c.RemoveApp(ctx, upswift.RemoveAppRequest{AppName: name, DeviceFilter: f})
		},
	}
	tagRemoval = removalKind{
		noun:            "tag",
		typeName:        "tag_removal",
		nameAttr:        "tag_name",
		call:            "DELETE /v1/device_tags",
		nameDescription: "Name of the tag to remove, as it appears on the dashboard. A tag with that name must exist in the account.",
		restore:         "tag the devices again in their details on the Upswift dashboard",
		changesReads:    true,
		remove: func(ctx context.Context, c *upswift.Client, name string, f upswift.DeviceFilter) error {
			return c.RemoveTag(ctx, upswift.RemoveTagRequest{TagName: name, DeviceFilter: f})
		},
	}
)

// summary says in one sentence, without a full stop, what the removal does.
func (k removalKind) summary() string {
	article := "a"
	if k.noun == "app" {
		article = "an"
	}
	return fmt.Sprintf("Removes %s %s from the devices of an Upswift (JFrog Connect) project that a device filter "+
		"selects, with one `%s` call", article, k.noun, k.call)
}

// title is the noun with a capital, for diagnostic summaries: "App".
func (k removalKind) title() string { return titleWord(k.noun) }

// removalRun is one removal to send: from a resource's Create or an
// action's Invoke.
type removalRun struct {
	kind    removalKind
	name    types.String
	filter  types.Object
	check   scopeCheck
	timeout time.Duration
	// form is resourceForm or actionForm; it picks the words of the
	// errors.
	form form
}

// run sends the removal with the provider's client, after the scope checks
// it asks for, and returns the devices listed right before it was sent
// (nil when it asked for no check). Every error names what was removed and
// says what to do; nothing invalid is sent.
func (r removalRun) run(ctx context.Context, data *providerData) ([]upswift.Device, diag.Diagnostics) {
	diags := data.ready("the removal is sent")
	if diags.HasError() {
		return nil, diags
	}
	filter, d := expandDeviceFilter(ctx, path.Root("device_filter"), r.filter)
	diags.Append(d...)
	if diags.HasError() {
		return nil, diags
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	var scope []upswift.Device
	if r.check.requested() {
		data.readingFleet()
		sel, d := r.check.run(ctx, data.listings.Since(time.Now().Add(-checkFreshness)), filter, r.form, r.timeout)
		diags.Append(d...)
		if diags.HasError() {
			return nil, diags
		}
		scope = sel.Devices
	}
	err := r.kind.remove(ctx, data.client, r.name.ValueString(), filter)
	if r.kind.changesReads {
		// Whether or not its answer came back, the removal may have
		// changed what the reads report: later reads list again.
		data.listings.Forget()
	}
	if err != nil {
		diags.AddError("Unable to Remove "+r.kind.title(), r.errorDetail(err))
		return nil, diags
	}
	return scope, diags
}

// readRemoval reads the name of what is removed and device_filter from a
// plan or a configuration. The name's attribute differs by kind, so both
// are read by path.
func readRemoval(ctx context.Context, k removalKind, get func(context.Context, path.Path, any) diag.Diagnostics) (types.String, types.Object, diag.Diagnostics) {
	var name types.String
	var filter types.Object
	diags := get(ctx, path.Root(k.nameAttr), &name)
	diags.Append(get(ctx, path.Root("device_filter"), &filter)...)
	return name, filter, diags
}

// errorDetail explains why the removal failed with err and what to do
// next, in the words of its form: a resource's apply or an action's
// invocation.
func (r removalRun) errorDetail(err error) string {
	noun, name := r.kind.noun, r.name.ValueString()
	what := fmt.Sprintf("Removing %s %q", noun, name)
	saved, limit, again := " Nothing was saved to state.", "the create timeout", "Applying again sends the removal again."
	if r.form == actionForm {
		saved, limit, again = "", "the action's timeout", "Invoking the action again sends the removal again."
	}
	raise := " Raise " + r.form.timeoutName() + ", or try again later."
	var apiErr *upswift.APIError
	var reqErr *upswift.RequestError
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("%s did not finish within %s of %s: %s.%s%s", what, limit, r.timeout, err, saved, raise)
	case errors.Is(err, context.Canceled):
		return fmt.Sprintf("Terraform was interrupted while waiting for the API to remove %s %q: %s.%s "+
			"The API may or may not have removed the %s. %s", noun, name, err, saved, noun, again)
	case errors.As(err, &apiErr):
		detail := fmt.Sprintf("%s failed: %s.", what, apiErr)
		if hint := apiErr.Hint(); hint != "" {
			detail += "\n\n" + hint
		}
		if saved != "" {
			detail += "\n\n" + saved[1:]
		}
		return detail
	case errors.As(err, &reqErr):
		return fmt.Sprintf("%s failed: %s. Check the provider's endpoint and the network, then try again.%s", what, reqErr, saved)
	}
	return fmt.Sprintf("%s failed: %s.%s", what, err, saved)
}

// destroyWarning is the plan warning for a destroyed removal resource.
func destroyWarning(kind removalKind, name types.String) diag.Diagnostics {
	var diags diag.Diagnostics
	summary := "Destroying Does Not Reinstall the App"
	if kind.noun != "app" {
		summary = "Destroying Does Not Restore the " + kind.title()
	}
	diags.AddWarning(summary,
		fmt.Sprintf("Destroying this upswift_%s makes no API call: it only removes the resource from "+
			"Terraform state. The %s %q stays removed from the devices it was removed from; to put it back, %s.",
			kind.typeName, kind.noun, name.ValueString(), kind.restore))
	return diags
}

// planChecks are the diagnostics of a plan that will send the removal:
// warnings about a removal that applies to a whole project and about a
// missing token, then the scope checks the removal asks for. get reads the
// plan (a resource) or the configuration (an action); timeout bounds the
// listing.
func (r *removal) planChecks(ctx context.Context, get func(context.Context, path.Path, any) diag.Diagnostics, s form, timeout time.Duration) diag.Diagnostics {
	name, filter, diags := readRemoval(ctx, r.kind, get)
	check, d := readScopeCheck(ctx, get)
	diags.Append(d...)
	if diags.HasError() {
		return diags
	}
	diags.Append(wholeProjectWarning(ctx, path.Root("device_filter"), filter, r.kind.noun, name)...)
	if r.data != nil && r.data.tokenMissing {
		diags.AddWarning("Missing Upswift User Token", missingTokenDetail+
			" This plan can be reviewed, but applying it will fail until a token is set.")
	}
	diags.Append(r.checkScopeAtPlan(ctx, filter, check, s, timeout)...)
	return diags
}

// checkScopeAtPlan lists the removal's scope during the plan, when it asks
// for a check and every value the check needs is known, so that a scope
// the apply would refuse fails the plan. It returns diagnostics only:
// nothing read here becomes a planned value.
func (r *removal) checkScopeAtPlan(ctx context.Context, filterObj types.Object, check scopeCheck, s form, timeout time.Duration) diag.Diagnostics {
	var diags diag.Diagnostics
	if !check.requested() {
		return diags
	}
	if check.expected.IsUnknown() {
		diags.AddAttributeWarning(path.Root("expected_device_uuids"), "Reviewed Scope Known Only at Apply",
			"expected_device_uuids is known only after apply, so this plan does not show the devices the removal "+
				"will be held to. The apply still refuses the removal when device_filter selects a device outside the "+
				"set it gets then. For a review that binds, give it a set known during the plan, such as the "+
				"device_uuids of an upswift_devices whose device_filter is known during the plan.")
	}
	if !check.known() || !fullyKnown(ctx, filterObj) || r.data.ready("").HasError() {
		return diags
	}
	filter, d := expandDeviceFilter(ctx, path.Root("device_filter"), filterObj)
	diags.Append(d...)
	if diags.HasError() {
		return diags
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	r.data.readingFleet()
	_, d = check.run(ctx, r.data.listings, filter, s, timeout)
	diags.Append(d...)
	return diags
}

// fullyKnown is true when v holds no unknown value, however deep.
func fullyKnown(ctx context.Context, v attr.Value) bool {
	tv, err := v.ToTerraformValue(ctx)
	return err == nil && tv.IsFullyKnown()
}

// removal is what a removal resource and a removal action hold: the kind
// of removal and, once configured, the provider's data.
type removal struct {
	kind removalKind
	data *providerData
}

// configure keeps what the provider's Configure handed over, for resources
// and actions alike.
func (r *removal) configure(v any) diag.Diagnostics {
	data, diags := asProviderData(v)
	if data != nil {
		r.data = data
	}
	return diags
}
