package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/upswift/terraform-provider-upswift/internal/emulator/emulatortest"
	"github.com/upswift/terraform-provider-upswift/internal/upswift"
)

// What upswift_devices does with the API's answers, run by Terraform: a
// refused listing, rate limits during paging, an app filter it cannot
// evaluate; and the words of a failed listing, for every kind of failure.

// TestAccDevices_unknownProject: a project the account does not have fails
// the plan with the API's message and the read's hint (the project and
// group names, the token); only the refused reads were sent.
func TestAccDevices_unknownProject(t *testing.T) {
	f := newFixture(t)
	parallelUnitTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: f.providerConfig() + devicesBlock("scope", `{ project = { name = "Nope" } }`),
			ExpectError: regexp.MustCompile(`(?s)Unable to List Upswift Devices.*Listing the devices of project "Nope"\s+failed.*400\s+Bad\s+Request.*project\s+"Nope"\s+does\s+not\s+exist.*` +
				`Check\s+the\s+project\s+and\s+group\s+names\s+against\s+the\s+Upswift\s+dashboard`),
		}},
	})
	log := f.server.Emulator.Requests()
	if len(log) == 0 {
		t.Fatal("nothing was sent")
	}
	for _, r := range log {
		if r.Method != "GET" || r.Status != 400 {
			t.Errorf("emulator received %s %s answered %d, want only refused reads", r.Method, r.Path, r.Status)
		}
	}
}

// TestAccDevices_rateLimitDuringPaging: an API that answers 429 while the
// provider pages through 130 devices is waited out: one `terraform apply`
// fetches each of the 3+3 pages with one 200, every 429 was a page sent
// again until accepted, and the list is complete.
func TestAccDevices_rateLimitDuringPaging(t *testing.T) {
	s := emulatortest.Start(t, pagingFleet(130))
	s.Emulator.SetLatency(5 * time.Millisecond)
	s.Emulator.SetRateLimit(8, 1, false)
	config := requiredUpswift + serverConfig(s, devicesBlock("all", `{ project = { name = "Fleet" } }`)+`
output "uuids" {
  value = data.upswift_devices.all.device_uuids
}
`)
	w := newWorkDir(t, terraformCLI(t), config)
	if out, err := w.run("apply", "-auto-approve", "-input=false", "-no-color"); err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	log := s.Emulator.Requests()
	counts := s.Emulator.Counts()
	t.Logf("answers: %v", counts)
	if counts[429] == 0 {
		t.Fatal("no 429 was answered: the test did not test waiting")
	}
	accepted := map[string]int{}
	for _, r := range log {
		if r.Status == 200 {
			accepted[r.Path+" "+string(r.RawBody)]++
		}
	}
	for _, path := range []string{detailsPath, statesPath} {
		pages := 0
		for _, r := range requestsTo(log, path) {
			key := path + " " + string(r.RawBody)
			switch {
			case r.Status == 429 && accepted[key] == 0:
				t.Errorf("%s %s was answered 429 and never accepted", path, r.RawBody)
			case r.Status != 200 && r.Status != 429:
				t.Errorf("%s answered %d", path, r.Status)
			case r.Status == 200:
				pages++
			}
		}
		if pages != 3 {
			t.Errorf("%s: %d pages accepted, want 3", path, pages)
		}
	}
	for key, n := range accepted {
		if n != 1 {
			t.Errorf("%s accepted %d times", key, n)
		}
	}
	out, err := w.run("output", "-json", "uuids")
	if err != nil {
		t.Fatalf("output: %v\n%s", err, out)
	}
	var got []string
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output %s: %v", out, err)
	}
	if !slices.Equal(got, fleetUUIDs(130, 1)) {
		t.Errorf("%d devices listed, want all 130 in order", len(got))
	}
}

// TestAccDevices_appFilterIsASuperset: with an app filter, the plan warns
// that it was not evaluated, naming it and the superset, and the listed
// devices hold every device the removal with the same filter then changes,
// and more: the reads cannot tell which devices have the app.
func TestAccDevices_appFilterIsASuperset(t *testing.T) {
	f := newFixture(t)
	const filter = `{
    project = { name = "Demo" }
    groups  = [{ name = "TestGroup2" }]
    filters = [
      { type = "device_state", operand = "is", value = "online" },
      { type = "app", operand = "is", value = "camera-driver" },
    ]
  }`
	config := f.actionConfig(devicesBlock("scope", filter) + fmt.Sprintf(`
resource "upswift_app_removal" "camera" {
  app_name      = "camera-driver"
  device_filter = %s
}

output "scope" {
  value = data.upswift_devices.scope.device_uuids
}
`, filter))
	w := newWorkDir(t, terraformCLI(t), config)
	out, err := w.run("apply", "-auto-approve", "-input=false", "-json")
	if err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	diags, err := jsonDiagnostics([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	var warning *jsonDiagnostic
	for i, d := range diags {
		if d.Summary == "App Filter Not Evaluated" {
			warning = &diags[i]
		}
	}
	if warning == nil || warning.Severity != "warning" {
		t.Fatalf("no App Filter Not Evaluated warning among %+v", diags)
	}
	for _, want := range []string{`{ type = "app", operand = "is", value = "camera-driver" }`, "superset", "only widens the selection"} {
		if !contains(warning.Detail, want) {
			t.Errorf("warning %q lacks %q", warning.Detail, want)
		}
	}
	scopeOut, err := w.run("output", "-json", "scope")
	if err != nil {
		t.Fatalf("output: %v\n%s", err, scopeOut)
	}
	var scope []string
	if err := json.Unmarshal([]byte(scopeOut), &scope); err != nil {
		t.Fatal(err)
	}
	removals := f.removals()
	if len(removals) != 1 {
		t.Fatalf("%d removals sent, want 1", len(removals))
	}
	for _, id := range removals[0].Removed {
		if !slices.Contains(scope, id) {
			t.Errorf("the removal changed %s, which the data source did not list (%v)", id, scope)
		}
	}
	if len(scope) <= len(removals[0].Removed) {
		t.Errorf("listed %v, changed %v: want a strict superset in this fleet (d-4 has no camera-driver)", scope, removals[0].Removed)
	}
	if strings.Join(scope, " ") != "d-4 d-4ec7-1be9" || strings.Join(removals[0].Removed, " ") != "d-4ec7-1be9" {
		t.Errorf("listed %v, changed %v; want d-4 d-4ec7-1be9 and d-4ec7-1be9", scope, removals[0].Removed)
	}
}

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
