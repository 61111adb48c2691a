package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/upswift/terraform-provider-upswift/internal/upswift"
)

func TestListErrorDetail(t *testing.T) {
	filter := upswift.DeviceFilter{Project: upswift.Project{Name: "Demo"}, Groups: []upswift.Group{{Name: "G1"}, {Name: "G2"}}}
	tests := []struct {
		name string
		err  error
		want []string
	}{
		{"timeout", fmt.Errorf("stopped waiting: %w", context.DeadlineExceeded),
			[]string{"did not finish within timeouts.read of 2m0s", "Raise timeouts.read", "requests_per_minute"}},
		{"interrupted", fmt.Errorf("stopped waiting: %w", context.Canceled), []string{`interrupted while listing the devices of project "Demo"`}},
		{"refused", fmt.Errorf("devices_details page 1: %w", &upswift.APIError{StatusCode: 400, Message: "group \"G2\" does not exist", Attempts: 1}),
			[]string{`group "G2" does not exist`, "Check the project and group names"}},
		{"unauthorized", &upswift.APIError{StatusCode: 401, Attempts: 1}, []string{"401 Unauthorized", "wrong or revoked", "UPSWIFT_USER_TOKEN"}},
		{"no answer", &upswift.RequestError{Attempts: 3, Err: errors.New("connection refused")}, []string{"3 attempt(s)", "connection refused", "endpoint"}},
		{"malformed", fmt.Errorf("x: %w", &upswift.FieldError{Where: "devices_details: device 2 of page 1", Field: "tags", Got: "a string", Want: "a list of strings"}),
			[]string{`field "tags" is a string, want a list of strings`, "not as its documentation describes it", "does not guess"}},
		{"other", errors.New("boom"), []string{"failed: boom."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := deviceListing{filter: filter, timeoutName: "timeouts.read", timeout: 2 * time.Minute}.errorDetail(tt.err)
			for _, w := range append(tt.want, `project "Demo"`) {
				if !strings.Contains(got, w) {
					t.Errorf("detail %q lacks %q", got, w)
				}
			}
			if !strings.Contains(got, `in groups "G1", "G2"`) {
				t.Errorf("detail %q does not name the groups", got)
			}
			for _, not := range []string{"app name", "saved to state", "timeouts.create"} {
				if strings.Contains(got, not) {
					t.Errorf("detail %q speaks of %q", got, not)
				}
			}
		})
	}
}
