package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseSpec(t *testing.T) {
	tests := []struct {
		spec    string
		want    cli
		wantErr string
	}{
		{"terraform@1.5.7", cli{name: "terraform", version: "1.5.7"}, ""},
		{"tofu@v1.12.6", cli{name: "tofu", version: "1.12.6"}, ""},
		{"terraform@1.15.0-rc1", cli{name: "terraform", version: "1.15.0-rc1"}, ""},
		{"tofu", cli{name: "tofu"}, ""},
		{"tofu@/opt/tofu/tofu", cli{name: "tofu", path: "/opt/tofu/tofu"}, ""},
		{"terraform@./bin/terraform", cli{name: "terraform", path: "./bin/terraform"}, ""},
		{"opentofu@1.6.3", cli{}, "must be terraform or tofu"},
		{"terraform@latest", cli{}, "neither a version"},
		{"terraform@1.5", cli{}, "neither a version"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := parseSpec(tt.spec)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseSpec(%q) error %v, want one containing %q", tt.spec, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("parseSpec(%q) = %+v, %v; want %+v", tt.spec, got, err, tt.want)
			}
		})
	}
}

func TestSplitArgs(t *testing.T) {
	specs, goTest := splitArgs([]string{"terraform@1.5.7 tofu@1.6.3", "tofu", "--", "-run", "TestAcc"})
	if want := []string{"terraform@1.5.7", "tofu@1.6.3", "tofu"}; !slices.Equal(specs, want) {
		t.Errorf("specs %q, want %q", specs, want)
	}
	if want := []string{"-run", "TestAcc"}; !slices.Equal(goTest, want) {
		t.Errorf("go test args %q, want %q", goTest, want)
	}
}

// The run names its CLI to the tests in TF_ACC_TERRAFORM_PATH, once,
// whatever the environment said before; TestMain sets the rest.
func TestTestEnv(t *testing.T) {
	base := []string{"PATH=/bin", "TF_ACC_TERRAFORM_PATH=/usr/bin/terraform", "TF_ACC_PROVIDER_HOST=stale"}
	env := testEnv(base, "/opt/tofu")
	want := []string{"PATH=/bin", "TF_ACC_PROVIDER_HOST=stale", "TF_ACC_TERRAFORM_PATH=/opt/tofu"}
	if !slices.Equal(env, want) {
		t.Errorf("testEnv = %q, want %q", env, want)
	}
}

func TestReadEvents(t *testing.T) {
	const stream = `{"Action":"start","Package":"p"}
{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Test":"TestA","Output":"=== RUN   TestA\n"}
{"Action":"pass","Package":"p","Test":"TestA","Elapsed":0.1}
{"Action":"run","Package":"p","Test":"TestB"}
{"Action":"run","Package":"p","Test":"TestB/one"}
{"Action":"pass","Package":"p","Test":"TestB/one"}
{"Action":"run","Package":"p","Test":"TestB/two"}
{"Action":"output","Package":"p","Test":"TestB/two","Output":"    b_test.go:9: the emulator received 0 requests, want 1\n"}
{"Action":"fail","Package":"p","Test":"TestB/two"}
{"Action":"fail","Package":"p","Test":"TestB"}
{"Action":"run","Package":"p","Test":"TestC"}
{"Action":"output","Package":"p","Test":"TestC","Output":"=== RUN   TestC\n"}
{"Action":"output","Package":"p","Test":"TestC","Output":"    c_test.go:3: Terraform CLI version 1.5.7 is below minimum version 1.14.0: skipping test\n"}
{"Action":"output","Package":"p","Test":"TestC","Output":"--- SKIP: TestC (0.00s)\n"}
{"Action":"skip","Package":"p","Test":"TestC"}
# p [p.test]
{"ImportPath":"p [p.test]","Action":"build-output","Output":"./x_test.go:3:1: undefined: nope\n"}
{"ImportPath":"p [p.test]","Action":"build-fail"}
{"Action":"output","Package":"p","Output":"FAIL\n"}
{"Action":"fail","Package":"p","Elapsed":1}
`
	var out bytes.Buffer
	s, err := readEvents(strings.NewReader(stream), &out)
	if err != nil {
		t.Fatal(err)
	}
	want := summary{passed: 2, failed: 2, skipped: 1, topLevel: 3, packageFailed: true}
	if s != want {
		t.Errorf("summary %+v, want %+v", s, want)
	}
	for _, line := range []string{
		"--- FAIL: TestB/two\n    b_test.go:9: the emulator received 0 requests, want 1",
		"SKIP TestC: c_test.go:3: Terraform CLI version 1.5.7 is below minimum version 1.14.0: skipping test",
		"# p [p.test]",
		"./x_test.go:3:1: undefined: nope",
		"2 passed, 2 failed, 1 skipped (3 top-level tests; counts include subtests)",
	} {
		if !strings.Contains(out.String(), line) {
			t.Errorf("output lacks %q:\n%s", line, out.String())
		}
	}
	if strings.Contains(out.String(), "=== RUN   TestA") {
		t.Errorf("the output of a passed test was printed:\n%s", out.String())
	}
}

func TestResultOK(t *testing.T) {
	tests := []struct {
		name string
		r    result
		want bool
	}{
		{"all passed", result{passed: 3}, true},
		{"passed and skipped", result{passed: 3, skipped: 1}, true},
		{"a failure", result{passed: 3, failed: 1}, false},
		{"nothing ran", result{}, false},
		{"go test failed", result{passed: 3, err: errTest}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.r.ok(); got != tt.want {
				t.Errorf("ok() = %v, want %v", got, tt.want)
			}
		})
	}
}

var errTest = errors.New("exit status 1")

func TestPrintTable(t *testing.T) {
	var out bytes.Buffer
	printTable(&out, []result{
		{cli: cli{name: "terraform", version: "1.5.7"}, version: "1.5.7", passed: 40, skipped: 2, seconds: 61.4},
		{cli: cli{name: "tofu", version: "1.6.3"}, failed: 1, err: errTest},
	})
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("want a header, two rows and a note, got:\n%s", out.String())
	}
	if got := strings.Fields(lines[1]); !slices.Equal(got, []string{"terraform", "1.5.7", "40", "0", "2", "61", "ok"}) {
		t.Errorf("row %q", got)
	}
	if got := strings.Fields(lines[2]); !slices.Equal(got, []string{"tofu", "1.6.3", "0", "1", "0", "0", "FAILED"}) {
		t.Errorf("row %q", got)
	}
}

// A CLI that is not the version asked for fails its run before any test,
// and the table says so.
func TestRunRefusesAnotherVersion(t *testing.T) {
	bin := t.TempDir()
	fake := "#!/bin/sh\necho 'Terraform v9.9.9'\necho 'on linux_amd64'\n"
	if err := os.WriteFile(filepath.Join(bin, "terraform"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"from the PATH, pinned", []string{"-from-path", "terraform@1.5.7"}, "is Terraform v9.9.9, not v1.5.7"},
		{"a path", []string{"tofu@" + filepath.Join(bin, "terraform")}, "is Terraform, not OpenTofu"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), tt.args, &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), "the provider tests failed under") {
				t.Fatalf("run error %v, want a failed run", err)
			}
			if !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantErr, stderr.String())
			}
			if !strings.Contains(stdout.String(), "FAILED") {
				t.Errorf("the table does not show the failure:\n%s", stdout.String())
			}
		})
	}
}
