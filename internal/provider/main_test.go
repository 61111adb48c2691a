package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/upswift/terraform-provider-upswift/internal/devenv"
)

// testCLI is the Terraform or OpenTofu CLI that every Terraform-driven
// test runs, found by TestMain.
var testCLI devenv.CLI

// TestMain finds the CLI the tests run (TF_ACC_TERRAFORM_PATH, a path or a
// name on the PATH, else terraform on the PATH) and sets this process's
// environment for it, for terraform-plugin-testing and the tests' own runs
// alike: `go test`, `make test`, cmd/upswift-testacc and CI all come
// through here, so the suite runs the same way under either CLI. It refuses
// to run without a CLI: terraform-plugin-testing would otherwise try to
// download one, which fails without network, and a missing CLI must never
// pass for a green run.
func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	name := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if name == "" {
		name = "terraform"
	}
	cli, err := devenv.FindCLI(context.Background(), name)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%v\nThe provider's Terraform-driven tests need a CLI. "+
			"Install Terraform >= 1.0.11 (tested up to 1.15.0) on the PATH, or set TF_ACC_TERRAFORM_PATH to a terraform\n"+
			"or tofu (OpenTofu >= 1.6.3, tested up to 1.12.6) binary; `scripts/cli.sh terraform 1.15.0` builds one.\n", err)
		return 2
	}
	dir, err := os.MkdirTemp("", "upswift-provider-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer func() { _ = os.RemoveAll(dir) }()
	cliConfig := filepath.Join(dir, "cli.tfrc")
	if err := os.WriteFile(cliConfig, nil, 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	for k, v := range testEnv(cli, cliConfig) {
		if v == "" {
			err = os.Unsetenv(k)
		} else {
			err = os.Setenv(k, v)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
	}
	// The shared pace in a directory of the tests' own: they leave nothing
	// in the user's cache directory.
	if err := os.Setenv(envPaceDir, filepath.Join(dir, "pace")); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	testCLI = cli
	return m.Run()
}

// testEnv is what the tests need of the environment under cli; "" unsets
// a variable.
//   - TF_ACC_TERRAFORM_PATH: the CLI found, by its absolute path (which
//     terraform-plugin-testing requires), so that the framework neither
//     looks for another nor downloads one.
//   - TF_CLI_CONFIG_FILE: an empty configuration that exists, and no
//     TF_PLUGIN_CACHE_DIR, so that no user configuration changes the runs
//     (and tofu, given a TF_CLI_CONFIG_FILE that does not exist, prints a
//     warning on stdout that breaks terraform-exec's version parsing).
//   - Under OpenTofu, with terraform-plugin-testing v1.16,
//     TF_ACC_PROVIDER_HOST=registry.opentofu.org: the framework serves the
//     in-process provider under <host>/<namespace>/upswift, and OpenTofu
//     resolves the configurations' upswift_app_removal (which name no
//     source) to registry.opentofu.org/hashicorp/upswift; it also refuses
//     the legacy namespace "-" the framework adds on registry.terraform.io.
//     TF_ACC_PROVIDER_NAMESPACE=hashicorp serves only the namespace that
//     implicit provider references resolve to. Under Terraform both are
//     unset: the framework's defaults are Terraform's.
func testEnv(cli devenv.CLI, cliConfig string) map[string]string {
	env := map[string]string{
		"TF_ACC_TERRAFORM_PATH":     cli.Path,
		"TF_CLI_CONFIG_FILE":        cliConfig,
		"TF_PLUGIN_CACHE_DIR":       "",
		"CHECKPOINT_DISABLE":        "1",
		"TF_IN_AUTOMATION":          "1",
		"TF_ACC_PROVIDER_HOST":      "",
		"TF_ACC_PROVIDER_NAMESPACE": "",
	}
	if cli.IsOpenTofu() {
		env["TF_ACC_PROVIDER_HOST"] = "registry.opentofu.org"
		env["TF_ACC_PROVIDER_NAMESPACE"] = "hashicorp"
	}
	return env
}

func TestTestEnv(t *testing.T) {
	tests := []struct {
		product         string
		host, namespace string
	}{
		{devenv.Terraform, "", ""},
		{devenv.OpenTofu, "registry.opentofu.org", "hashicorp"},
	}
	for _, tt := range tests {
		t.Run(tt.product, func(t *testing.T) {
			env := testEnv(devenv.CLI{Path: "/opt/cli", Product: tt.product}, "/tmp/cli.tfrc")
			want := map[string]string{
				"TF_ACC_TERRAFORM_PATH": "/opt/cli", "TF_CLI_CONFIG_FILE": "/tmp/cli.tfrc", "TF_PLUGIN_CACHE_DIR": "",
				"TF_ACC_PROVIDER_HOST": tt.host, "TF_ACC_PROVIDER_NAMESPACE": tt.namespace,
			}
			for k, v := range want {
				if got, ok := env[k]; !ok || got != v {
					t.Errorf("%s = %q (set: %v), want %q", k, got, ok, v)
				}
			}
		})
	}
}

// TestMainSetTheEnvironment: the environment this process runs the tests
// in is the one testEnv prescribes for the CLI found.
func TestMainSetTheEnvironment(t *testing.T) {
	for k, v := range testEnv(testCLI, os.Getenv("TF_CLI_CONFIG_FILE")) {
		if got, ok := os.LookupEnv(k); got != v || ok != (v != "") {
			t.Errorf("%s = %q (set: %v), want %q", k, got, ok, v)
		}
	}
	if info, err := os.Stat(os.Getenv("TF_CLI_CONFIG_FILE")); err != nil || info.Size() != 0 {
		t.Errorf("TF_CLI_CONFIG_FILE is not an empty file: %v", err)
	}
}
