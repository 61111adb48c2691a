// Command upswift-demo is what `make demo` runs: it starts the emulator with
// the demo fleet on a free loopback port, plans examples/demo with the
// locally built provider (the plan shows the app removal's scope, read by
// upswift_devices), applies that plan, shows which devices lost the app and
// the tag, and checks that the devices that lost the app are the scope's
// devices that had it. The emulator stops when the demo ends, whether it
// succeeds, fails or is interrupted.
package main

import (
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
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/upswift/terraform-provider-upswift/internal/devenv"
	"github.com/upswift/terraform-provider-upswift/internal/emulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo failed:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("upswift-demo", flag.ContinueOnError)
	provider := fs.String("provider", "bin/terraform-provider-upswift", "locally built provider binary")
	dir := fs.String("dir", "examples/demo", "Terraform configuration to apply")
	app := fs.String("app", "legacy-agent", "app whose removal the table shows")
	tag := fs.String("tag", "beta", "tag whose removal the table shows")
	scopeOutput := fs.String("scope-output", "legacy_agent_scope", "output of the configuration that lists, by device ID, the devices the app removal applies to")
	terraform := fs.String("terraform", "terraform", "Terraform or OpenTofu CLI: a name on the PATH or a path")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cli, err := devenv.FindCLI(ctx, *terraform)
	if err != nil {
		return fmt.Errorf("%w: install Terraform >= 1.0.11, or pass -terraform /path/to/tofu (OpenTofu >= 1.6.3; `make demo TERRAFORM=/path/to/tofu`)", err)
	}

	work, err := os.MkdirTemp("", "upswift-demo-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(work) }()
	cliConfig, err := devenv.WriteCLIConfig(work, *provider)
	if err != nil {
		return err
	}
	if err := devenv.CopyTerraformFiles(*dir, work); err != nil {
		return err
	}

	server, err := emulator.Start("127.0.0.1:0", emulator.New(emulator.DemoFleet()))
	if err != nil {
		return err
	}
	defer func() { _ = server.Close() }()
	fmt.Fprintf(stdout, "Upswift emulator listening on %s (demo fleet, token %q)\n", server.URL, emulator.DemoToken)
	fmt.Fprintf(stdout, "%s v%s (%s) plans and applies %s\n\n", cli.Product, cli.Version, cli.Path, *dir)

	before := server.Emulator.Devices(emulator.DemoToken)
	tf := func(out io.Writer, args ...string) error {
		cmd := exec.CommandContext(ctx, cli.Path, args...)
		cmd.Dir = work
		cmd.Env = devenv.Env(cliConfig, server.URL, emulator.DemoToken)
		cmd.Stdout, cmd.Stderr = out, os.Stderr
		// On Ctrl-C Terraform gets the signal from the terminal too; give it
		// the chance to stop cleanly rather than killing it.
		cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%s %s: %w", filepath.Base(cli.Path), args[0], err)
		}
		return nil
	}
	// The plan reads the scope and shows it under "Changes to Outputs";
	// the apply then applies exactly that plan.
	if err := tf(stdout, "plan", "-input=false", "-out=demo.tfplan"); err != nil {
		return err
	}
	if err := tf(stdout, "apply", "-input=false", "demo.tfplan"); err != nil {
		return err
	}
	var scopeJSON strings.Builder
	if err := tf(&scopeJSON, "output", "-json", *scopeOutput); err != nil {
		return err
	}
	var scope map[string]any
	if err := json.Unmarshal([]byte(scopeJSON.String()), &scope); err != nil {
		return fmt.Errorf("output %s is not a map by device ID: %w", *scopeOutput, err)
	}

	after := server.Emulator.Devices(emulator.DemoToken)
	fmt.Fprintf(stdout, "\nDevices of the demo fleet, the app %q and the tag %q:\n\n", *app, *tag)
	lost := printTable(stdout, *app, *tag, before, after)
	if err := checkScope(*app, scope, before, after); err != nil {
		return fmt.Errorf("the plan's scope and the fleet disagree: %w", err)
	}
	fmt.Fprintf(stdout, "The %d device(s) that lost the app %q are those of the plan's scope (%d device(s)) that had it.\n",
		lost, *app, len(scope))
	return nil
}

// checkScope checks the scope that the plan showed (device IDs) against
// what the apply did: every device that lost the app is in the scope, and
// every device of the scope that had the app lost it.
func checkScope(app string, scope map[string]any, before, after map[string]emulator.DeviceView) error {
	var errs []error
	for _, id := range sortedKeys(before) {
		_, had := before[id].Apps[app]
		_, has := after[id].Apps[app]
		_, inScope := scope[id]
		switch {
		case had && !has && !inScope:
			errs = append(errs, fmt.Errorf("device %s lost the app %q but is not in the scope", id, app))
		case had && has && inScope:
			errs = append(errs, fmt.Errorf("device %s is in the scope and had the app %q, but kept it", id, app))
		}
	}
	for _, id := range sortedKeys(scope) {
		if _, ok := before[id]; !ok {
			errs = append(errs, fmt.Errorf("the scope lists %s, which is not a device of the fleet", id))
		}
	}
	return errors.Join(errs...)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// printTable shows, per device, whether it had the app and the tag before
// the apply and whether it lost them, and returns how many lost the app.
func printTable(w io.Writer, app, tag string, before, after map[string]emulator.DeviceView) int {
	ids := make([]string, 0, len(before))
	for id := range before {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int {
		da, db := before[a], before[b]
		if da.Group != db.Group {
			if da.Group < db.Group {
				return -1
			}
			return 1
		}
		if da.Name < db.Name {
			return -1
		}
		return 1
	})
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "DEVICE\tNAME\tGROUP\tSTATE\tAPP %s\tTAG %s\t\n", app, tag)
	lostApp, lostTag := 0, 0
	for _, id := range ids {
		b, a := before[id], after[id]
		_, hadApp := b.Apps[app]
		_, hasApp := a.Apps[app]
		hadTag, hasTag := slices.Contains(b.Tags, tag), slices.Contains(a.Tags, tag)
		lostApp += count(hadApp && !hasApp)
		lostTag += count(hadTag && !hasTag)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", id, b.Name, b.Group, b.State, change(hadApp, hasApp), change(hadTag, hasTag))
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "\n%d device(s) lost the app %q, %d device(s) the tag %q.\n", lostApp, app, lostTag, tag)
	return lostApp
}

// change says what happened to an app or tag of one device: "removed",
// "kept", or "-" when it never had it.
func change(had, has bool) string {
	switch {
	case had && !has:
		return "removed"
	case had:
		return "kept"
	}
	return "-"
}

func count(b bool) int {
	if b {
		return 1
	}
	return 0
}
