package devenv

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// CLI is a Terraform or OpenTofu binary and what its `version` says.
type CLI struct {
	Path    string // absolute
	Product string // "Terraform" or "OpenTofu"
	Version string // "1.12.6"
}

// Products, as the first line of `version` names them.
const (
	Terraform = "Terraform"
	OpenTofu  = "OpenTofu"
)

// IsOpenTofu reports whether the CLI is OpenTofu.
func (c CLI) IsOpenTofu() bool { return c.Product == OpenTofu }

// FindCLI resolves name (a path, or a name looked up on the PATH) to an
// absolute path and asks the binary which product and version it is.
func FindCLI(ctx context.Context, name string) (CLI, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		return CLI{}, fmt.Errorf("no Terraform or OpenTofu CLI %q: %w", name, err)
	}
	if path, err = filepath.Abs(path); err != nil {
		return CLI{}, err
	}
	cmd := exec.CommandContext(ctx, path, "version")
	// Given a TF_CLI_CONFIG_FILE that does not exist, tofu prints a warning
	// on stdout before its version; an empty configuration avoids it, and
	// no user configuration changes what `version` prints.
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+os.DevNull, "CHECKPOINT_DISABLE=1")
	out, err := cmd.Output()
	if err != nil {
		return CLI{}, fmt.Errorf("%s version: %w", path, err)
	}
	return parseVersion(path, string(out))
}

// parseVersion reads the first line of `version`: "Terraform v1.5.7",
// "OpenTofu v1.6.3".
func parseVersion(path, out string) (CLI, error) {
	first, _, _ := strings.Cut(out, "\n")
	product, v, ok := strings.Cut(strings.TrimSpace(first), " v")
	if !ok || (product != Terraform && product != OpenTofu) {
		return CLI{}, fmt.Errorf("%s version printed %q, not a Terraform or OpenTofu version", path, first)
	}
	return CLI{Path: path, Product: product, Version: v}, nil
}
