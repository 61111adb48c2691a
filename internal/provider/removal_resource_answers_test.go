package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/upswift/terraform-provider-upswift/internal/emulator"
	"github.com/upswift/terraform-provider-upswift/internal/emulator/emulatortest"
)

// What a removal resource makes of the API's answers: only the API's own
// success counts, a redirect is not followed, and a refusal reaches the
// user with the API's message.

// TestAccAppRemoval_onlyTheAPIsSuccessCounts: a 200 whose body is an HTML
// page (a proxy's login page, a captive portal) is not a removal: the apply
// fails with an excerpt and a hint, and nothing is stored, so the next apply
// sends the removal again and the API applies it then.
func TestAccAppRemoval_onlyTheAPIsSuccessCounts(t *testing.T) {
	f := newFixture(t)
	f.server.Emulator.FailNext(1, 200, true)
	config := f.config(`
  app_name      = "legacy-agent"
  device_filter = { project = { name = "Demo" }, groups = [{ name = "TestGroup3" }] }`)
	parallelUnitTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)Unable to Remove App.*200\s+OK,\s+but\s+not\s+with\s+the\s+API's\s+success\s+answer.*text/html.*200\s+OK.*proxy.*captive\s+portal.*Nothing\s+was\s+saved`),
			},
			{
				// Nothing was stored: the same configuration creates again.
				Config: config,
				Check: resource.ComposeAggregateTestCheckFunc(
					f.expectCalls(2),
					f.expectLost("legacy-agent", "d-5"),
					resource.TestCheckResourceAttrSet(testAccAddr, "id"),
				),
			},
		},
	})
}

// TestAccAppRemoval_redirectsAreNotFollowed: a redirect to another server
// fails the apply with the status, the Location and how to trust it; the
// server it points to receives nothing (not the token, not a GET), and the
// fleet is unchanged.
func TestAccAppRemoval_redirectsAreNotFollowed(t *testing.T) {
	for _, status := range []int{301, 308} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			f := newFixture(t)
			other := emulatortest.Start(t, testFleet())
			f.server.Emulator.RedirectNext(1, status, other.URL+"/v1/device_apps")
			statusText := map[int]string{301: `301\s+Moved\s+Permanently`, 308: `308\s+Permanent\s+Redirect`}[status]
			parallelUnitTest(t, resource.TestCase{
				Steps: []resource.TestStep{{
					Config: f.config(`
  app_name      = "legacy-agent"
  device_filter = { project = { name = "Demo" }, groups = [{ name = "TestGroup3" }] }`),
					ExpectError: regexp.MustCompile(`(?s)Unable to Remove App.*` + statusText + `\s+to\s+` +
						regexp.QuoteMeta(other.URL) + `/v1/device_apps.*follows\s+no\s+redirect.*set\s+the\s+provider's\s+endpoint`),
				}},
			})
			// Checked after the case: a step that expects an error runs no checks.
			if n := len(other.Emulator.Requests()); n != 0 {
				t.Errorf("the redirect target received %d requests; it must receive none", n)
			}
			if calls := f.removals(); len(calls) != 1 || calls[0].Outcome != emulator.OutcomeRedirected {
				t.Errorf("the endpoint received %+v, want one redirected removal", calls)
			}
			if lost, err := f.lost(); err != nil || len(lost) != 0 {
				t.Errorf("the fleet changed: %v %v", lost, err)
			}
		})
	}
}

// TestAccAppRemoval_apiRefusals: the emulator's error_message reaches the
// user, nothing is saved to state and no device changes.
func TestAccAppRemoval_apiRefusals(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"unknown app", `
  app_name      = "no-such-app"
  device_filter = { project = { name = "Demo" } }`, `(?s)Unable to Remove App.*400 Bad Request.*no-such-app`},
		{"unknown project", `
  app_name      = "legacy-agent"
  device_filter = { project = { name = "Nope" } }`, `(?s)Unable to Remove App.*400 Bad Request.*Nope`},
		{"unknown group", `
  app_name      = "legacy-agent"
  device_filter = { project = { name = "Demo" }, groups = [{ name = "TestGroup9" }] }`, `(?s)Unable to Remove App.*400 Bad Request.*TestGroup9`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			parallelUnitTest(t, resource.TestCase{
				Steps: []resource.TestStep{
					{Config: f.config(tt.body), ExpectError: regexp.MustCompile(tt.want)},
					{
						// Nothing was saved: the next plan creates it again.
						Config:             f.config(tt.body),
						PlanOnly:           true,
						ExpectNonEmptyPlan: true,
					},
				},
			})
			if n := len(f.removals()); n != 1 {
				t.Errorf("emulator received %d removal calls, want 1", n)
			}
			if lost, err := f.lost(); err != nil || len(lost) != 0 {
				t.Errorf("fleet changed after a refused removal: %v %v", lost, err)
			}
		})
	}
}
