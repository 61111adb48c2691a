package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/upswift/terraform-provider-upswift/internal/upswift"
)

func TestDataSourceSchemaIsValid(t *testing.T) {
	ctx := context.Background()
	resp := &datasource.SchemaResponse{}
	NewDevicesDataSource().Schema(ctx, datasource.SchemaRequest{}, resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("schema diagnostics: %v", resp.Diagnostics)
	}
	if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
		t.Fatalf("data source schema is not valid: %v", diags)
	}
	if resp.Schema.MarkdownDescription == "" {
		t.Error("data source has no MarkdownDescription")
	}
	// Every attribute, nested ones included, is described for users.
	var walk func(prefix string, attrs map[string]schema.Attribute)
	count := 0
	walk = func(prefix string, attrs map[string]schema.Attribute) {
		for name, a := range attrs {
			count++
			if a.GetMarkdownDescription() == "" && a.GetDescription() == "" {
				t.Errorf("attribute %s%s has no description", prefix, name)
			}
			switch n := a.(type) {
			case schema.SingleNestedAttribute:
				walk(prefix+name+".", n.Attributes)
			case schema.ListNestedAttribute:
				walk(prefix+name+".", n.NestedObject.Attributes)
			}
		}
	}
	walk("", resp.Schema.Attributes)
	if count < 20 {
		t.Errorf("walked %d attributes: the schema is not what the test expects", count)
	}
}

// TestDeviceFilterIsOneDefinition: the data source's device_filter has
// the attributes, types, requiredness and descriptions of the action's
// (which, like it, has no defaults), and the nested descriptions of the
// resource's.
func TestDeviceFilterIsOneDefinition(t *testing.T) {
	resp, err := newTestServer(t).GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	filterOf := func(s *tfprotov6.Schema) *tfprotov6.SchemaAttribute {
		for _, a := range s.Block.Attributes {
			if a.Name == "device_filter" {
				return a
			}
		}
		t.Fatal("no device_filter")
		return nil
	}
	ds := flattenAttribute("", filterOf(resp.DataSourceSchemas["upswift_devices"]))
	action := flattenAttribute("", filterOf(resp.ActionSchemas["upswift_app_removal"].Schema))
	res := flattenAttribute("", filterOf(resp.ResourceSchemas["upswift_app_removal"]))
	if len(ds) != 9 {
		t.Fatalf("device_filter has %d attributes: %v", len(ds), ds)
	}
	for path, a := range ds {
		b, ok := action[path]
		switch {
		case !ok:
			t.Errorf("the action's device_filter lacks %s", path)
		case path == "device_filter":
			// Each says what it selects devices for.
		case a != b:
			t.Errorf("%s differs:\n data source %s\n action      %s", path, a, b)
		}
		if strings.Count(path, ".") == 2 && res[path] != a {
			t.Errorf("%s differs from the resource's:\n data source %s\n resource    %s", path, a, res[path])
		}
	}
}

// flattenAttribute describes an attribute and its nested ones by dotted
// path: type, requiredness and description.
func flattenAttribute(prefix string, a *tfprotov6.SchemaAttribute) map[string]string {
	path := prefix + a.Name
	out := map[string]string{path: fmt.Sprintf("required=%v optional=%v computed=%v %s", a.Required, a.Optional, a.Computed, a.Description)}
	if a.NestedType == nil {
		out[path] += " " + a.Type.String()
		return out
	}
	out[path] += fmt.Sprintf(" nesting=%v", a.NestedType.Nesting)
	for _, n := range a.NestedType.Attributes {
		for k, v := range flattenAttribute(path+".", n) {
			out[k] = v
		}
	}
	return out
}

// TestDataSourceFilterValidationIsTheRemovals: every filter of the
// validation table gets, from the data source, exactly the diagnostics
// the removal resource gives it: same summaries, details and paths.
func TestDataSourceFilterValidationIsTheRemovals(t *testing.T) {
	types := []string{"specific_device", "tag", "app", "device_state", "update_status", "", "Tag"}
	operands := []string{"is", "is_not", "", "contains"}
	values := []string{"online", "success", "d-4ec7-1be9", "", "done"}
	server := newTestServer(t)
	compared, refused := 0, 0
	for _, typ := range types {
		for _, op := range operands {
			for _, val := range values {
				for _, unknown := range []string{"", "value"} {
					filters := []filterCase{{typ: "tag", operand: "is", value: "ok"}, {typ, op, val}}
					want := validateConfigWith(t, server, filters, unknown)
					got := validateDataSource(t, server, filters, unknown)
					if sortedDiagnostics(got) != sortedDiagnostics(want) {
						t.Errorf("%s/%s/%s (unknown %q):\n data source: %s\n resource:    %s", typ, op, val, unknown, describe(got), describe(want))
					}
					compared++
					if len(errorsOnly(want)) > 0 {
						refused++
					}
				}
			}
		}
	}
	if refused == 0 || refused == compared {
		t.Fatalf("%d of %d filters refused: the table does not test both", refused, compared)
	}
}

// validateDataSource validates an upswift_devices of project Demo with
// these filters (the last one's unknownField left unknown).
func validateDataSource(t *testing.T, server tfprotov6.ProviderServer, filters []filterCase, unknownField string) []*tfprotov6.Diagnostic {
	t.Helper()
	f := upswift.DeviceFilter{Project: upswift.Project{Name: "Demo"}}
	for _, c := range filters {
		f.Filters = append(f.Filters, upswift.Filter{Type: c.typ, Operand: c.operand, Value: c.value})
	}
	typ, config := dataSourceValue(t, server, f)
	if unknownField != "" {
		var err error
		config, err = tftypes.Transform(config, func(p *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
			last := len(filters) - 1
			want := tftypes.NewAttributePath().WithAttributeName("device_filter").WithAttributeName("filters").
				WithElementKeyInt(last).WithAttributeName(unknownField)
			if p.Equal(want) {
				return tftypes.NewValue(tftypes.String, tftypes.UnknownValue), nil
			}
			return v, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	resp, err := server.ValidateDataResourceConfig(context.Background(), &tfprotov6.ValidateDataResourceConfigRequest{
		TypeName: "upswift_devices",
		Config:   dynamic(t, typ, config),
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp.Diagnostics
}

// sortedDiagnostics describes diags one per line, sorted: validators run
// in no fixed order.
func sortedDiagnostics(diags []*tfprotov6.Diagnostic) string {
	var out []string
	for _, d := range diags {
		out = append(out, describe([]*tfprotov6.Diagnostic{d}))
	}
	slices.Sort(out)
	return strings.Join(out, "")
}
