package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/upswift/terraform-provider-upswift/internal/upswift"
)

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
