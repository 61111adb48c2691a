package provider

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/upswift/terraform-provider-upswift/internal/upswift"
)

// TestRemovalForgetsTheListings: within one provider process, a second
// read of the same project uses the kept listing, and a tag removal drops
// it, so that a read after the removal lists the fleet again and sees what
// the removal changed; an app removal, which changes nothing the reads
// report, keeps it.
func TestRemovalForgetsTheListings(t *testing.T) {
	f := newTagFixture(t)
	client, err := upswift.NewClient(upswift.Options{Endpoint: f.server.URL, UserToken: testAccToken, MaxRetries: 0})
	if err != nil {
		t.Fatal(err)
	}
	data := &providerData{client: client, listings: upswift.NewListingCache(client)}
	ctx := context.Background()
	edge := upswift.DeviceFilter{Project: upswift.Project{Name: "Demo"}, Filters: []upswift.Filter{{Type: "tag", Operand: "is", Value: "edge"}}}
	read := func() []string {
		t.Helper()
		sel, err := upswift.SelectDevices(ctx, data.listings, edge)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, d := range sel.Devices {
			ids = append(ids, d.UUID)
		}
		return ids
	}
	details := func() int { return countByPath(f.server.Emulator.Requests())[detailsPath] }

	if got := read(); !slices.Equal(got, []string{"d-1", "d-2"}) {
		t.Fatalf("before: %v", got)
	}
	if got := read(); !slices.Equal(got, []string{"d-1", "d-2"}) || details() != 1 {
		t.Fatalf("a second read listed again (%d listings) or changed: %v", details(), got)
	}

	// Remove the tag edge from d-2 only.
	filter := types.ObjectValueMust(map[string]attr.Type{
		"project": types.ObjectType{AttrTypes: map[string]attr.Type{"name": types.StringType}},
		"groups":  types.ListType{ElemType: groupObjectType},
		"filters": types.ListType{ElemType: filterObjectType},
	}, map[string]attr.Value{
		"project": types.ObjectValueMust(map[string]attr.Type{"name": types.StringType}, map[string]attr.Value{"name": types.StringValue("Demo")}),
		"groups":  types.ListValueMust(groupObjectType, nil),
		"filters": types.ListValueMust(filterObjectType, []attr.Value{types.ObjectValueMust(filterObjectType.AttrTypes, map[string]attr.Value{
			"type": types.StringValue("specific_device"), "operand": types.StringValue("is"), "value": types.StringValue("d-2"),
		})}),
	})
	run := removalRun{kind: tagRemoval, name: types.StringValue("edge"), filter: filter, timeout: time.Minute, form: resourceForm}
	if _, diags := run.run(ctx, data); diags.HasError() {
		t.Fatalf("removal: %v", diags)
	}
	if got := read(); !slices.Equal(got, []string{"d-1"}) || details() != 2 {
		t.Fatalf("after the removal: %v after %d listings, want [d-1] from a second listing", got, details())
	}

	// An app removal changes nothing the reads report: the listing stays.
	run = removalRun{kind: appRemoval, name: types.StringValue("legacy-agent"), filter: filter, timeout: time.Minute, form: resourceForm}
	if _, diags := run.run(ctx, data); diags.HasError() {
		t.Fatalf("app removal: %v", diags)
	}
	if got := read(); !slices.Equal(got, []string{"d-1"}) || details() != 2 {
		t.Fatalf("after an app removal: %v after %d listings, want [d-1] from the kept listing", got, details())
	}
}
