// Command upswift-bench is what `make bench` runs: it measures Terraform's
// validate, plan and apply of N app removals against the emulator, beside
// the same N resources as the built-in terraform_data (Terraform's own
// floor: the same bookkeeping with no plugin and no HTTP), alternating the
// two run by run on this machine.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/upswift/terraform-provider-upswift/internal/devenv"
	"github.com/upswift/terraform-provider-upswift/internal/emulator"
)

const benchToken = "bench-token"

type options struct {
	n           int
	runs        int
	latency     time.Duration
	rate        float64
	burst       int
	provider    string
	terraform   string
	limited     bool
	secondRun   bool
	rates       string
	sweepSecs   float64
	listDevices int
	// sharing is which of the shared pace's modes every apply runs in,
	// side by side: on, off or both.
	sharing string
	// Workspaces side by side (workspaces.go).
	workspaces    string
	workspaceN    int
	workspaceMix  string
	workspaceRate float64
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench failed:", err)
		os.Exit(1)
	}
}

func parseOptions(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("upswift-bench", flag.ContinueOnError)
	fs.IntVar(&o.n, "n", 200, "resources per configuration")
	fs.IntVar(&o.runs, "runs", 3, "runs of each phase and tool")
	fs.IntVar(&o.listDevices, "list-devices", 10000, "listing benchmark (listing.go): devices in the project one upswift_devices lists at plan; 0 skips it")
	fs.DurationVar(&o.latency, "latency", 20*time.Millisecond, "emulator latency per API request")
	fs.Float64Var(&o.rate, "rate", 50, "emulator rate limit (requests/s) for the rate-limited apply")
	fs.IntVar(&o.burst, "burst", 1, "emulator rate-limit bucket for the rate-limited apply")
	fs.BoolVar(&o.limited, "limited", true, "also measure apply against the rate-limited emulator")
	fs.BoolVar(&o.secondRun, "second-run", true, "also measure the rate-limited apply right after another on the same machine, from the pace that one left (sharing on)")
	fs.StringVar(&o.sharing, "sharing", "on,off", "the shared pace in every apply: on, off, or on,off for both side by side")
	fs.StringVar(&o.rates, "rates", "1,5,20,100", "rate sweep: emulator limits (requests/s, bucket 1, no Retry-After) for one apply each; empty for none")
	fs.Float64Var(&o.sweepSecs, "sweep-seconds", 8, "rate sweep: N per rate is this many seconds of API time (N = rate x seconds, from 4 to 200)")
	fs.StringVar(&o.workspaces, "workspaces", "2,4,8", "workspaces side by side: how many applies run at once (K), each a run against buckets of a second of the rate and of one; empty for none")
	fs.IntVar(&o.workspaceN, "workspace-n", 50, "workspaces side by side: removals per workspace")
	fs.StringVar(&o.workspaceMix, "workspace-mix", "", "workspaces side by side: one more run of workspaces of these removals each, e.g. 20,50,80")
	fs.Float64Var(&o.workspaceRate, "workspace-rate", 20, "workspaces side by side: the emulator's limit (requests/s) they share")
	fs.StringVar(&o.provider, "provider", "bin/terraform-provider-upswift", "locally built provider binary")
	fs.StringVar(&o.terraform, "terraform", "terraform", "Terraform or OpenTofu CLI: a name on the PATH or a path")
	return o, fs.Parse(args)
}

// bench is what every case of one benchmark run uses.
type bench struct {
	o      options
	tf     string // the Terraform CLI
	work   string // a directory of this run, removed at its end
	server *emulator.Server
	env    []string
	dirs   map[string]string // configurations by name
	rates  []float64         // the rate sweep's limits
	ks     []int             // the workspaces' K
	mix    []int             // the removals of each workspace of the mixed run
	modes  []bool            // the shared pace on (true), off (false)
}

func run(ctx context.Context, args []string, out io.Writer) error {
	o, err := parseOptions(args)
	if err != nil {
		return err
	}
	b := &bench{o: o}
	if b.rates, err = parseRates(o.rates); err != nil {
		return err
	}
	if b.ks, err = parseInts("workspaces", o.workspaces); err != nil {
		return err
	}
	if b.mix, err = parseInts("workspace-mix", o.workspaceMix); err != nil {
		return err
	}
	if b.modes, err = parseSharing(o.sharing); err != nil {
		return err
	}
	cli, err := devenv.FindCLI(ctx, o.terraform)
	if err != nil {
		return err
	}
	b.tf = cli.Path
	if b.work, err = os.MkdirTemp("", "upswift-bench-"); err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(b.work) }()
	cliConfig, err := devenv.WriteCLIConfig(b.work, o.provider)
	if err != nil {
		return err
	}
	if err := b.start(cliConfig); err != nil {
		return err
	}
	defer func() { _ = b.server.Close() }()

	fmt.Fprintf(out, "upswift-bench: N=%d, %d runs, latency %s, %s, %d cores\n%s\n",
		o.n, o.runs, o.latency, cli.Product+" v"+cli.Version, cpuCount(), time.Now().UTC().Format(time.RFC3339))
	if err := listingBench(ctx, out, b.tf, b.work, cliConfig, o, o.listDevices); err != nil {
		return err
	}
	results, err := b.phases(ctx)
	if err != nil {
		return err
	}
	sweep, err := b.runSweep(ctx)
	if err != nil {
		return err
	}
	workspaces, err := b.runWorkspaces(ctx)
	if err != nil {
		return err
	}
	plugin, err := b.pluginAlone(ctx)
	if err != nil {
		return err
	}
	if err := printPhases(out, results, plugin, o); err != nil {
		return err
	}
	printSweep(out, sweep)
	printWorkspaces(out, workspaces)
	return checkWork(results, sweep, workspaces, o)
}

