package provider

// Helpers of the scope-check tests: configurations that bind a removal to
// the scope an upswift_devices lists, saved plans run with the real CLI in
// a scratch directory, and what a saved plan and the state hold.

import (
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// Device filters (HCL) over the test fleet.
const (
	// group1Filter selects d-1 and d-2.
	group1Filter = `{ project = { name = "Demo" }, groups = [{ name = "TestGroup1" }], filters = [] }`
	// group1OnlineFilter selects d-1 (d-2 is offline).
	group1OnlineFilter = `{ project = { name = "Demo" }, groups = [{ name = "TestGroup1" }], filters = [{ type = "device_state", operand = "is", value = "online" }] }`
)

// boundConfig declares data.upswift_devices.scope over filter (HCL) and
// the fixture's removal "test" of name over the same filter, bound to the
// data source's device_uuids, with extra arguments.
func (f *fixture) boundConfig(name, filter, extra string) string {
	return f.unboundConfig(name, filter, "expected_device_uuids = data.upswift_devices.scope.device_uuids\n"+extra) +
		devicesBlock("scope", "local.filter")
}

// unboundConfig declares the fixture's removal "test" of name over filter
// (HCL, as local.filter), with extra arguments, and no data source.
func (f *fixture) unboundConfig(name, filter, extra string) string {
	return requiredUpswift + f.providerConfig() + fmt.Sprintf(`
locals {
  filter = %[1]s
}

resource "upswift_%[2]s" "test" {
  %[3]s = %[4]q
  device_filter = local.filter
  %[5]s
}
`, filter, f.kind.typeName, f.kind.nameAttr, name, extra)
}

// anyCLI returns the tests' CLI, whatever its version.
func anyCLI(t *testing.T) string {
	t.Helper()
	return cliAtLeast(t, tfversion.Version1_0_0)
}

// mustRun runs the CLI and fails the test when it fails.
func (w *workDir) mustRun(args ...string) string {
	w.t.Helper()
	out, err := w.run(args...)
	if err != nil {
		w.t.Fatalf("%s %v: %v\n%s", filepath.Base(w.cli), args, err, out)
	}
	return out
}

// mustFail runs the CLI and fails the test unless it fails.
func (w *workDir) mustFail(args ...string) string {
	w.t.Helper()
	out, err := w.run(args...)
	if err == nil {
		w.t.Fatalf("%s %v succeeded, want a failure:\n%s", filepath.Base(w.cli), args, out)
	}
	return out
}

// planExitCode runs `plan -detailed-exitcode` and returns its exit code:
// 0 for no changes, 2 for changes.
func (w *workDir) planExitCode() (int, string) {
	w.t.Helper()
	out, err := w.run("plan", "-input=false", "-no-color", "-detailed-exitcode")
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, out
	case errors.As(err, &exit) && exit.ExitCode() == 2:
		return 2, out
	}
	w.t.Fatalf("plan: %v\n%s", err, out)
	return 0, ""
}

// plannedChange is one resource's change in a saved plan, as `show -json`
// gives it.
type plannedChange struct {
	Address string `json:"address"`
	Change  struct {
		Actions []string       `json:"actions"`
		After   map[string]any `json:"after"`
	} `json:"change"`
}

// plannedChanges reads the saved plan's resource changes.
func (w *workDir) plannedChanges(plan string) map[string]plannedChange {
	w.t.Helper()
	var p struct {
		ResourceChanges []plannedChange `json:"resource_changes"`
	}
	if err := json.Unmarshal([]byte(w.mustRun("show", "-json", plan)), &p); err != nil {
		w.t.Fatal(err)
	}
	out := map[string]plannedChange{}
	for _, c := range p.ResourceChanges {
		out[c.Address] = c
	}
	return out
}

// stateAttributes returns the attributes of the state's resource address
// (type.name), or nil when the state does not hold it.
func (w *workDir) stateAttributes(address string) map[string]any {
	w.t.Helper()
	for _, r := range w.state().Resources {
		if r.Mode == "managed" && r.Type+"."+r.Name == address && len(r.Instances) == 1 {
			return r.Instances[0].Attributes
		}
	}
	return nil
}

// jsonStrings returns v (a JSON list of strings) as sorted strings.
func jsonStrings(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, e := range list {
		s, _ := e.(string)
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// hasApp reports whether device id of the fixture's fleet has app now.
func (f *fixture) hasApp(id, app string) bool {
	_, ok := f.server.Emulator.Devices(testAccToken)[id].Apps[app]
	return ok
}

// reads counts the listings' requests the emulator received: details and
// states pages.
func (f *fixture) reads() (details, states int) {
	n := countByPath(f.server.Emulator.Requests())
	return n[detailsPath], n[statesPath]
}
