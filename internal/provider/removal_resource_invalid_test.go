package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// Configurations a removal resource refuses before anything is sent: an
// invalid argument or provider setting fails the plan, a missing token the
// apply, each with an error that names what to change.

// TestAccAppRemoval_invalidConfig: every class of invalid configuration
// fails at plan, and the API receives nothing.
func TestAccAppRemoval_invalidConfig(t *testing.T) {
	filter := func(typ, op, val string) string {
		return fmt.Sprintf(`
  app_name = "legacy-agent"
  device_filter = {
    project = { name = "Demo" }
    filters = [{ type = "tag", operand = "is", value = "edge" }, { type = %q, operand = %q, value = %q }]
  }`, typ, op, val)
	}
	tests := []struct {
		name string
		body string
		want string
	}{
		{"unknown type", filter("serial", "is", "x"), `filters\[1\]\.type value must be one of`},
		{"operand not allowed for type", filter("device_state", "is_not", "online"), `(?s)Invalid Filter Operand.*filters\[1\]\.operand value "is_not" is not allowed for\s+filter type "device_state"`},
		{"unknown operand", filter("tag", "contains", "x"), `filters\[1\]\.operand value must be one of`},
		{"device_state value", filter("device_state", "is", "asleep"), `(?s)Invalid Filter Value.*"online",\s+"offline"`},
		{"update_status value", filter("update_status", "is_not", "done"), `(?s)Invalid Filter Value.*"pending",\s+"in_progress"`},
		{"empty value", filter("tag", "is", ""), `filters\[1\]\.value string length must be at least 1`},
		{"empty app name", `
  app_name = ""
  device_filter = { project = { name = "Demo" } }`, `app_name string length must be at least 1`},
		{"empty project name", `
  app_name = "a"
  device_filter = { project = { name = "" } }`, `project\.name string length must be at least 1`},
		{"empty group name", `
  app_name = "a"
  device_filter = { project = { name = "Demo" }, groups = [{ name = "" }] }`, `groups\[0\]\.name string length must be\s+at least 1`},
		{"missing project", `
  app_name = "a"
  device_filter = { groups = [] }`, `(?s)Incorrect attribute value type|attribute "project" is required`},
		{"missing device_filter", `
  app_name = "a"`, `(?s)Missing required argument|"device_filter" is required`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			parallelUnitTest(t, resource.TestCase{
				CheckDestroy: f.expectCalls(0),
				Steps: []resource.TestStep{{
					Config:      f.config(tt.body),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tt.want),
				}},
			})
			if n := len(f.server.Emulator.Requests()); n != 0 {
				t.Errorf("emulator received %d requests for an invalid configuration", n)
			}
		})
	}
}

// TestAccAppRemoval_invalidProviderConfig: bad provider settings fail at plan.
func TestAccAppRemoval_invalidProviderConfig(t *testing.T) {
	tests := []struct {
		name, provider, want string
	}{
		{"plain http to a remote host", `endpoint = "http://api.connect.jfrog.io"`, `(?s)Invalid Upswift Endpoint.*plain http`},
		{"relative endpoint", `endpoint = "api.connect.jfrog.io"`, `(?s)Invalid Upswift Endpoint.*absolute`},
		{"max_retries out of range", `max_retries = 99`, `max_retries value must be between 0 and 20`},
		{"requests_per_minute zero", `requests_per_minute = 0`, `requests_per_minute value must be at least 1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parallelUnitTest(t, resource.TestCase{
				Steps: []resource.TestStep{{
					Config: fmt.Sprintf(`
provider "upswift" {
  user_token = "x"
  %s
}
resource "upswift_app_removal" "test" {
  app_name      = "a"
  device_filter = { project = { name = "Demo" } }
}`, tt.provider),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tt.want),
				}},
			})
		})
	}
}

// TestAccAppRemoval_missingToken: without a token the apply fails with an
// error that names both ways to set it, and nothing is sent.
func TestAccAppRemoval_missingToken(t *testing.T) {
	f := newFixture(t)
	t.Setenv(envUserToken, "")
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "upswift" {
  endpoint = %q
}
resource "upswift_app_removal" "test" {
  app_name      = "legacy-agent"
  device_filter = { project = { name = "Demo" } }
}`, f.server.URL),
			ExpectError: regexp.MustCompile(`(?s)Missing Upswift User Token.*user_token.*UPSWIFT_USER_TOKEN`),
		}},
	})
	if n := len(f.server.Emulator.Requests()); n != 0 {
		t.Errorf("emulator received %d requests without a token", n)
	}
}

// TestMissingTokenErrorNamesTheProviderConfiguration: the apply-time error
// for a missing token is not pinned to an attribute of the resource (the
// token is not one); its detail names both ways to set it.
func TestMissingTokenErrorNamesTheProviderConfiguration(t *testing.T) {
	t.Setenv(envUserToken, "")
	for _, kind := range []removalKind{appRemoval, tagRemoval} {
		t.Run(kind.noun, func(t *testing.T) { testMissingTokenError(t, kind) })
	}
}

func testMissingTokenError(t *testing.T, kind removalKind) {
	server := newTestServer(t)
	configureProvider(t, server, "")
	objType, config := resourceValueOf(t, server, kind, "x", []string{"TestGroup1"}, nil, "")
	resp, err := server.ApplyResourceChange(context.Background(), &tfprotov6.ApplyResourceChangeRequest{
		TypeName:     "upswift_" + kind.typeName,
		PriorState:   dynamic(t, objType, tftypes.NewValue(objType, nil)),
		PlannedState: dynamic(t, objType, config),
		Config:       dynamic(t, objType, config),
	})
	if err != nil {
		t.Fatal(err)
	}
	errs := errorsOnly(resp.Diagnostics)
	if len(errs) != 1 || errs[0].Summary != "Missing Upswift User Token" {
		t.Fatalf("want one Missing Upswift User Token error, got %s", describe(resp.Diagnostics))
	}
	if errs[0].Attribute != nil {
		t.Errorf("the error is pinned to %s; the token belongs to the provider configuration", pathString(errs[0].Attribute))
	}
	for _, want := range []string{"provider configuration", "user_token", envUserToken} {
		if !strings.Contains(errs[0].Detail, want) {
			t.Errorf("detail does not name %q: %s", want, errs[0].Detail)
		}
	}
}