// start starts the emulator with a fleet for every case, and writes the
// configurations of the phases.
func (b *bench) start(cliConfig string) error {
	devices := b.o.n
	for _, r := range b.rates {
		devices = max(devices, sweepN(r, b.o.sweepSecs))
	}
	for _, k := range b.ks {
		devices = max(devices, k*b.o.workspaceN)
	}
	mixed := 0
	for _, n := range b.mix {
		mixed += n
	}
	devices = max(devices, mixed)
	server, err := emulator.Start("127.0.0.1:0", emulator.New(benchFleet(devices)))
	if err != nil {
		return err
	}
	b.server = server
	b.env = devenv.Env(cliConfig, server.URL, benchToken)
	b.dirs = map[string]string{}
	for name, body := range map[string]string{
		"upswift":        upswiftConfig(b.o.n),
		"terraform_data": terraformDataConfig(b.o.n),
		"plugin_only":    pluginOnlyConfig(),
	} {
		dir := filepath.Join(b.work, name)
		if err := os.Mkdir(dir, 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(body), 0o600); err != nil {
			return err
		}
		b.dirs[name] = dir
	}
	return nil
}

// reset gives the next run a fresh emulator: its fleet, its counts, and
// the limit (rate 0: none).
func (b *bench) reset(rate float64, burst int) {
	b.server.Emulator.Reset()
	b.server.Emulator.SetLatency(b.o.latency)
	if rate > 0 {
		b.server.Emulator.SetRateLimit(rate, burst, false)
	}
}

// pluginAlone plans a configuration with the provider and no resources.
func (b *bench) pluginAlone(ctx context.Context) (row, error) {
	plugin := row{name: "plugin alone (provider, no resources)"}
	for range b.o.runs {
		m, err := measure(ctx, b.tf, b.dirs["plugin_only"], "plan", b.env)
		if err != nil {
			return plugin, err
		}
		plugin.upswift = append(plugin.upswift, m.wall)
		plugin.rss = max(plugin.rss, m.peakRSS)
	}
	return plugin, nil
}

// checkWork fails a benchmark whose applies did not do their work: a
// measurement of runs that did not is no measurement.
func checkWork(results []row, sweep []sweepRow, workspaces []workspaceRow, o options) error {
	for _, r := range results {
		if r.apply && (r.failed > 0 || r.ok != r.runs*o.n) {
			return fmt.Errorf("%s: %d failed runs, %d of %d removals answered 200", r.name, r.failed, r.ok, r.runs*o.n)
		}
	}
	for _, s := range sweep {
		for _, p := range s.paced {
			if p.failed || p.ok != s.n {
				return fmt.Errorf("rate sweep at %g req/s, %s: failed=%v, %d of %d removals answered 200", s.rate, sharingName(p.shared), p.failed, p.ok, s.n)
			}
		}
	}
	for _, w := range workspaces {
		if w.failed > 0 || w.ok != w.removals() {
			return fmt.Errorf("workspaces %s, bucket %d, %s: %d failed applies, %d of %d removals answered 200",
				w.name(), w.burst, sharingName(w.shared), w.failed, w.ok, w.removals())
		}
	}
	return nil
}

func benchFleet(n int) *emulator.Fleet {
	devices := make([]emulator.Device, n)
	for i := range devices {
		devices[i] = emulator.Device{ID: deviceID(i), Name: "bench", State: "online", Apps: map[string]string{"legacy-agent": "1.0.0"}}
	}
	return &emulator.Fleet{Accounts: []emulator.Account{{
		UserToken: benchToken, Apps: []string{"legacy-agent"},
		Projects: []emulator.Project{{Name: "Bench", Groups: []emulator.Group{{Name: "All", Devices: devices}}}},
	}}}
}

func deviceID(i int) string { return fmt.Sprintf("d-%04d", i) }

const terraformBlock = `terraform {
  required_providers {
    upswift = { source = "upswift/upswift" }
  }
}

provider "upswift" {}
`

// benchInput is the same input for both configurations: one removal per
// device.
const benchInput = `app_name = "legacy-agent"
  device_filter = {
    project = { name = "Bench" }
    groups  = [{ name = "All" }]
    filters = [{ type = "specific_device", operand = "is", value = format("d-%04d", count.index) }]
  }`

func upswiftConfig(n int) string {
	return terraformBlock + fmt.Sprintf(`
resource "upswift_app_removal" "bench" {
  count = %d
  %s
}
`, n, benchInput)
}

func terraformDataConfig(n int) string {
	return fmt.Sprintf(`
resource "terraform_data" "bench" {
  count = %d
  input = {
  %s
  }
}
`, n, benchInput)
}

func pluginOnlyConfig() string { return terraformBlock }
