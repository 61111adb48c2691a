// Command upswift-testacc runs the provider's Terraform-driven tests
// (go test ./internal/provider/) once per Terraform or OpenTofu CLI and
// prints a table: CLI, version, tests passed, failed and skipped, seconds.
// `make testacc-matrix`, `make testacc-tofu` and CI's acceptance jobs go
// through it. It checks that each CLI is the product and version asked for
// and names it to the tests in TF_ACC_TERRAFORM_PATH; the tests' TestMain
// sets what that CLI needs (internal/provider/main_test.go), as it does
// under `make test`.
//
//	go run ./cmd/upswift-testacc terraform@1.5.7 tofu@1.6.3 [-- go test flags]
//
// A CLI is named NAME@VERSION (built from the Go module proxy on first use by
// scripts/cli.sh, then reused), NAME@/path/to/binary, or NAME alone (the one
// on the PATH, as CI's setup-terraform and setup-opentofu install it). NAME
// is terraform or tofu. With -from-path, NAME@VERSION is the NAME on the
// PATH, which must be that version (CI installs it with setup-terraform or
// setup-opentofu).
//
// The counts come from `go test -json`: every test that ends with pass, fail
// or skip is counted, subtests included. The output of a failed test and
// the message of a skipped one are printed. A run fails when go test fails,
// when any test fails, or when no test ran at all.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/upswift/terraform-provider-upswift/internal/devenv"
)

