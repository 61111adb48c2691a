// Package devenv prepares a local Terraform or OpenTofu run against the
// emulator: a CLI configuration whose dev_overrides point at a locally built
// provider, so that no registry is needed, the environment that goes with
// it, and which CLI a binary is.
package devenv

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ProviderSources are the addresses "upswift/upswift" stands for:
// Terraform resolves it on registry.terraform.io, OpenTofu on
// registry.opentofu.org.
var ProviderSources = []string{
	"registry.terraform.io/upswift/upswift",
	"registry.opentofu.org/upswift/upswift",
}

// WriteCLIConfig writes a CLI configuration into dir that serves the
// provider from providerBinary's directory, to Terraform and OpenTofu
// alike, and returns its path.
func WriteCLIConfig(dir, providerBinary string) (string, error) {
	abs, err := filepath.Abs(providerBinary)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(abs); err != nil {
		return "", fmt.Errorf("provider binary: %w (build it with `make build`)", err)
	}
	path := filepath.Join(dir, "terraform.rc")
	if err := os.WriteFile(path, []byte(DevOverrides(filepath.Dir(abs))), 0o600); err != nil {
		return "", err
	}
	return path, nil
}

// DevOverrides is a CLI configuration whose dev_overrides serve the
// provider, under every address of ProviderSources, from the binary in
// providerDir; other providers install as usual.
func DevOverrides(providerDir string) string {
	var b strings.Builder
	b.WriteString("provider_installation {\n  dev_overrides {\n")
	for _, source := range ProviderSources {
		fmt.Fprintf(&b, "    %q = %q\n", source, providerDir)
	}
	b.WriteString("  }\n  direct {}\n}\n")
	return b.String()
}

// Env returns the environment for a Terraform run with that CLI
// configuration against the emulator at endpoint. The provider keeps its
// shared pace beside the CLI configuration, not in the user's cache
// directory.
func Env(cliConfig, endpoint, token string) []string {
	return append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+cliConfig,
		"TF_IN_AUTOMATION=1",
		"CHECKPOINT_DISABLE=1",
		"UPSWIFT_ENDPOINT="+endpoint,
		"UPSWIFT_USER_TOKEN="+token,
		"UPSWIFT_PACE_DIR="+filepath.Join(filepath.Dir(cliConfig), "pace"),
	)
}

// CopyTerraformFiles copies the *.tf files of src into dst, so that a run
// leaves no state in the source tree.
func CopyTerraformFiles(src, dst string) error {
	matches, err := filepath.Glob(filepath.Join(src, "*.tf"))
	if err != nil {
		return err
	}
	if len(matches) == 0 {
		return fmt.Errorf("no .tf files in %s", src)
	}
	for _, m := range matches {
		data, err := os.ReadFile(m)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, filepath.Base(m)), data, 0o600); err != nil {
			return err
		}
	}
	return nil
}
