package provider

import (
	"context"

	actionschema "github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The attributes of the scope checks (scope_check.go), declared for the
// removal resources and actions: expected_device_uuids and max_devices,
// and the resource's record of the devices its removal applied to.

func expectedDevicesDescription(noun string) string {
	return "The scope the reviewer approved: the `device_uuid` of every device this " + noun + " removal may apply " +
		"to, typically `data.upswift_devices.<name>.device_uuids` of an `upswift_devices` with the same " +
		"`device_filter`. Being configuration, it shows in the plan and a saved plan keeps it. Right before the " +
		"removal is sent, the provider lists the scope again: when `device_filter` selects a device this set " +
		"lacks (one that joined since the plan), the removal is refused, nothing is sent, and the error names the " +
		"devices; devices of the set that no longer match get a warning and the removal goes ahead. A plan in " +
		"which the removal would run lists the scope too, and fails when it already holds such a device. With an " +
		"`app` filter, which the API's reads cannot evaluate, the scope compared is the superset `upswift_devices` " +
		"reports."
}

const expectedDevicesResourceNote = " Once the removal has run, a set that gains devices plans a replacement, " +
	"which sends the removal again over the new reviewed scope (the diff names the new devices); a set that only " +
	"loses devices is updated in place and sends nothing."

func maxDevicesDescription(noun string) string {
	return "The most devices this " + noun + " removal may apply to. A plan in which the removal would run lists " +
		"the scope and fails when `device_filter` selects more devices (a value known only at apply defers the " +
		"check to the apply); right before the removal is sent the scope is listed and checked again. Needs no " +
		"data source and no `precondition`, so it works on every Terraform and OpenTofu version."
}

const appliedDevicesDescription = "The `device_uuid` of every device the removal applied to: the scope as the " +
	"provider listed it right before sending the removal. Recorded only when `expected_device_uuids` or " +
	"`max_devices` asks for a check (a removal without either lists nothing, and this stays null); with an `app` " +
	"filter, which the API's reads cannot evaluate, it is the superset of devices that match the other filters."

// resourceScopeAttributes are the scope attributes of a removal resource.
func resourceScopeAttributes(noun string) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"expected_device_uuids": schema.SetAttribute{
			MarkdownDescription: expectedDevicesDescription(noun) + expectedDevicesResourceNote,
			ElementType:         types.StringType,
			Optional:            true,
			Validators:          uuidValidators(),
			PlanModifiers: []planmodifier.Set{setplanmodifier.RequiresReplaceIf(replaceOnNewDevices,
				"a new removal when the set gains devices", "a new removal when the set gains devices")},
		},
		"max_devices": schema.Int64Attribute{
			MarkdownDescription: maxDevicesDescription(noun) + " Changing it sends nothing.",
			Optional:            true,
			Validators:          maxDevicesValidators(),
		},
		"applied_device_uuids": schema.SetAttribute{
			MarkdownDescription: appliedDevicesDescription,
			ElementType:         types.StringType,
			Computed:            true,
			PlanModifiers:       []planmodifier.Set{setplanmodifier.UseStateForUnknown()},
		},
	}
}

// actionScopeAttributes are the scope attributes of a removal action.
func actionScopeAttributes(noun string) map[string]actionschema.Attribute {
	return map[string]actionschema.Attribute{
		"expected_device_uuids": actionschema.SetAttribute{
			MarkdownDescription: expectedDevicesDescription(noun),
			ElementType:         types.StringType,
			Optional:            true,
			Validators:          uuidValidators(),
		},
		"max_devices": actionschema.Int64Attribute{
			MarkdownDescription: maxDevicesDescription(noun),
			Optional:            true,
			Validators:          maxDevicesValidators(),
		},
	}
}

// replaceOnNewDevices plans a new removal when expected_device_uuids gains
// a device its state lacks (a state without the set lacks every device),
// or is known only at apply: those devices were never reviewed for this
// removal. A set that only loses devices is updated in place.
func replaceOnNewDevices(ctx context.Context, req planmodifier.SetRequest, resp *setplanmodifier.RequiresReplaceIfFuncResponse) {
	if req.PlanValue.IsUnknown() {
		resp.RequiresReplace = true
		return
	}
	var planned, stated []string
	resp.Diagnostics.Append(req.PlanValue.ElementsAs(ctx, &planned, false)...)
	if !req.StateValue.IsNull() && !req.StateValue.IsUnknown() {
		resp.Diagnostics.Append(req.StateValue.ElementsAs(ctx, &stated, false)...)
	}
	reviewed := make(map[string]bool, len(stated))
	for _, id := range stated {
		reviewed[id] = true
	}
	for _, id := range planned {
		if !reviewed[id] {
			resp.RequiresReplace = true
			return
		}
	}
}

// appliedSet is applied_device_uuids for the devices listed right before
// the removal was sent: null when no check listed them.
func appliedSet(listed []string, checked bool) types.Set {
	if !checked {
		return types.SetNull(types.StringType)
	}
	return types.SetValueMust(types.StringType, stringValues(listed))
}

func stringValues(ss []string) []attr.Value {
	out := make([]attr.Value, len(ss))
	for i, s := range ss {
		out[i] = types.StringValue(s)
	}
	return out
}
