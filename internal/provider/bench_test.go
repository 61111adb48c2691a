package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The benchmarks below measure what Terraform asks of the provider per
// resource; `make bench` measures whole Terraform runs.

func BenchmarkSchema(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		server := newTestServer(b)
		if _, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidateResourceConfig(b *testing.B) {
	ctx := context.Background()
	server := newTestServer(b)
	objType, config := resourceValue(b, server, []string{"G1", "G2"}, []filterCase{{"specific_device", "is", "d-1"}, {"device_state", "is", "online"}}, "")
	req := &tfprotov6.ValidateResourceConfigRequest{TypeName: "upswift_app_removal", Config: dynamic(b, objType, config)}
	for b.Loop() {
		resp, err := server.ValidateResourceConfig(ctx, req)
		if err != nil || len(resp.Diagnostics) > 0 {
			b.Fatal(err, resp.Diagnostics)
		}
	}
}

func BenchmarkPlanResourceChange(b *testing.B) {
	ctx := context.Background()
	server := newTestServer(b)
	configureProvider(b, server, "x")
	objType, config := resourceValue(b, server, []string{"G1", "G2"}, []filterCase{{"specific_device", "is", "d-1"}, {"device_state", "is", "online"}}, "")
	req := &tfprotov6.PlanResourceChangeRequest{
		TypeName:         "upswift_app_removal",
		PriorState:       dynamic(b, objType, tftypes.NewValue(objType, nil)),
		ProposedNewState: dynamic(b, objType, config),
		Config:           dynamic(b, objType, config),
	}
	for b.Loop() {
		resp, err := server.PlanResourceChange(ctx, req)
		if err != nil || len(errorsOnly(resp.Diagnostics)) > 0 {
			b.Fatal(err, resp.Diagnostics)
		}
	}
}
