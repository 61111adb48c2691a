package provider

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/upswift/terraform-provider-upswift/internal/upswift"
)

// Every validator of the provider's schemas, and the validator lists the
// schema declarations share, in one place: what a configuration value must
// be to pass terraform validate. They run before any API call; the values
// they cannot see during the plan (unknown until apply) are checked again
// where they are used (checkFilters).

// endpointValidator accepts an absolute https URL, or http for loopback.
type endpointValidator struct{}

var _ validator.String = endpointValidator{}

func (endpointValidator) Description(context.Context) string {
	return "must be an absolute https URL (http only for loopback hosts)"
}

func (v endpointValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (endpointValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := upswift.ParseEndpoint(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Upswift Endpoint",
			fmt.Sprintf("Attribute %s: %s.", req.Path, err))
	}
}

// filterValidator checks a filter's operand and value against its type, as
// the API documents them. The type itself is checked by a OneOf validator on
// the type attribute, empty strings by LengthAtLeast; unknown values are
// checked once they are known, by checkFilters, in the same words.
type filterValidator struct{}

var _ validator.Object = filterValidator{}

func (filterValidator) Description(context.Context) string {
	return "operand and value must be allowed for the filter's type"
}

func (v filterValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (filterValidator) ValidateObject(_ context.Context, req validator.ObjectRequest, resp *validator.ObjectResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	attrs := req.ConfigValue.Attributes()
	typ, ok := knownString(attrs["type"])
	if !ok {
		return
	}
	ft, found := upswift.LookupFilterType(typ)
	if !found {
		return
	}
	// An operand that no type takes is refused by the OneOf on the operand
	// attribute; here only operands this type does not take.
	if operand, ok := knownString(attrs["operand"]); ok && slices.Contains(allOperands(), operand) {
		resp.Diagnostics.Append(filterDiagnostics(req.Path, ft.CheckOperand(operand))...)
	}
	if value, ok := knownString(attrs["value"]); ok && value != "" {
		resp.Diagnostics.Append(filterDiagnostics(req.Path, ft.CheckValue(value))...)
	}
}

// positiveDuration refuses a timeout of zero or less, which would end an
// invocation before its first request. The custom type has already refused
// what is not a duration.
type positiveDuration struct{}

func (positiveDuration) Description(context.Context) string { return "must be a duration above zero" }

func (v positiveDuration) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (positiveDuration) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if d, err := time.ParseDuration(req.ConfigValue.ValueString()); err == nil && d <= 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Timeout",
			fmt.Sprintf("Attribute %s value %q must be a duration above zero, such as \"5m\".", req.Path, req.ConfigValue.ValueString()))
	}
}

// The validator lists below serve attributes declared more than once: in
// the resource, action and data source schemas, which are separate
// packages of the framework.

// nonEmpty refuses an empty string: a name or a filter's value.
func nonEmpty() []validator.String { return []validator.String{stringvalidator.LengthAtLeast(1)} }

// filterTypeValidators allow the filter types of upswift.FilterTypes.
func filterTypeValidators() []validator.String {
	return []validator.String{stringvalidator.OneOf(upswift.FilterTypeNames()...)}
}

// filterOperandValidators allow the operands some filter type takes;
// filterValidator then checks the operand against the filter's type.
func filterOperandValidators() []validator.String {
	return []validator.String{stringvalidator.OneOf(allOperands()...)}
}

// uuidValidators refuse an empty device_uuid in expected_device_uuids.
func uuidValidators() []validator.Set {
	return []validator.Set{setvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1))}
}

// maxDevicesValidators refuse a max_devices below one.
func maxDevicesValidators() []validator.Int64 {
	return []validator.Int64{int64validator.AtLeast(1)}
}
