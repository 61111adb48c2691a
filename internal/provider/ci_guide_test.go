package provider

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/upswift/terraform-provider-upswift/internal/emulator"
	"github.com/upswift/terraform-provider-upswift/internal/emulator/emulatortest"
)

// TestCIGuide_planReview checks what the CI pipelines guide
// (templates/guides/ci-pipelines.md.tmpl, examples/ci/github-actions.yml)
// says about reviewing a plan, with the provider as its own process, as in
// a pipeline:
//   - the provider's plan warnings are diagnostics of `plan -json`, with the
//     resource's address;
//   - `show -json` of the saved plan lists the removals (type, address,
//     actions, app_name, device_filter) but holds no diagnostics;
//   - the token, given through UPSWIFT_USER_TOKEN, is not in the saved plan;
//   - applying the saved plan sends exactly the reviewed removals.
func TestCIGuide_planReview(t *testing.T) {
	t.Parallel()
	cli := terraformCLI(t)
	providerDir := buildProvider(t)
	server := emulatortest.Start(t, emulator.DemoFleet())

	work := t.TempDir()
	writeFile(t, filepath.Join(work, "main.tf"), `
terraform {
  required_providers {
    upswift = {
      source = "upswift/upswift"
    }
  }
}

resource "upswift_app_removal" "whole_project" {
  app_name = "legacy-agent"
  device_filter = {
    project = { name = "Demo" }
  }
}

resource "upswift_app_removal" "online_gateways" {
  app_name = "metrics"
  device_filter = {
    project = { name = "Demo" }
    groups  = [{ name = "TestGroup1" }]
    filters = [{ type = "device_state", operand = "is", value = "online" }]
  }
}
`)
	env := processEnv(t, work, providerDir,
		"UPSWIFT_ENDPOINT="+server.URL,
		"UPSWIFT_USER_TOKEN="+emulator.DemoToken,
	)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	run := func(args ...string) []byte {
		t.Helper()
		cmd := exec.CommandContext(ctx, cli, args...)
		cmd.Dir = work
		cmd.Env = env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s\n%s", filepath.Base(cli), strings.Join(args, " "), err, out, stderr.Bytes())
		}
		return out
	}

	// plan -json: the warning is a diagnostic line with the address.
	planOut := run("plan", "-out=tfplan", "-json")
	type warning struct{ summary, address string }
	var warnings []warning
	diags, err := jsonDiagnostics(planOut)
	if err != nil {
		t.Fatalf("plan -json: %v", err)
	}
	for _, d := range diags {
		if d.Severity == "warning" {
			warnings = append(warnings, warning{d.Summary, d.Address})
		}
	}
	wantWarning := warning{"Removal Applies to a Whole Project", "upswift_app_removal.whole_project"}
	if !slices.Contains(warnings, wantWarning) {
		t.Errorf("plan -json warnings %+v lack %+v", warnings, wantWarning)
	}
	for _, w := range warnings {
		if w.address == "upswift_app_removal.online_gateways" {
			t.Errorf("a filtered removal got a warning: %+v", w)
		}
	}

	// show -json: the removals, and no diagnostics.
	showOut := run("show", "-json", "tfplan")
	var plan struct {
		ResourceChanges []struct {
			Address string `json:"address"`
			Type    string `json:"type"`
			Change  struct {
				Actions []string `json:"actions"`
				After   struct {
					AppName      string `json:"app_name"`
					DeviceFilter struct {
						Project struct {
							Name string `json:"name"`
						} `json:"project"`
						Groups []struct {
							Name string `json:"name"`
						} `json:"groups"`
						Filters []struct {
							Type, Operand, Value string
						} `json:"filters"`
					} `json:"device_filter"`
				} `json:"after"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal(showOut, &plan); err != nil {
		t.Fatalf("show -json: %v\n%s", err, showOut)
	}
	var top map[string]json.RawMessage
	_ = json.Unmarshal(showOut, &top)
	for _, key := range []string{"diagnostics", "warnings"} {
		if _, ok := top[key]; ok {
			t.Errorf("show -json has a %q key: the guide says the saved plan holds no diagnostics", key)
		}
	}
	for _, text := range []string{"Whole Project", "no groups and no filters"} {
		if bytes.Contains(showOut, []byte(text)) {
			t.Errorf("show -json contains the warning text %q: the guide says it does not", text)
		}
	}
	got := map[string]string{}
	for _, rc := range plan.ResourceChanges {
		if rc.Type != "upswift_app_removal" || !slices.Equal(rc.Change.Actions, []string{"create"}) {
			t.Errorf("unexpected change %s %v", rc.Address, rc.Change.Actions)
			continue
		}
		a := rc.Change.After
		got[rc.Address] = a.AppName + " in " + a.DeviceFilter.Project.Name
		if rc.Address == "upswift_app_removal.online_gateways" &&
			(len(a.DeviceFilter.Groups) != 1 || a.DeviceFilter.Groups[0].Name != "TestGroup1" ||
				len(a.DeviceFilter.Filters) != 1 || a.DeviceFilter.Filters[0].Value != "online") {
			t.Errorf("show -json device_filter of %s: %+v", rc.Address, a.DeviceFilter)
		}
	}
	want := map[string]string{
		"upswift_app_removal.whole_project":   "legacy-agent in Demo",
		"upswift_app_removal.online_gateways": "metrics in Demo",
	}
	if !maps.Equal(got, want) {
		t.Errorf("show -json removals %v, want %v", got, want)
	}

	// The token from the environment is not in the saved plan.
	text := planFileText(t, filepath.Join(work, "tfplan"))
	if !strings.Contains(text, "legacy-agent") {
		t.Error("the saved plan's content was not read: it lacks the app name")
	}
	if strings.Contains(text, emulator.DemoToken) {
		t.Error("the saved plan holds the user token")
	}

	// Applying the saved plan sends the two reviewed removals, no more.
	if n := len(server.Emulator.Requests()); n != 0 {
		t.Fatalf("the plan sent %d requests", n)
	}
	run("apply", "-json", "tfplan")
	var apps []string
	for _, r := range server.Emulator.Requests() {
		if r.Method != "DELETE" || r.Path != "/v1/device_apps" || r.Status != 200 {
			t.Errorf("the emulator received %s %s answered %d", r.Method, r.Path, r.Status)
		}
		apps = append(apps, r.Body["app_name"].(string))
	}
	slices.Sort(apps)
	if !slices.Equal(apps, []string{"legacy-agent", "metrics"}) {
		t.Errorf("applying the saved plan removed %v, want [legacy-agent metrics]", apps)
	}
}

// planFileText is the content of every file in a saved plan (a zip).
func planFileText(t *testing.T, path string) string {
	t.Helper()
	r, err := zip.OpenReader(path)
	if err != nil {
		t.Fatalf("the saved plan is not a zip: %v", err)
	}
	defer func() { _ = r.Close() }()
	var b strings.Builder
	for _, f := range r.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		_ = rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		b.Write(data)
	}
	if b.Len() == 0 {
		t.Fatal("the saved plan is empty")
	}
	return b.String()
}
