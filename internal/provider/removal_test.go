package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/upswift/terraform-provider-upswift/internal/upswift"
)

// Tests of what every removal shares, resource or action (removal.go): the
// words of a failed removal, and the kept listings a removal drops.

func TestRemovalErrorDetail(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want []string
	}{
		{"timeout", fmt.Errorf("stopped waiting: %w", context.DeadlineExceeded), []string{"timeout of 2m0s"}},
		{"interrupted", fmt.Errorf("stopped waiting: %w", context.Canceled), []string{"interrupted", "again sends the removal again"}},
		{"unauthorized", &upswift.APIError{StatusCode: 401, Attempts: 1}, []string{"401 Unauthorized", "wrong or revoked", "UPSWIFT_USER_TOKEN"}},
		{"not found", &upswift.APIError{StatusCode: 404, Body: "Not Found", ContentType: "text/html", Attempts: 1}, []string{"404 Not Found", "endpoint", "UPSWIFT_ENDPOINT"}},
		{"rate limited", &upswift.APIError{StatusCode: 429, Attempts: 5}, []string{"after 5 attempts", "requests_per_minute"}},
		{"no answer", &upswift.RequestError{Attempts: 3, Err: errors.New("connection refused")}, []string{"3 attempt(s)", "connection refused", "endpoint"}},
	}
	// A resource's errors speak of state and timeouts.create; an action
	// keeps nothing in state and has no timeouts attribute.
	forms := []struct {
		name    string
		kind    removalKind
		form    form
		want    []string
		wantNot []string
	}{
		{"app resource", appRemoval, resourceForm, []string{`app "legacy-agent"`, "Nothing was saved to state"}, nil},
		{"tag action", tagRemoval, actionForm, []string{`tag "legacy-agent"`}, []string{"saved to state"}},
	}
	for _, form := range forms {
		for _, tt := range tests {
			t.Run(form.name+"/"+tt.name, func(t *testing.T) {
				run := removalRun{kind: form.kind, name: types.StringValue("legacy-agent"), timeout: 2 * time.Minute, form: form.form}
				got := run.errorDetail(tt.err)
				for _, w := range append(tt.want, form.want...) {
					if !strings.Contains(got, w) {
						t.Errorf("detail %q does not contain %q", got, w)
					}
				}
				for _, w := range form.wantNot {
					if strings.Contains(got, w) {
						t.Errorf("detail %q contains %q", got, w)
					}
				}
			})
		}
	}
	run := removalRun{kind: appRemoval, name: types.StringValue("a"), timeout: time.Minute, form: resourceForm}
	if got := run.errorDetail(context.DeadlineExceeded); !strings.Contains(got, "timeouts.create") {
		t.Errorf("a resource's timeout error does not name timeouts.create: %s", got)
	}
}

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
