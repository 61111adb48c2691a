package devenv

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteCLIConfig(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin", "terraform-provider-upswift")
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteCLIConfig(dir, bin); err == nil {
		t.Fatal("want an error while the provider binary does not exist")
	}
	if err := os.WriteFile(bin, []byte("x"), 0o755); err != nil {
		t.Fatal(err)
	}
	path, err := WriteCLIConfig(dir, bin)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "dev_overrides") {
		t.Fatalf("CLI config has no dev_overrides:\n%s", data)
	}
	// Terraform and OpenTofu each find it under their own registry host.
	for _, host := range []string{"registry.terraform.io", "registry.opentofu.org"} {
		want := `"` + host + `/upswift/upswift" = "` + filepath.Dir(bin) + `"`
		if !strings.Contains(string(data), want) {
			t.Errorf("CLI config does not override the provider with %s:\n%s", want, data)
		}
	}
}

func TestCopyTerraformFiles(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	if err := CopyTerraformFiles(src, dst); err == nil {
		t.Fatal("want an error for a folder without .tf files")
	}
	for name, body := range map[string]string{"main.tf": "a", "vars.tf": "b", "notes.md": "c"} {
		if err := os.WriteFile(filepath.Join(src, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := CopyTerraformFiles(src, dst); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dst)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != "main.tf,vars.tf" {
		t.Fatalf("copied %v, want main.tf and vars.tf", names)
	}
}

func TestEnvPointsAtEmulator(t *testing.T) {
	env := strings.Join(Env("/tmp/rc", "http://127.0.0.1:1", "tok"), "\n")
	for _, want := range []string{"TF_CLI_CONFIG_FILE=/tmp/rc", "UPSWIFT_ENDPOINT=http://127.0.0.1:1", "UPSWIFT_USER_TOKEN=tok",
		"UPSWIFT_PACE_DIR=" + filepath.Join("/tmp", "pace")} {
		if !strings.Contains(env, want) {
			t.Errorf("env lacks %s", want)
		}
	}
}
