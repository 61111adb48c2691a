package provider

// Helpers of the upswift_devices tests: configurations, and checks of the
// reads the emulator received and of the data source's state.

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/upswift/terraform-provider-upswift/internal/emulator"
)

// The API paths of the two reads.
const (
	detailsPath = "/v1/devices_details"
	statesPath  = "/v1/get_devices_state"
)

// serverConfig is a configuration that points the provider at s, with
// the test fleet's token and no retries after server errors, and declares
// blocks. A configuration run in a scratch directory (newWorkDir) starts
// with requiredUpswift too.
func serverConfig(s *emulator.Server, blocks string) string {
	return fmt.Sprintf(`
provider "upswift" {
  endpoint    = %[1]q
  user_token  = %[2]q
  max_retries = 0
}
`, s.URL, testAccToken) + blocks
}

// devicesBlock declares data.upswift_devices.<name> with filter (HCL).
func devicesBlock(name, filter string) string {
	return fmt.Sprintf("\ndata \"upswift_devices\" %q {\n  device_filter = %s\n}\n", name, filter)
}

// requestsTo returns the requests of the log to path, in order.
func requestsTo(log []emulator.Request, path string) []emulator.Request {
	var out []emulator.Request
	for _, r := range log {
		if r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// countByPath counts the log's requests per path.
func countByPath(log []emulator.Request) map[string]int {
	out := map[string]int{}
	for _, r := range log {
		out[r.Path]++
	}
	return out
}

// expectUUIDs checks device_uuids of data.upswift_devices.<name>.
func expectUUIDs(name string, uuids ...string) statecheck.StateCheck {
	values := make([]knownvalue.Check, len(uuids))
	for i, u := range uuids {
		values[i] = knownvalue.StringExact(u)
	}
	return statecheck.ExpectKnownValue("data.upswift_devices."+name, tfjsonpath.New("device_uuids"), knownvalue.ListExact(values))
}

// readBodies describes the bodies of the reads to path: "project/group
// limit offset" per request, token redacted, in order.
func readBodies(log []emulator.Request, path string) []string {
	var out []string
	for _, r := range requestsTo(log, path) {
		offset := ""
		if v, ok := r.Body["offset"]; ok {
			b, _ := json.Marshal(v)
			offset = string(b)
		}
		out = append(out, fmt.Sprintf("%v/%v %v %s", r.Body["project_name"], orEmpty(r.Body["group_name"]), r.Body["limit"], offset))
	}
	return out
}

func orEmpty(v any) any {
	if v == nil {
		return ""
	}
	return v
}

// expectOnlyReads fails the test when the emulator received anything but
// the two reads.
func expectOnlyReads(t *testing.T, s *emulator.Server) {
	t.Helper()
	for _, r := range s.Emulator.Requests() {
		if r.Method != "GET" || (r.Path != detailsPath && r.Path != statesPath) {
			t.Errorf("emulator received %s %s, want only the two reads", r.Method, r.Path)
		}
	}
}

// lines joins for messages.
func lines(s []string) string { return strings.Join(s, "\n") }