const pkg = "./internal/provider/"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "testacc:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("upswift-testacc", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fromPath := fs.Bool("from-path", false, "take NAME@VERSION from the PATH (as CI's setup actions install it) instead of building it; its version must match")
	if err := fs.Parse(args); err != nil {
		return err
	}
	specs, goTestArgs := splitArgs(fs.Args())
	if len(specs) == 0 {
		return errors.New("usage: upswift-testacc [-from-path] terraform|tofu[@VERSION|@PATH] ... [-- go test flags]")
	}
	clis := make([]cli, 0, len(specs))
	for _, s := range specs {
		c, err := parseSpec(s)
		if err != nil {
			return err
		}
		c.fromPath = *fromPath
		clis = append(clis, c)
	}

	var results []result
	for _, c := range clis {
		r := runOne(ctx, c, goTestArgs, stdout, stderr)
		results = append(results, r)
		if ctx.Err() != nil {
			break
		}
	}
	fmt.Fprintln(stdout)
	printTable(stdout, results)
	var failed []string
	for _, r := range results {
		if !r.ok() {
			failed = append(failed, r.cli.String())
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("the provider tests failed under %s", strings.Join(failed, ", "))
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return nil
}

// splitArgs separates the CLI specs from the go test flags after "--".
func splitArgs(args []string) (specs, goTest []string) {
	for i, a := range args {
		if a == "--" {
			return fieldsOf(args[:i]), args[i+1:]
		}
	}
	return fieldsOf(args), nil
}

// fieldsOf splits every argument on white space, so that
// CLI_VERSIONS="terraform@1.5.7 tofu@1.6.3" may arrive as one argument.
func fieldsOf(args []string) []string {
	var out []string
	for _, a := range args {
		out = append(out, strings.Fields(a)...)
	}
	return out
}

// cli is one Terraform or OpenTofu CLI to run the suite under.
type cli struct {
	name    string // terraform or tofu
	version string // wanted version, "" when not pinned
	path    string // binary, "" until resolved
	// fromPath takes a pinned version from the PATH instead of building it.
	fromPath bool
}

func (c cli) String() string {
	switch {
	case c.version != "":
		return c.name + "@" + c.version
	case c.path != "":
		return c.name + "@" + c.path
	}
	return c.name
}

func parseSpec(s string) (cli, error) {
	name, rest, pinned := strings.Cut(s, "@")
	if name != "terraform" && name != "tofu" {
		return cli{}, fmt.Errorf("%q: the CLI must be terraform or tofu (terraform@1.5.7, tofu@1.12.6, tofu@/path/to/tofu, terraform)", s)
	}
	c := cli{name: name}
	switch {
	case !pinned:
	case strings.ContainsRune(rest, filepath.Separator):
		c.path = rest
	case versionRE.MatchString(rest):
		c.version = strings.TrimPrefix(rest, "v")
	default:
		return cli{}, fmt.Errorf("%q: %q is neither a version (1.5.7) nor a path to a binary", s, rest)
	}
	return c, nil
}

var versionRE = regexp.MustCompile(`^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$`)

// resolve finds the CLI's binary: scripts/cli.sh builds or reuses a pinned
// version, a bare name (or any name with -from-path) is looked up on the
// PATH.
func resolve(ctx context.Context, c cli, stderr io.Writer) (string, error) {
	switch {
	case c.path != "":
		return filepath.Abs(c.path)
	case c.version != "" && !c.fromPath:
		cmd := exec.CommandContext(ctx, "scripts/cli.sh", c.name, c.version)
		cmd.Stderr = stderr
		out, err := cmd.Output()
		if err != nil {
			return "", fmt.Errorf("scripts/cli.sh %s %s: %w", c.name, c.version, err)
		}
		return strings.TrimSpace(string(out)), nil
	}
	return exec.LookPath(c.name)
}

// check fails when the binary found is not the product, or not the
// version, the spec asked for.
func (c cli) check(found devenv.CLI) error {
	wantProduct := map[string]string{"terraform": devenv.Terraform, "tofu": devenv.OpenTofu}[c.name]
	switch {
	case found.Product != wantProduct:
		return fmt.Errorf("%s is %s, not %s", found.Path, found.Product, wantProduct)
	case c.version != "" && found.Version != c.version:
		return fmt.Errorf("%s is %s v%s, not v%s", found.Path, found.Product, found.Version, c.version)
	}
	return nil
}

// testEnv is the environment of one run: base with TF_ACC_TERRAFORM_PATH
// naming the CLI. The tests' TestMain (internal/provider/main_test.go) sets
// everything else the CLI needs, so that the suite runs alike under this
// command, `make test` and `go test`.
func testEnv(base []string, binary string) []string {
	env := make([]string, 0, len(base)+1)
	for _, kv := range base {
		if !strings.HasPrefix(kv, "TF_ACC_TERRAFORM_PATH=") {
			env = append(env, kv)
		}
	}
	return append(env, "TF_ACC_TERRAFORM_PATH="+binary)
}

// result is the outcome of the suite under one CLI.
type result struct {
	cli                     cli
	version                 string
	passed, failed, skipped int
	seconds                 float64
	err                     error // go test failed, or the CLI could not be set up
}

func (r result) ok() bool { return r.err == nil && r.failed == 0 && r.passed+r.skipped > 0 }

func runOne(ctx context.Context, c cli, goTestArgs []string, stdout, stderr io.Writer) (r result) {
	r.cli = c
	start := time.Now()
	defer func() { r.seconds = time.Since(start).Seconds() }()

	fmt.Fprintf(stdout, "==> go test %s under %s\n", pkg, c)
	binary, err := resolve(ctx, c, stderr)
	if err != nil {
		r.err = err
		fmt.Fprintln(stderr, "testacc:", err)
		return r
	}
	found, err := devenv.FindCLI(ctx, binary)
	if err == nil {
		err = c.check(found)
	}
	if err != nil {
		r.err = err
		fmt.Fprintln(stderr, "testacc:", err)
		return r
	}
	r.version = found.Version
	fmt.Fprintf(stdout, "    %s v%s (%s)\n", found.Product, found.Version, found.Path)

	args := append([]string{"test", "-count=1", "-json", "-timeout=20m"}, goTestArgs...)
	args = append(args, pkg)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Env = testEnv(os.Environ(), found.Path)
	cmd.Stderr = stderr
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		r.err = err
		return r
	}
	if err := cmd.Start(); err != nil {
		r.err = err
		return r
	}
	s, readErr := readEvents(pipe, stdout)
	waitErr := cmd.Wait()
	r.passed, r.failed, r.skipped = s.passed, s.failed, s.skipped
	switch {
	case readErr != nil:
		r.err = readErr
	case waitErr != nil:
		r.err = fmt.Errorf("go test: %w", waitErr)
	case s.packageFailed:
		r.err = errors.New("go test reported the package as failed")
	case s.passed+s.skipped == 0:
		r.err = errors.New("no test ran")
	}
	if r.err != nil {
		fmt.Fprintf(stderr, "testacc: under %s: %v\n", c, r.err)
	}
	return r
}

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

// summary counts the tests of one `go test -json` stream.
type summary struct {
	passed, failed, skipped int
	topLevel                int
	packageFailed           bool
}

// readEvents reads a `go test -json` stream, prints the output of every
// failed test (and of the package, when it failed outside any test) and the
// reason of every skipped test, and counts tests, subtests included.
func readEvents(r io.Reader, out io.Writer) (summary, error) {
	var s summary
	output := map[string][]string{} // test name -> its output so far
	var skips []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if err := json.Unmarshal(line, &e); err != nil || e.Action == "" {
			// Not an event (a build error line): show it as it is.
			fmt.Fprintln(out, string(line))
			continue
		}
		switch e.Action {
		case "build-output":
			// Compiler errors (go test -json reports the build too, since Go 1.24).
			fmt.Fprint(out, e.Output)
		case "build-fail":
			s.packageFailed = true
		case "output":
			output[e.Test] = append(output[e.Test], e.Output)
		case "pass", "fail", "skip":
			if e.Test == "" {
				if e.Action == "fail" {
					s.packageFailed = true
					fmt.Fprint(out, strings.Join(output[""], ""))
				}
				continue
			}
			if !strings.Contains(e.Test, "/") {
				s.topLevel++
			}
			switch e.Action {
			case "pass":
				s.passed++
			case "fail":
				s.failed++
				fmt.Fprintf(out, "--- FAIL: %s\n%s", e.Test, strings.Join(output[e.Test], ""))
			case "skip":
				s.skipped++
				skips = append(skips, fmt.Sprintf("    SKIP %s: %s", e.Test, skipReason(output[e.Test])))
			}
			delete(output, e.Test)
		}
	}
	sort.Strings(skips)
	for _, l := range skips {
		fmt.Fprintln(out, l)
	}
	fmt.Fprintf(out, "    %d passed, %d failed, %d skipped (%d top-level tests; counts include subtests)\n",
		s.passed, s.failed, s.skipped, s.topLevel)
	return s, sc.Err()
}

// skipReason picks the message of t.Skip out of a skipped test's output,
// leaving out the "=== RUN" and "--- SKIP" lines of the testing package.
func skipReason(lines []string) string {
	var msg []string
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "=== ") || strings.HasPrefix(t, "--- SKIP") {
			continue
		}
		msg = append(msg, t)
	}
	if len(msg) == 0 {
		return "(no message)"
	}
	return strings.Join(msg, " ")
}

func printTable(w io.Writer, results []result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CLI\tVERSION\tPASSED\tFAILED\tSKIPPED\tSECONDS\tRESULT\t")
	for _, r := range results {
		version := r.version
		if version == "" {
			version = r.cli.version
		}
		if version == "" {
			version = "?"
		}
		status := "ok"
		if !r.ok() {
			status = "FAILED"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%.0f\t%s\t\n", r.cli.name, version, r.passed, r.failed, r.skipped, r.seconds, status)
	}
	_ = tw.Flush()
	fmt.Fprintln(w, "(tests counted from go test -json, subtests included)")
}
