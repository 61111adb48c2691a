package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The plan-review diagnostics of both removal resources, through the
// provider server as Terraform asks for a plan: a removal of a whole
// project, a destroy that puts nothing back, a missing token.

// TestPlanWarnings checks the plan-review warnings of both removal
// resources through the provider server, as Terraform asks for a plan.
func TestPlanWarnings(t *testing.T) {
	for _, k := range []struct {
		kind        removalKind
		name        string
		noReinstall string
	}{
		{appRemoval, "legacy-agent", "Destroying Does Not Reinstall the App"},
		{tagRemoval, "edge", "Destroying Does Not Restore the Tag"},
	} {
		t.Run(k.kind.noun, func(t *testing.T) { testPlanWarnings(t, k.kind, k.name, k.noReinstall) })
	}
}

func testPlanWarnings(t *testing.T, kind removalKind, name, noReinstall string) {
	const (
		wholeProject = "Removal Applies to a Whole Project"
		noToken      = "Missing Upswift User Token"
	)
	tests := []struct {
		name     string
		token    string
		groups   []string
		filters  []filterCase
		destroy  bool
		want     []string
		wantNone []string
	}{
		{name: "whole project", token: "x", want: []string{wholeProject}, wantNone: []string{noToken, noReinstall}},
		{name: "empty lists are a whole project", token: "x", groups: []string{}, filters: []filterCase{}, want: []string{wholeProject}},
		{name: "groups narrow it", token: "x", groups: []string{"TestGroup1"}, wantNone: []string{wholeProject}},
		{name: "filters narrow it", token: "x", filters: []filterCase{{"tag", "is", "edge"}}, wantNone: []string{wholeProject}},
		{name: "destroy", token: "x", destroy: true, want: []string{noReinstall}, wantNone: []string{wholeProject}},
		{name: "no token", token: "", groups: []string{"G"}, want: []string{noToken}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(envUserToken, "")
			ctx := context.Background()
			server := newTestServer(t)
			configureProvider(t, server, tt.token)
			objType, config := resourceValueOf(t, server, kind, name, tt.groups, tt.filters, "")
			null := tftypes.NewValue(objType, nil)
			req := &tfprotov6.PlanResourceChangeRequest{
				TypeName:         "upswift_" + kind.typeName,
				PriorState:       dynamic(t, objType, null),
				ProposedNewState: dynamic(t, objType, config),
				Config:           dynamic(t, objType, config),
			}
			if tt.destroy {
				req.PriorState, req.ProposedNewState = dynamic(t, objType, config), dynamic(t, objType, null)
			}
			resp, err := server.PlanResourceChange(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if errs := errorsOnly(resp.Diagnostics); len(errs) > 0 {
				t.Fatalf("plan failed: %s", describe(errs))
			}
			summaries := map[string]string{}
			for _, d := range resp.Diagnostics {
				if d.Severity == tfprotov6.DiagnosticSeverityWarning {
					summaries[d.Summary] = d.Detail
				}
			}
			for _, w := range tt.want {
				detail, ok := summaries[w]
				if !ok {
					t.Errorf("missing warning %q; got %v", w, summaries)
				}
				if !strings.Contains(detail, fmt.Sprintf("%s %q", kind.noun, name)) && w != noToken {
					t.Errorf("warning %q does not name the %s: %s", w, kind.noun, detail)
				}
				if w == noToken && (!strings.Contains(detail, "user_token") || !strings.Contains(detail, envUserToken)) {
					t.Errorf("token warning does not name both ways to set it: %s", detail)
				}
			}
			for _, w := range tt.wantNone {
				if _, ok := summaries[w]; ok {
					t.Errorf("unexpected warning %q", w)
				}
			}
		})
	}
}

// TestDestroyWarningNeedsTheState: when the prior state cannot be read, the
// destroy plan reports that error instead of warning about an empty app name.
func TestDestroyWarningNeedsTheState(t *testing.T) {
	for _, newResource := range []func() fwresource.Resource{NewAppRemovalResource, NewTagRemovalResource} {
		testDestroyWarningNeedsTheState(t, newResource())
	}
}

func testDestroyWarningNeedsTheState(t *testing.T, r fwresource.Resource) {
	ctx := context.Background()
	var schemaResp fwresource.SchemaResponse
	r.Schema(ctx, fwresource.SchemaRequest{}, &schemaResp)
	s := schemaResp.Schema
	// A state of another shape than the schema's: State.Get fails.
	wrong := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"id": tftypes.String}}
	req := fwresource.ModifyPlanRequest{
		State: tfsdk.State{Schema: s, Raw: tftypes.NewValue(wrong, map[string]tftypes.Value{"id": tftypes.NewValue(tftypes.String, "x")})},
		Plan:  tfsdk.Plan{Schema: s, Raw: tftypes.NewValue(s.Type().TerraformType(ctx), nil)},
	}
	resp := &fwresource.ModifyPlanResponse{Plan: req.Plan}
	r.(fwresource.ResourceWithModifyPlan).ModifyPlan(ctx, req, resp)
	if !resp.Diagnostics.HasError() {
		t.Fatalf("an unreadable state gave no error: %v", resp.Diagnostics)
	}
	for _, d := range resp.Diagnostics.Warnings() {
		t.Errorf("unexpected warning %q: %s", d.Summary(), d.Detail())
	}
}
