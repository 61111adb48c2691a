package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// TestReplaceOnNewDevices: a reviewed set that gains a device (or is known
// only at apply) plans a new removal; one that loses devices, or stays,
// does not.
func TestReplaceOnNewDevices(t *testing.T) {
	set := func(ids ...string) types.Set {
		values := make([]attr.Value, len(ids))
		for i, id := range ids {
			values[i] = types.StringValue(id)
		}
		return types.SetValueMust(types.StringType, values)
	}
	null, unknown := types.SetNull(types.StringType), types.SetUnknown(types.StringType)
	tests := []struct {
		name         string
		state, plan  types.Set
		wantReplaced bool
	}{
		{"a device joined", set("d-1", "d-2"), set("d-1", "d-2", "d-5"), true},
		{"a device left", set("d-1", "d-2"), set("d-1"), false},
		{"one left, one joined", set("d-1", "d-2"), set("d-1", "d-5"), true},
		{"the set is dropped", set("d-1"), null, false},
		{"a set where the state had none", null, set("d-1"), true},
		{"an empty set where the state had none", null, set(), false},
		{"known only at apply", set("d-1"), unknown, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := &setplanmodifier.RequiresReplaceIfFuncResponse{}
			replaceOnNewDevices(context.Background(), planmodifier.SetRequest{StateValue: tt.state, PlanValue: tt.plan}, resp)
			if resp.Diagnostics.HasError() {
				t.Fatal(resp.Diagnostics)
			}
			if resp.RequiresReplace != tt.wantReplaced {
				t.Errorf("RequiresReplace = %t, want %t", resp.RequiresReplace, tt.wantReplaced)
			}
		})
	}
}
