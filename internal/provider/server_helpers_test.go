package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Helpers of the tests that drive the provider server without a Terraform
// CLI: they start and configure it, build the values of a removal resource
// and validate them, and render the diagnostics it returns.

func configureProvider(t testing.TB, server tfprotov6.ProviderServer, token string) {
	t.Helper()
	configureProviderAt(t, server, "http://127.0.0.1:1", token)
}

func configureProviderAt(t testing.TB, server tfprotov6.ProviderServer, endpoint, token string) {
	t.Helper()
	if errs := errorsOnly(configureProviderDiags(t, server, endpoint, token)); len(errs) > 0 {
		t.Fatalf("configure failed: %s", describe(errs))
	}
}

// configureProviderDiags configures the provider with this endpoint and,
// unless empty, this user_token, and returns the diagnostics.
func configureProviderDiags(t testing.TB, server tfprotov6.ProviderServer, endpoint, token string) []*tfprotov6.Diagnostic {
	t.Helper()
	ctx := context.Background()
	schemaResp, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	typ := schemaResp.Provider.ValueType().(tftypes.Object)
	attrs := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		attrs[name] = tftypes.NewValue(at, nil)
	}
	if token != "" {
		attrs["user_token"] = tftypes.NewValue(tftypes.String, token)
	}
	attrs["endpoint"] = tftypes.NewValue(tftypes.String, endpoint)
	resp, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{
		TerraformVersion: "1.11.4",
		Config:           dynamic(t, typ, tftypes.NewValue(typ, attrs)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp.Diagnostics
}

func newTestServer(t testing.TB, opts ...Option) tfprotov6.ProviderServer {
	t.Helper()
	server, err := providerserver.NewProtocol6WithError(New("test", opts...)())()
	if err != nil {
		t.Fatal(err)
	}
	return server
}

func validateConfig(t *testing.T, server tfprotov6.ProviderServer, filters []filterCase) []*tfprotov6.Diagnostic {
	return validateConfigWith(t, server, filters, "")
}

// validateConfigWith builds a resource configuration with these filters
// (the last filter's unknownField left unknown) and validates it.
func validateConfigWith(t *testing.T, server tfprotov6.ProviderServer, filters []filterCase, unknownField string) []*tfprotov6.Diagnostic {
	t.Helper()
	objType, config := resourceValue(t, server, nil, filters, unknownField)
	resp, err := server.ValidateResourceConfig(context.Background(), &tfprotov6.ValidateResourceConfigRequest{
		TypeName: "upswift_app_removal",
		Config:   dynamic(t, objType, config),
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp.Diagnostics
}

// resourceValue builds an upswift_app_removal value removing legacy-agent in project "Demo" with
// these groups and filters; nil groups or filters are left null.
func resourceValue(t testing.TB, server tfprotov6.ProviderServer, groups []string, filters []filterCase, unknownField string) (tftypes.Object, tftypes.Value) {
	t.Helper()
	return resourceValueOf(t, server, appRemoval, "legacy-agent", groups, filters, unknownField)
}

// resourceValueOf is resourceValue for the resource of kind k, removing name.
func resourceValueOf(t testing.TB, server tfprotov6.ProviderServer, k removalKind, name string, groups []string, filters []filterCase, unknownField string) (tftypes.Object, tftypes.Value) {
	t.Helper()
	schemaResp, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	objType := schemaResp.ResourceSchemas["upswift_"+k.typeName].ValueType().(tftypes.Object)
	dfType := objType.AttributeTypes["device_filter"].(tftypes.Object)
	groupListType := dfType.AttributeTypes["groups"].(tftypes.List)
	filterListType := dfType.AttributeTypes["filters"].(tftypes.List)

	var groupList, filterList tftypes.Value
	if groups == nil {
		groupList = tftypes.NewValue(groupListType, nil)
	} else {
		elems := make([]tftypes.Value, len(groups))
		for i, g := range groups {
			elems[i] = tftypes.NewValue(groupListType.ElementType, map[string]tftypes.Value{"name": tftypes.NewValue(tftypes.String, g)})
		}
		groupList = tftypes.NewValue(groupListType, elems)
	}
	if filters == nil {
		filterList = tftypes.NewValue(filterListType, nil)
	} else {
		elems := make([]tftypes.Value, len(filters))
		for i, f := range filters {
			fields := map[string]tftypes.Value{
				"type":    tftypes.NewValue(tftypes.String, f.typ),
				"operand": tftypes.NewValue(tftypes.String, f.operand),
				"value":   tftypes.NewValue(tftypes.String, f.value),
			}
			if i == len(filters)-1 && unknownField != "" {
				fields[unknownField] = tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
			}
			elems[i] = tftypes.NewValue(filterListType.ElementType, fields)
		}
		filterList = tftypes.NewValue(filterListType, elems)
	}
	config := map[string]tftypes.Value{}
	for name, typ := range objType.AttributeTypes {
		config[name] = tftypes.NewValue(typ, nil)
	}
	config[k.nameAttr] = tftypes.NewValue(tftypes.String, name)
	config["device_filter"] = tftypes.NewValue(dfType, map[string]tftypes.Value{
		"project": tftypes.NewValue(dfType.AttributeTypes["project"], map[string]tftypes.Value{"name": tftypes.NewValue(tftypes.String, "Demo")}),
		"groups":  groupList,
		"filters": filterList,
	})
	return objType, tftypes.NewValue(objType, config)
}

func dynamic(t testing.TB, typ tftypes.Type, v tftypes.Value) *tfprotov6.DynamicValue {
	t.Helper()
	dv, err := tfprotov6.NewDynamicValue(typ, v)
	if err != nil {
		t.Fatal(err)
	}
	return &dv
}

func errorsOnly(diags []*tfprotov6.Diagnostic) []*tfprotov6.Diagnostic {
	return bySeverity(diags, tfprotov6.DiagnosticSeverityError)
}

// bySeverity returns the diagnostics of one severity.
func bySeverity(diags []*tfprotov6.Diagnostic, severity tfprotov6.DiagnosticSeverity) []*tfprotov6.Diagnostic {
	var out []*tfprotov6.Diagnostic
	for _, d := range diags {
		if d.Severity == severity {
			out = append(out, d)
		}
	}
	return out
}

func describe(diags []*tfprotov6.Diagnostic) string {
	if len(diags) == 0 {
		return "no diagnostics"
	}
	var b strings.Builder
	for _, d := range diags {
		fmt.Fprintf(&b, "\n  [%s] %s: %s", pathString(d.Attribute), d.Summary, d.Detail)
	}
	return b.String()
}

// pathString renders a protocol attribute path as device_filter.filters[1].type.
func pathString(p *tftypes.AttributePath) string {
	if p == nil {
		return ""
	}
	var b strings.Builder
	for _, step := range p.Steps() {
		switch s := step.(type) {
		case tftypes.AttributeName:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(string(s))
		case tftypes.ElementKeyInt:
			fmt.Fprintf(&b, "[%d]", int64(s))
		case tftypes.ElementKeyString:
			fmt.Fprintf(&b, "[%q]", string(s))
		}
	}
	return b.String()
}
