// Command upswift-demo is what `make demo` runs: it starts the emulator with
// the demo fleet on a free loopback port and rehearses, with the locally
// built provider, a removal bound to the scope its plan showed:
//
//  1. it plans examples/demo into a file: upswift_devices lists the app
//     removal's scope, which the removal takes as expected_device_uuids;
//  2. a device joins the scope (the emulator moves it into a group), as a
//     fleet moves between a pipeline's plan and its apply;
//  3. the apply of the saved plan is refused, naming that device, and the
//     app is removed from no device;
//  4. a new plan shows the device in the removal's diff, and that plan
//     applies;
//
// then it shows which devices lost the app and the tag, and checks that
// the devices that lost the app are those of the new plan's scope that had
// it. The emulator stops when the demo ends, whether it succeeds, fails or
// is interrupted.
package main

import (
	"bytes"
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

// options are the demo's flags.
type options struct {
	provider, dir, app, tag, scopeOutput, terraform string
	// join is the device that joins the app removal's scope between the
	// plan and the apply, into joinGroup of the Demo project.
	join, joinGroup string
}

func parseOptions(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("upswift-demo", flag.ContinueOnError)
	fs.StringVar(&o.provider, "provider", "bin/terraform-provider-upswift", "locally built provider binary")
	fs.StringVar(&o.dir, "dir", "examples/demo", "Terraform configuration to apply")
	fs.StringVar(&o.app, "app", "legacy-agent", "app whose removal the table shows")
	fs.StringVar(&o.tag, "tag", "beta", "tag whose removal the table shows")
	fs.StringVar(&o.scopeOutput, "scope-output", "legacy_agent_scope", "output of the configuration that lists, by device ID, the devices the app removal applies to")
	fs.StringVar(&o.terraform, "terraform", "terraform", "Terraform or OpenTofu CLI: a name on the PATH or a path")
	fs.StringVar(&o.join, "join", "d-8b3f-c6e2", "device of the demo fleet that joins the app removal's scope between the plan and the apply")
	fs.StringVar(&o.joinGroup, "join-group", "TestGroup1", "group of the Demo project the joining device moves into")
	return o, fs.Parse(args)
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	o, err := parseOptions(args)
	if err != nil {
		return err
	}
	cli, err := devenv.FindCLI(ctx, o.terraform)
	if err != nil {
		return fmt.Errorf("%w: install Terraform >= 1.0.11, or pass -terraform /path/to/tofu (OpenTofu >= 1.6.3; `make demo TERRAFORM=/path/to/tofu`)", err)
	}
	work, err := os.MkdirTemp("", "upswift-demo-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(work) }()
	cliConfig, err := devenv.WriteCLIConfig(work, o.provider)
	if err != nil {
		return err
	}
	if err := devenv.CopyTerraformFiles(o.dir, work); err != nil {
		return err
	}
	server, err := emulator.Start("127.0.0.1:0", emulator.New(emulator.DemoFleet()))
	if err != nil {
		return err
	}
	defer func() { _ = server.Close() }()
	fmt.Fprintf(stdout, "Upswift emulator listening on %s (demo fleet, token %q)\n", server.URL, emulator.DemoToken)
	fmt.Fprintf(stdout, "%s v%s (%s) plans and applies %s\n", cli.Product, cli.Version, cli.Path, o.dir)
	d := &demo{ctx: ctx, o: o, cli: cli, work: work, env: devenv.Env(cliConfig, server.URL, emulator.DemoToken),
		server: server, stdout: stdout}
	before := server.Emulator.Devices(emulator.DemoToken)
	if err := d.rehearse(); err != nil {
		return err
	}
	scope, err := d.scope()
	if err != nil {
		return err
	}
	after := server.Emulator.Devices(emulator.DemoToken)
	fmt.Fprintf(stdout, "\nDevices of the demo fleet, the app %q and the tag %q:\n\n", o.app, o.tag)
	lost := printTable(stdout, o.app, o.tag, before, after)
	if err := checkScope(o.app, scope, before, after); err != nil {
		return fmt.Errorf("the plan's scope and the fleet disagree: %w", err)
	}
	fmt.Fprintf(stdout, "The %d device(s) that lost the app %q are those of the reviewed plan's scope (%d device(s)) that had it.\n",
		lost, o.app, len(scope))
	return nil
}

// demo is one run of the story against one emulator.
type demo struct {
	ctx    context.Context
	o      options
	cli    devenv.CLI
	work   string
	env    []string
	server *emulator.Server
	stdout io.Writer
}

// rehearse plans into a file, lets a device join the scope, checks that
// the apply of the saved plan is refused naming it, then plans again and
// applies that plan.
func (d *demo) rehearse() error {
	d.step("1. Plan, saved for review: the app removal's scope is read by upswift_devices and bound to the removal as expected_device_uuids.")
	if _, err := d.tf("plan", "-input=false", "-out=review.tfplan"); err != nil {
		return err
	}
	d.step(fmt.Sprintf("2. Before the apply, a device joins the scope: the emulator moves %s into %s, as this would:\n\n"+
		"  curl -s -X POST %s%s -d '{\"user_token\":%q,\"device\":%q,\"project\":\"Demo\",\"group\":%q}'",
		d.o.join, d.o.joinGroup, d.server.URL, emulator.FleetMovePath, emulator.DemoToken, d.o.join, d.o.joinGroup))
	if err := d.server.Emulator.MoveDevice(emulator.DemoToken, d.o.join, "Demo", d.o.joinGroup); err != nil {
		return err
	}
	d.step("3. The apply of the saved plan: the provider lists the scope again right before sending the removal.")
	out, err := d.tf("apply", "-input=false", "review.tfplan")
	if err == nil {
		return fmt.Errorf("the saved plan was applied although %s joined the scope after it", d.o.join)
	}
	if !strings.Contains(out, d.o.join) || d.removals(emulator.DeviceAppsPath) != 0 {
		return fmt.Errorf("the refused apply did not name %s, or an app removal was sent anyway", d.o.join)
	}
	fmt.Fprintf(d.stdout, "\nRefused as expected: no app removal was sent, and the error names %s.\n", d.o.join)
	d.step("4. Plan again: the removal's expected_device_uuids now lists " + d.o.join + " for review.")
	if out, err = d.tf("plan", "-input=false", "-out=review.tfplan"); err != nil {
		return err
	}
	if !strings.Contains(out, d.o.join) {
		return fmt.Errorf("the new plan does not show %s", d.o.join)
	}
	d.step("5. Apply the reviewed plan.")
	_, err = d.tf("apply", "-input=false", "review.tfplan")
	return err
}

// step announces a step of the story.
func (d *demo) step(what string) { fmt.Fprintf(d.stdout, "\n=== %s\n\n", what) }

// tf runs the CLI in the work directory, shows its output and returns it.
func (d *demo) tf(args ...string) (string, error) {
	var out bytes.Buffer
	cmd := exec.CommandContext(d.ctx, d.cli.Path, append(args, "-no-color")...)
	cmd.Dir = d.work
	cmd.Env = d.env
	cmd.Stdout, cmd.Stderr = io.MultiWriter(d.stdout, &out), io.MultiWriter(os.Stderr, &out)
	// On Ctrl-C Terraform gets the signal from the terminal too; give it
	// the chance to stop cleanly rather than killing it.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("%s %s: %w", filepath.Base(d.cli.Path), args[0], err)
	}
	return out.String(), nil
}

// removals counts the removals to path the emulator received.
func (d *demo) removals(path string) int {
	n := 0
	for _, r := range d.server.Emulator.Requests() {
		if r.Path == path {
			n++
		}
	}
	return n
}

// scope reads the output that lists, by device ID, the devices of the
// app removal's scope in the last plan.
func (d *demo) scope() (map[string]any, error) {
	cmd := exec.CommandContext(d.ctx, d.cli.Path, "output", "-json", d.o.scopeOutput)
	cmd.Dir, cmd.Env, cmd.Stderr = d.work, d.env, os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s output: %w", filepath.Base(d.cli.Path), err)
	}
	var scope map[string]any
	if err := json.Unmarshal(out, &scope); err != nil {
		return nil, fmt.Errorf("output %s is not a map by device ID: %w", d.o.scopeOutput, err)
	}
	return scope, nil
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
		group := b.Group
		if a.Group != "" && a.Group != b.Group {
			group += "→" + a.Group // moved during the demo
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", id, b.Name, group, b.State, change(hadApp, hasApp), change(hadTag, hasTag))
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
