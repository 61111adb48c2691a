package provider

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/upswift/terraform-provider-upswift/internal/devenv"
)

// Terraform actions (1.14 and later) are invoked with `terraform apply
// -invoke=...`, which terraform-plugin-testing has no step for. These
// helpers run the CLI the tests use against the provider served
// in-process, as terraform-plugin-testing does for its own steps.

// actionsCLI returns the CLI of the tests (testCLI) and skips the test,
// with the message of tfversion.SkipBelow, when it predates actions.
func actionsCLI(t *testing.T) string {
	t.Helper()
	return cliAtLeast(t, tfversion.Version1_14_0)
}

// cliAtLeast returns the CLI of the tests (testCLI) and skips the test,
// with the message of tfversion.SkipBelow, when it is older than minimum.
func cliAtLeast(t *testing.T, minimum *version.Version) string {
	t.Helper()
	tfVersion, err := version.NewVersion(testCLI.Version)
	if err != nil {
		t.Fatalf("%s: %v", testCLI.Path, err)
	}
	var resp tfversion.CheckTerraformVersionResponse
	tfversion.SkipBelow(minimum).CheckTerraformVersion(context.Background(),
		tfversion.CheckTerraformVersionRequest{TerraformVersion: tfVersion}, &resp)
	if resp.Error != nil {
		t.Fatal(resp.Error)
	}
	if resp.Skip != "" {
		t.Skip(resp.Skip)
	}
	return testCLI.Path
}

// workDir is a Terraform working directory for one test, with the provider
// served in-process and the CLI of actionsCLI.
type workDir struct {
	t   *testing.T
	cli string
	dir string
	env []string
}

// newWorkDir writes config into a fresh directory, serves the provider for
// the test's lifetime and runs `terraform init`.
func newWorkDir(t *testing.T, cli, config string) *workDir {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	rc := filepath.Join(dir, ".terraformrc")
	if err := os.WriteFile(rc, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	w := &workDir{t: t, cli: cli, dir: dir, env: append(os.Environ(),
		"TF_REATTACH_PROVIDERS="+serveProvider(t),
		"TF_CLI_CONFIG_FILE="+rc,
		"CHECKPOINT_DISABLE=1",
		"TF_IN_AUTOMATION=1",
	)}
	if out, err := w.run("init", "-input=false", "-no-color"); err != nil {
		t.Fatalf("terraform init: %v\n%s", err, out)
	}
	return w
}

// run runs the CLI in the directory and returns its combined output.
func (w *workDir) run(args ...string) (string, error) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, w.cli, args...)
	cmd.Dir = w.dir
	cmd.Env = w.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// stateResources lists the resource addresses in the directory's state
// (none when there is no state file).
func (w *workDir) stateResources() []string {
	w.t.Helper()
	var out []string
	for _, r := range w.state().Resources {
		out = append(out, r.Type+"."+r.Name)
	}
	return out
}

// stateFile is what the tests read of a state file.
type stateFile struct {
	Resources []struct {
		Mode, Type, Name string
		Instances        []struct {
			Attributes map[string]any `json:"attributes"`
		} `json:"instances"`
	} `json:"resources"`
}

// state reads the directory's state; an empty one when there is none.
func (w *workDir) state() stateFile {
	w.t.Helper()
	var st stateFile
	data, err := os.ReadFile(filepath.Join(w.dir, "terraform.tfstate"))
	if os.IsNotExist(err) {
		return st
	}
	if err != nil {
		w.t.Fatal(err)
	}
	if err := json.Unmarshal(data, &st); err != nil {
		w.t.Fatal(err)
	}
	return st
}

// serveProvider serves the provider over go-plugin in this process until
// the test ends and returns the TF_REATTACH_PROVIDERS value that points
// Terraform (or OpenTofu) at it as upswift/upswift.
func serveProvider(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	reattach := make(chan *plugin.ReattachConfig, 1)
	closed := make(chan struct{})
	go func() {
		_ = tf6server.Serve(devenv.ProviderSources[0], providerserver.NewProtocol6(New("test")()),
			tf6server.WithDebug(ctx, reattach, closed),
			tf6server.WithGoPluginLogger(hclog.NewNullLogger()),
			// The provider's log goes where terraform-plugin-testing sends
			// it (TF_LOG_SDK, TF_ACC_LOG_PATH), not onto stderr.
			tf6server.WithLoggingSink(t),
			tf6server.WithoutLogStderrOverride())
	}()
	var cfg *plugin.ReattachConfig
	select {
	case cfg = <-reattach:
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("the provider server did not start")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-closed:
		case <-time.After(10 * time.Second):
		}
	})
	attach := map[string]any{
		"Protocol":        string(cfg.Protocol),
		"ProtocolVersion": cfg.ProtocolVersion,
		"Pid":             cfg.Pid,
		"Test":            cfg.Test,
		"Addr":            map[string]string{"Network": cfg.Addr.Network(), "String": cfg.Addr.String()},
	}
	// upswift/upswift is registry.terraform.io/upswift/upswift to Terraform
	// and registry.opentofu.org/upswift/upswift to OpenTofu
	// (devenv.ProviderSources): one server answers to both.
	providers := map[string]any{}
	for _, source := range devenv.ProviderSources {
		providers[source] = attach
	}
	data, err := json.Marshal(providers)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// requiredUpswift declares the provider as upswift/upswift, the address
// newWorkDir serves it under; terraform-plugin-testing serves it under its
// own, and its configurations leave this out.
const requiredUpswift = `
terraform {
  required_providers {
    upswift = { source = "upswift/upswift" }
  }
}
`

// actionConfig is a configuration declaring the upswift provider (pointed
// at the fixture's emulator) and the given blocks.
func (f *fixture) actionConfig(blocks string) string {
	return requiredUpswift + f.providerConfig() + blocks
}

// contains reports whether out holds s once line wrapping is undone.
func contains(out, s string) bool {
	return strings.Contains(strings.Join(strings.Fields(out), " "), s)
}
