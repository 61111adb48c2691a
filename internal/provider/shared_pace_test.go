package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// TestAccProvider_sharedPace: by default the provider keeps its pace in a
// file in UPSWIFT_PACE_DIR, owner-only, holding neither the token nor the
// endpoint; shared_pace = false, or UPSWIFT_SHARED_PACE=false, writes
// none; the attribute wins over the variable. Not parallel: it sets the
// environment the provider reads.
func TestAccProvider_sharedPace(t *testing.T) {
	for _, tt := range []struct {
		name, attr, env string
		want            bool
	}{
		{"default", "", "", true},
		{"shared_pace = false", "shared_pace = false", "", false},
		{"UPSWIFT_SHARED_PACE=false", "", "false", false},
		{"shared_pace = true over UPSWIFT_SHARED_PACE=0", "shared_pace = true", "0", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Setenv(envPaceDir, dir)
			t.Setenv(envSharedPace, tt.env)
			f := newFixture(t)
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: strings.Replace(f.config(issueExample), "max_retries = 1", "max_retries = 1\n  "+tt.attr, 1),
					Check: resource.ComposeAggregateTestCheckFunc(f.expectCalls(1), func(*terraform.State) error {
						return checkPaceFiles(dir, tt.want, f.server.URL)
					}),
				}},
			})
		})
	}
}

// checkPaceFiles checks that dir holds one owner-only pace file (want) or
// none, and nothing that names the token or the endpoint.
func checkPaceFiles(dir string, want bool, endpoint string) error {
	files, _ := filepath.Glob(filepath.Join(dir, "pace-*.json"))
	if len(files) != map[bool]int{true: 1, false: 0}[want] {
		return fmt.Errorf("pace files %v, want one: %v", files, want)
	}
	for _, name := range files {
		fi, err := os.Stat(name)
		if err != nil {
			return err
		}
		data, _ := os.ReadFile(name)
		if fi.Mode().Perm() != 0o600 || strings.Contains(string(data)+name, testAccToken) || strings.Contains(string(data)+name, endpoint) {
			return fmt.Errorf("%s (mode %#o) names the token or the endpoint, or others may read it:\n%s", name, fi.Mode().Perm(), data)
		}
	}
	return nil
}

// TestAccProvider_sharedPaceInvalidEnv: a UPSWIFT_SHARED_PACE that is
// neither true nor false is an error that names it and the values it
// takes.
func TestAccProvider_sharedPaceInvalidEnv(t *testing.T) {
	t.Setenv(envSharedPace, "maybe")
	f := newFixture(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      f.config(issueExample),
			ExpectError: regexp.MustCompile(`Invalid UPSWIFT_SHARED_PACE Value[\s\S]*must be true or false[\s\S]*"maybe"`),
		}},
	})
}
