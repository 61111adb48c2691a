package provider

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/upswift/terraform-provider-upswift/internal/devenv"
)

// Helpers of the tests that run the provider as its own process, built from
// this tree and started by the Terraform CLI through dev_overrides, as in a
// pipeline: what Go reads from the environment once per process (proxies,
// trusted certificates) can only be shown that way.

// terraformCLI is the CLI the Terraform-driven tests run, found by
// TestMain.
func terraformCLI(t *testing.T) string {
	t.Helper()
	if testCLI.Path == "" {
		t.Fatal("no Terraform CLI: TestMain found none")
	}
	return testCLI.Path
}

// buildProvider builds the provider from this tree into a directory of
// the test's and returns that directory.
func buildProvider(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "terraform-provider-upswift"), ".")
	cmd.Dir = filepath.Join("..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return dir
}

// networkEnv is base without the variables the test sets itself (in either
// case), plus set.
func networkEnv(base []string, set ...string) []string {
	drop := []string{"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY", "REQUEST_METHOD", "SSL_CERT_FILE", "SSL_CERT_DIR",
		"TF_CLI_CONFIG_FILE", "TF_PLUGIN_CACHE_DIR", "TF_LOG", "TF_LOG_PATH", "UPSWIFT_ENDPOINT", "UPSWIFT_USER_TOKEN"}
	env := make([]string, 0, len(base)+len(set))
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(drop, strings.ToUpper(k)) {
			env = append(env, kv)
		}
	}
	return append(env, set...)
}

// processEnv writes a CLI configuration that serves the provider built in
// providerDir, and returns the environment a Terraform run in work needs:
// this process's, less the variables the tests set themselves, plus set.
func processEnv(t *testing.T, work, providerDir string, set ...string) []string {
	t.Helper()
	cliConfig := filepath.Join(work, "cli.tfrc")
	writeFile(t, cliConfig, devenv.DevOverrides(providerDir))
	return networkEnv(os.Environ(), append([]string{
		"TF_CLI_CONFIG_FILE=" + cliConfig,
		"TF_IN_AUTOMATION=1",
		"TF_INPUT=0",
		"CHECKPOINT_DISABLE=1",
	}, set...)...)
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// jsonDiagnostic is a diagnostic of Terraform's machine-readable output
// (`plan -json`, `apply -json`).
type jsonDiagnostic struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail"`
	Address  string `json:"address"`
}

// jsonDiagnostics returns the diagnostics of a `-json` output, and an error
// naming the first line that is not JSON, if any.
func jsonDiagnostics(out []byte) ([]jsonDiagnostic, error) {
	var diags []jsonDiagnostic
	var bad error
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for sc.Scan() {
		var line struct {
			Type       string         `json:"type"`
			Diagnostic jsonDiagnostic `json:"diagnostic"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			if bad == nil {
				bad = fmt.Errorf("a line that is not JSON: %q", sc.Text())
			}
			continue
		}
		if line.Type == "diagnostic" {
			diags = append(diags, line.Diagnostic)
		}
	}
	if err := sc.Err(); err != nil {
		return diags, err
	}
	return diags, bad
}

// applyErrors returns the error diagnostics of a `terraform apply -json`
// output, summary and detail, one per line.
func applyErrors(t *testing.T, out []byte) string {
	t.Helper()
	// Lines that are not JSON (none are expected) are passed over here.
	diags, _ := jsonDiagnostics(out)
	var b strings.Builder
	for _, d := range diags {
		if d.Severity == "error" {
			fmt.Fprintf(&b, "%s: %s\n", d.Summary, d.Detail)
		}
	}
	if b.Len() == 0 {
		t.Fatalf("no error diagnostic in the apply's output:\n%s", out)
	}
	return b.String()
}
