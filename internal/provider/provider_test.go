package provider

import (
	"context"
	"strings"
	"testing"

	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// testAccProtoV6ProviderFactories serves the provider in-process to the
// Terraform CLI that the test framework runs.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"upswift": providerserver.NewProtocol6WithError(New("test")()),
}

// parallelUnitTest runs a Terraform-driven test case against the provider
// served in-process, in parallel with the others; the emulator each test
// starts is its API, so the case needs no TF_ACC.
func parallelUnitTest(t *testing.T, tc resource.TestCase) {
	t.Helper()
	tc.IsUnitTest = true
	tc.ProtoV6ProviderFactories = testAccProtoV6ProviderFactories
	resource.ParallelTest(t, tc)
}

func TestProviderSchemaIsValid(t *testing.T) {
	ctx := context.Background()
	resp := &fwprovider.SchemaResponse{}
	New("test")().Schema(ctx, fwprovider.SchemaRequest{}, resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("schema diagnostics: %v", resp.Diagnostics)
	}
	if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
		t.Fatalf("provider schema is not valid: %v", diags)
	}
	if !resp.Schema.Attributes["user_token"].IsSensitive() {
		t.Error("user_token must be sensitive")
	}
	for name, a := range resp.Schema.Attributes {
		if a.GetMarkdownDescription() == "" {
			t.Errorf("provider attribute %s has no MarkdownDescription", name)
		}
	}
}

func TestResourceSchemaIsValid(t *testing.T) {
	for _, kind := range []removalKind{appRemoval, tagRemoval} {
		t.Run(kind.noun, func(t *testing.T) { testResourceSchemaIsValid(t, kind) })
	}
}

func testResourceSchemaIsValid(t *testing.T, kind removalKind) {
	ctx := context.Background()
	resp := &fwresource.SchemaResponse{}
	(&removalResource{removal{kind: kind}}).Schema(ctx, fwresource.SchemaRequest{}, resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("schema diagnostics: %v", resp.Diagnostics)
	}
	if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
		t.Fatalf("resource schema is not valid: %v", diags)
	}
	if resp.Schema.MarkdownDescription == "" {
		t.Error("resource has no MarkdownDescription")
	}
	// Every attribute, nested ones included, is described for users.
	for _, p := range []string{"id", kind.nameAttr, "device_filter", "triggers", "timeouts"} {
		a, ok := resp.Schema.Attributes[p]
		if !ok {
			t.Errorf("attribute %s missing", p)
			continue
		}
		if a.GetMarkdownDescription() == "" {
			t.Errorf("attribute %s has no MarkdownDescription", p)
		}
	}
	for _, p := range []string{"device_filter.project", "device_filter.project.name", "device_filter.groups",
		"device_filter.groups.name", "device_filter.filters", "device_filter.filters.type",
		"device_filter.filters.operand", "device_filter.filters.value", "timeouts.create"} {
		a := nestedAttribute(t, resp, p)
		// The timeouts library fills Description, which the docs use too.
		if a != nil && a.GetMarkdownDescription() == "" && a.GetDescription() == "" {
			t.Errorf("attribute %s has no MarkdownDescription", p)
		}
	}
}

// nestedAttribute finds an attribute by a dotted path through nested
// attributes (list elements are passed through).
func nestedAttribute(t *testing.T, resp *fwresource.SchemaResponse, dotted string) schema.Attribute {
	t.Helper()
	attrs := resp.Schema.Attributes
	var a schema.Attribute
	for _, name := range strings.Split(dotted, ".") {
		var ok bool
		if a, ok = attrs[name]; !ok {
			t.Errorf("attribute %s missing", dotted)
			return nil
		}
		switch n := a.(type) {
		case schema.SingleNestedAttribute:
			attrs = n.Attributes
		case schema.ListNestedAttribute:
			attrs = n.NestedObject.Attributes
		default:
			attrs = nil
		}
	}
	return a
}

// TestTokenWhiteSpaceWarning: a token with surrounding white space (a
// newline from file(), a pasted secret) gets a warning on user_token that
// says how to fix it and does not print the token.
func TestTokenWhiteSpaceWarning(t *testing.T) {
	const summary = "User Token Has Surrounding White Space"
	tests := []struct {
		name, config, env string
		wantWarning       bool
		wantFix           string
	}{
		{name: "trailing newline in the configuration", config: "tok-3f9a1c\n", wantWarning: true, wantFix: "trimspace("},
		{name: "leading space in the configuration", config: " tok-3f9a1c", wantWarning: true, wantFix: "trimspace("},
		{name: "trailing newline in the environment", env: "tok-3f9a1c\n", wantWarning: true, wantFix: envUserToken},
		{name: "clean token", config: "tok-3f9a1c"},
		{name: "clean token in the environment", env: "tok-3f9a1c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(envUserToken, tt.env)
			diags := configureProviderDiags(t, newTestServer(t), "http://127.0.0.1:1", tt.config)
			var found *tfprotov6.Diagnostic
			for _, d := range diags {
				if d.Summary == summary {
					found = d
				}
			}
			if errs := errorsOnly(diags); len(errs) > 0 {
				t.Fatalf("configure failed: %s", describe(errs))
			}
			if !tt.wantWarning {
				if found != nil {
					t.Fatalf("unexpected warning: %s", found.Detail)
				}
				return
			}
			if found == nil {
				t.Fatalf("no %q warning; got %s", summary, describe(diags))
			}
			if found.Severity != tfprotov6.DiagnosticSeverityWarning {
				t.Errorf("severity %v, want a warning", found.Severity)
			}
			if got := pathString(found.Attribute); got != "user_token" {
				t.Errorf("warning on %q, want user_token", got)
			}
			if !strings.Contains(found.Detail, tt.wantFix) {
				t.Errorf("detail does not suggest %q: %s", tt.wantFix, found.Detail)
			}
			if strings.Contains(found.Detail, "tok-3f9a1c") {
				t.Errorf("detail prints the token: %s", found.Detail)
			}
		})
	}
}
