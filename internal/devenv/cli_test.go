package devenv

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseVersion(t *testing.T) {
	tests := []struct {
		out, wantProduct, wantVersion, wantErr string
	}{
		{out: "Terraform v1.5.7\non linux_amd64\n", wantProduct: Terraform, wantVersion: "1.5.7"},
		{out: "OpenTofu v1.12.6\non linux_amd64\n", wantProduct: OpenTofu, wantVersion: "1.12.6"},
		{out: "There are some problems with the CLI configuration:\n", wantErr: "not a Terraform or OpenTofu version"},
		{out: "Vault v1.15.0\n", wantErr: "not a Terraform or OpenTofu version"},
	}
	for _, tt := range tests {
		c, err := parseVersion("/bin/x", tt.out)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseVersion(%q) error %v, want %q", tt.out, err, tt.wantErr)
			}
			continue
		}
		if err != nil || c.Product != tt.wantProduct || c.Version != tt.wantVersion {
			t.Errorf("parseVersion(%q) = %+v, %v", tt.out, c, err)
		}
		if c.IsOpenTofu() != (tt.wantProduct == OpenTofu) {
			t.Errorf("%+v: IsOpenTofu() = %v", c, c.IsOpenTofu())
		}
	}
}

// FindCLI looks a name up on the PATH, returns an absolute path, and asks
// the binary with an empty CLI configuration that exists.
func TestFindCLI(t *testing.T) {
	bin := t.TempDir()
	fake := "#!/bin/sh\n[ -f \"$TF_CLI_CONFIG_FILE\" ] || [ -c \"$TF_CLI_CONFIG_FILE\" ] || echo 'There are some problems with the CLI configuration:'\n" +
		"echo 'OpenTofu v1.12.6'\necho 'on linux_amd64'\n"
	if err := os.WriteFile(filepath.Join(bin, "tofu"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	t.Setenv("TF_CLI_CONFIG_FILE", filepath.Join(bin, "missing.tfrc"))
	c, err := FindCLI(context.Background(), "tofu")
	if err != nil {
		t.Fatal(err)
	}
	if want := (CLI{Path: filepath.Join(bin, "tofu"), Product: OpenTofu, Version: "1.12.6"}); c != want {
		t.Errorf("FindCLI = %+v, want %+v", c, want)
	}
	if _, err := FindCLI(context.Background(), "terraform"); err == nil || !strings.Contains(err.Error(), `"terraform"`) {
		t.Errorf("FindCLI of a missing CLI: error %v, want one naming it", err)
	}
}
