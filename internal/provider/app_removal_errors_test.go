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

func TestRemovalErrorDetail(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want []string
	}{
		{"timeout", fmt.Errorf("stopped waiting: %w", context.DeadlineExceeded), []string{"create timeout of 2m0s", "timeouts.create"}},
		{"interrupted", fmt.Errorf("stopped waiting: %w", context.Canceled), []string{"interrupted", "Applying again sends the removal again"}},
		{"unauthorized", &upswift.APIError{StatusCode: 401, Attempts: 1}, []string{"401 Unauthorized", "wrong or revoked", "UPSWIFT_USER_TOKEN"}},
		{"not found", &upswift.APIError{StatusCode: 404, Body: "Not Found", ContentType: "text/html", Attempts: 1}, []string{"404 Not Found", "endpoint", "UPSWIFT_ENDPOINT"}},
		{"rate limited", &upswift.APIError{StatusCode: 429, Attempts: 5}, []string{"after 5 attempts", "requests_per_minute"}},
		{"no answer", &upswift.RequestError{Attempts: 3, Err: errors.New("connection refused")}, []string{"3 attempt(s)", "connection refused", "endpoint"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := removalErrorDetail("legacy-agent", 2*time.Minute, tt.err)
			for _, w := range append(tt.want, `"legacy-agent"`, "Nothing was saved to state") {
				if !strings.Contains(got, w) {
					t.Errorf("detail %q does not contain %q", got, w)
				}
			}
		})
	}
}
