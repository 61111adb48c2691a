package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/upswift/terraform-provider-upswift/internal/upswift"
)

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
// checked once they are known.
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
	// An operand that is neither is nor is_not is refused by the OneOf on
	// the operand attribute; here only operands the type does not take.
	if operand, ok := knownString(attrs["operand"]); ok && (operand == upswift.OperandIs || operand == upswift.OperandIsNot) {
		if err := ft.CheckOperand(operand); err != nil {
			p := req.Path.AtName("operand")
			resp.Diagnostics.AddAttributeError(p, "Invalid Filter Operand",
				fmt.Sprintf("Attribute %s value %q is not allowed for filter type %q. Allowed operands for %q: %s.",
					p, operand, typ, typ, upswift.QuoteList(ft.Operands)))
		}
	}
	if value, ok := knownString(attrs["value"]); ok && value != "" && ft.Values != nil {
		if err := ft.CheckValue(value); err != nil {
			p := req.Path.AtName("value")
			resp.Diagnostics.AddAttributeError(p, "Invalid Filter Value",
				fmt.Sprintf("Attribute %s value %q is not allowed for filter type %q. Allowed values for %q: %s.",
					p, value, typ, typ, upswift.QuoteList(ft.Values)))
		}
	}
}

func knownString(v any) (string, bool) {
	s, ok := v.(types.String)
	if !ok || s.IsNull() || s.IsUnknown() {
		return "", false
	}
	return s.ValueString(), true
}
