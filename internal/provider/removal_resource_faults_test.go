package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/upswift/terraform-provider-upswift/internal/emulator"
	"github.com/upswift/terraform-provider-upswift/internal/emulator/emulatortest"
)

// TestAccAppRemoval_faults: transient faults are retried with the body
// intact and the removal succeeds; a permanent fault fails with a clear
// message after max_retries.
func TestAccAppRemoval_faults(t *testing.T) {
	body := `
  app_name      = "legacy-agent"
  device_filter = { project = { name = "Demo" }, groups = [{ name = "TestGroup3" }] }`
	tests := []struct {
		name      string
		fault     func(e *emulator.Emulator)
		retries   int
		wantCalls int
		wantErr   string
	}{
		// 429s are waited out, not retried: even max_retries = 0 gets there.
		{"burst of 429 then success", func(e *emulator.Emulator) { e.FailNext(2, 429, false) }, 0, 3, ""},
		{"502 HTML page then success", func(e *emulator.Emulator) { e.FailNext(1, 502, true) }, 4, 2, ""},
		{"dropped connection then success", func(e *emulator.Emulator) { e.DropNext(1) }, 4, 2, ""},
		{"permanent 500", func(e *emulator.Emulator) { e.FailNext(1000, 500, false) }, 2, 3,
			`(?s)Unable to Remove App.*500\s+Internal\s+Server\s+Error.*after\s+3\s+attempts.*try\s+again\s+later`},
		{"permanent 503 HTML", func(e *emulator.Emulator) { e.FailNext(1000, 503, true) }, 1, 2,
			`(?s)503\s+Service\s+Unavailable\s+with\s+a\s+non-JSON\s+body\s+\(text/html.*after\s+2\s+attempts`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			tt.fault(f.server.Emulator)
			step := resource.TestStep{
				Config: strings.Replace(f.config(body), "max_retries = 1", fmt.Sprintf("max_retries = %d", tt.retries), 1),
			}
			if tt.wantErr != "" {
				step.ExpectError = regexp.MustCompile(tt.wantErr)
			} else {
				step.Check = resource.ComposeAggregateTestCheckFunc(
					f.expectLost("legacy-agent", "d-5"),
					f.expectIdenticalBodies(),
				)
			}
			parallelUnitTest(t, resource.TestCase{
				Steps: []resource.TestStep{step},
			})
			if got := len(f.removals()); got != tt.wantCalls {
				t.Errorf("emulator received %d calls, want %d", got, tt.wantCalls)
			}
		})
	}
}

// expectIdenticalBodies checks that every attempt carried the same body.
func (f *fixture) expectIdenticalBodies() resource.TestCheckFunc {
	return func(*terraform.State) error {
		calls := f.removals()
		if len(calls) == 0 {
			return fmt.Errorf("the emulator received no removal to compare")
		}
		for i, c := range calls[1:] {
			if string(c.RawBody) != string(calls[0].RawBody) {
				return fmt.Errorf("attempt %d body %s differs from the first %s", i+2, c.RawBody, calls[0].RawBody)
			}
		}
		return nil
	}
}

// TestAccAppRemoval_tokenNeverLogged applies with TF_LOG=TRACE into a file
// and checks that the token is in none of it, while the file does hold the
// provider's request log lines and the token did reach the API.
func TestAccAppRemoval_tokenNeverLogged(t *testing.T) {
	f := newFixture(t)
	logFile := filepath.Join(t.TempDir(), "terraform.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logFile)
	// The token comes from the environment, as in CI: the test framework
	// logs the configuration itself, which must not carry it.
	t.Setenv(envUserToken, testAccToken)
	config := fmt.Sprintf(`
provider "upswift" {
  endpoint = %q
}
resource "upswift_app_removal" "test" {%s
}`, f.server.URL, issueExample)
	f.server.Emulator.FailNext(1, 400, false) // an error path too
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config, ExpectError: regexp.MustCompile(`Unable to Remove App`)},
			{Config: config, Check: f.expectLost("legacy-agent", "d-4ec7-1be9")},
		},
	})
	data, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	log := string(data)
	if !strings.Contains(log, "Sending Upswift API request") || !strings.Contains(log, "Received Upswift API response") {
		t.Fatalf("the log (%d bytes) does not hold the provider's request lines; the check would prove nothing", len(data))
	}
	if strings.Contains(log, testAccToken) {
		i := strings.Index(log, testAccToken)
		t.Fatalf("the TRACE log contains the user token near: %q", log[max(0, i-200):i])
	}
	if !f.server.Emulator.TokenSeen(testAccToken) {
		t.Fatal("the emulator never saw the token; the check would prove nothing")
	}
}

// TestCreateStopsWaitingOnCancel: when Terraform is interrupted, the
// removal stops waiting at once and says so.
func TestCreateStopsWaitingOnCancel(t *testing.T) {
	s := emulatortest.Start(t, testFleet())
	s.Emulator.SetLatency(time.Minute)
	server := newTestServer(t)
	configureProviderAt(t, server, s.URL, testAccToken)
	objType, config := resourceValue(t, server, []string{}, []filterCase{}, "")
	planned := map[string]tftypes.Value{}
	if err := config.As(&planned); err != nil {
		t.Fatal(err)
	}
	planned["id"] = tftypes.NewValue(tftypes.String, tftypes.UnknownValue)

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	resp, err := server.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
		TypeName:     "upswift_app_removal",
		PriorState:   dynamic(t, objType, tftypes.NewValue(objType, nil)),
		PlannedState: dynamic(t, objType, tftypes.NewValue(objType, planned)),
		Config:       dynamic(t, objType, config),
	})
	if err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited > 10*time.Second {
		t.Fatalf("kept waiting %s after the cancel", waited)
	}
	errs := errorsOnly(resp.Diagnostics)
	if len(errs) != 1 || !strings.Contains(errs[0].Detail, "interrupted") || !strings.Contains(errs[0].Detail, "Nothing was saved to state") {
		t.Fatalf("want one error saying the removal was interrupted, got: %s", describe(errs))
	}
}
