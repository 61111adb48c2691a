// Package devenv prepares a local Terraform run against the emulator: a CLI
// configuration whose dev_overrides point at a locally built provider, so
// that no registry is needed, and the environment that goes with it.
package devenv

import (
	"fmt"
	"os"
	"path/filepath"
)

// ProviderSource is the provider's registry source address.
const ProviderSource = "registry.terraform.io/upswift/upswift"

// WriteCLIConfig writes a Terraform CLI configuration into dir that serves
// the provider from providerBinary's directory and returns its path.
func WriteCLIConfig(dir, providerBinary string) (string, error) {
	abs, err := filepath.Abs(providerBinary)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(abs); err != nil {
		return "", fmt.Errorf("provider binary: %w (build it with `make build`)", err)
	}
	config := fmt.Sprintf(`provider_installation {
  dev_overrides {
    %q = %q
  }
  direct {}
}
`, ProviderSource, filepath.Dir(abs))
	path := filepath.Join(dir, "terraform.rc")
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		return "", err
	}
	return path, nil
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
