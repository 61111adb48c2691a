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
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/upswift/terraform-provider-upswift/internal/devenv"
	"github.com/upswift/terraform-provider-upswift/internal/emulator"
)

const benchToken = "bench-token"

type options struct {
	n         int
	runs      int
	latency   time.Duration
	rate      float64
	burst     int
	provider  string
	terraform string
	limited   bool
	rates     string
	sweepSecs float64
	// Workspaces side by side (workspaces.go).
	workspaces    string
	workspaceN    int
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

func run(ctx context.Context, args []string, out io.Writer) error {
	var o options
	fs := flag.NewFlagSet("upswift-bench", flag.ContinueOnError)
	fs.IntVar(&o.n, "n", 200, "resources per configuration")
	fs.IntVar(&o.runs, "runs", 3, "runs of each phase and tool")
	listDevices := fs.Int("list-devices", 10000, "listing benchmark (listing.go): devices in the project one upswift_devices lists at plan; 0 skips it")
	fs.DurationVar(&o.latency, "latency", 20*time.Millisecond, "emulator latency per API request")
	fs.Float64Var(&o.rate, "rate", 50, "emulator rate limit (requests/s) for the rate-limited apply")
	fs.IntVar(&o.burst, "burst", 1, "emulator rate-limit bucket for the rate-limited apply")
	fs.BoolVar(&o.limited, "limited", true, "also measure apply against the rate-limited emulator")
	fs.StringVar(&o.rates, "rates", "1,5,20,100", "rate sweep: emulator limits (requests/s, bucket 1, no Retry-After) for one apply each; empty for none")
	fs.Float64Var(&o.sweepSecs, "sweep-seconds", 8, "rate sweep: N per rate is this many seconds of API time (N = rate x seconds, from 4 to 200)")
	fs.StringVar(&o.workspaces, "workspaces", "2,4,8", "workspaces side by side: how many applies run at once (K), each a run against buckets of a second of the rate and of one; empty for none")
	fs.IntVar(&o.workspaceN, "workspace-n", 50, "workspaces side by side: removals per workspace")
	fs.Float64Var(&o.workspaceRate, "workspace-rate", 20, "workspaces side by side: the emulator's limit (requests/s) they share")
	fs.StringVar(&o.provider, "provider", "bin/terraform-provider-upswift", "locally built provider binary")
	fs.StringVar(&o.terraform, "terraform", "terraform", "Terraform CLI")
	if err := fs.Parse(args); err != nil {
		return err
	}
	rates, err := parseRates(o.rates)
	if err != nil {
		return err
	}
	ks, err := parseInts("workspaces", o.workspaces)
	if err != nil {
		return err
	}
	tfPath, err := exec.LookPath(o.terraform)
	if err != nil {
		return fmt.Errorf("no Terraform CLI %q found", o.terraform)
	}
	version, _ := exec.Command(tfPath, "version").Output()

	work, err := os.MkdirTemp("", "upswift-bench-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(work) }()
	cliConfig, err := devenv.WriteCLIConfig(work, o.provider)
	if err != nil {
		return err
	}

	devices := o.n
	for _, r := range rates {
		devices = max(devices, sweepN(r, o.sweepSecs))
	}
	for _, k := range ks {
		devices = max(devices, k*o.workspaceN)
	}
	fleet := benchFleet(devices)
	server, err := emulator.Start("127.0.0.1:0", emulator.New(fleet))
	if err != nil {
		return err
	}
	defer func() { _ = server.Close() }()
	env := devenv.Env(cliConfig, server.URL, benchToken)

	dirs := map[string]string{}
	for name, body := range map[string]string{
		"upswift":        upswiftConfig(o.n),
		"terraform_data": terraformDataConfig(o.n),
		"plugin_only":    pluginOnlyConfig(),
	} {
		dir := filepath.Join(work, name)
		if err := os.Mkdir(dir, 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(body), 0o600); err != nil {
			return err
		}
		dirs[name] = dir
	}

	fmt.Fprintf(out, "upswift-bench: N=%d, %d runs, latency %s, %s, %d cores\n%s\n",
		o.n, o.runs, o.latency, strings.SplitN(string(version), "\n", 2)[0], cpuCount(), time.Now().UTC().Format(time.RFC3339))
	if err := listingBench(ctx, out, tfPath, work, cliConfig, o, *listDevices); err != nil {
		return err
	}

	type scenario struct {
		name    string
		phase   string
		limited bool
	}
	scenarios := []scenario{{"validate", "validate", false}, {"plan", "plan", false}, {"apply", "apply", false}}
	if o.limited {
		scenarios = append(scenarios, scenario{fmt.Sprintf("apply, API limited to %g req/s (bucket %d)", o.rate, o.burst), "apply", true})
	}
	results := make([]row, 0, len(scenarios))
	for _, sc := range scenarios {
		r := row{name: sc.name}
		for i := range o.runs {
			tools := []string{"upswift", "terraform_data"}
			if i%2 == 1 {
				slices.Reverse(tools)
			}
			var pair [2]time.Duration
			var floorSeconds float64
			for _, tool := range tools {
				server.Emulator.Reset()
				server.Emulator.SetLatency(o.latency)
				if sc.limited {
					server.Emulator.SetRateLimit(o.rate, o.burst, false)
				}
				m, err := measure(ctx, tfPath, dirs[tool], sc.phase, env)
				if err != nil && tool == "terraform_data" {
					return err
				}
				if tool == "upswift" {
					pair[0] = m.wall
					r.rss = max(r.rss, m.peakRSS)
					counts := server.Emulator.Counts()
					r.ok += counts[200]
					r.throttled += counts[429]
					r.mostThrottled = max(r.mostThrottled, counts[429])
					if err != nil {
						r.failed++
						fmt.Fprintf(os.Stderr, "run %d of %s failed: %v\n", i+1, sc.name, err)
					}
				} else {
					pair[1] = m.wall
					floorSeconds = m.wall.Seconds()
				}
			}
			if sc.limited {
				// Under a limit the floor is also the API's own time for N
				// requests: whichever is longer.
				floorSeconds = max(floorSeconds, float64(o.n)/o.rate)
			}
			r.upswift = append(r.upswift, pair[0])
			r.floor = append(r.floor, pair[1])
			r.ratios = append(r.ratios, pair[0].Seconds()/floorSeconds)
		}
		results = append(results, r)
	}

	sweep, err := runSweep(ctx, tfPath, work, server, env, o, rates)
	if err != nil {
		return err
	}
	workspaces, err := runWorkspaces(ctx, tfPath, work, server, env, o, ks)
	if err != nil {
		return err
	}

	// The plugin alone: a configuration with the provider and no resources.
	plugin := row{name: "plugin alone (provider, no resources)"}
	for range o.runs {
		m, err := measure(ctx, tfPath, dirs["plugin_only"], "plan", env)
		if err != nil {
			return err
		}
		plugin.upswift = append(plugin.upswift, m.wall)
		plugin.rss = max(plugin.rss, m.peakRSS)
	}

	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nphase\tupswift s (median)\tterraform_data s (median)\tratio (median of runs)\tratios\tprovider peak RSS\t200 / 429 (most in one run) / failed runs\t")
	for _, r := range results {
		ratios := make([]string, len(r.ratios))
		for i, x := range r.ratios {
			ratios[i] = fmt.Sprintf("%.2f", x)
		}
		fmt.Fprintf(tw, "%s\t%.2f\t%.2f\t%.2fx\t%s\t%.1f MiB\t%d / %d (%d) / %d\t\n", r.name, median(r.upswift).Seconds(),
			median(r.floor).Seconds(), median(r.ratios), strings.Join(ratios, " "), float64(r.rss)/1024, r.ok, r.throttled, r.mostThrottled, r.failed)
	}
	fmt.Fprintf(tw, "%s\t%.2f\t\t\t\t%.1f MiB\t\t\n", plugin.name, median(plugin.upswift).Seconds(), float64(plugin.rss)/1024)
	if err := tw.Flush(); err != nil {
		return err
	}
	if o.limited {
		fmt.Fprintf(out, "\nThe limited apply's ratio is against max(terraform_data apply of the same run, N/R = %.2fs).\n", float64(o.n)/o.rate)
	}
	if len(sweep) > 0 {
		printSweep(out, sweep)
	}
	if len(workspaces) > 0 {
		printWorkspaces(out, workspaces)
	}
	// A measurement of runs that did not do their work is no measurement.
	for i, r := range results {
		if scenarios[i].phase == "apply" && (r.failed > 0 || r.ok != o.runs*o.n) {
			return fmt.Errorf("%s: %d failed runs, %d of %d removals answered 200", r.name, r.failed, r.ok, o.runs*o.n)
		}
	}
	for _, s := range sweep {
		if s.failed || s.ok != s.n {
			return fmt.Errorf("rate sweep at %g req/s: failed=%v, %d of %d removals answered 200", s.rate, s.failed, s.ok, s.n)
		}
	}
	for _, w := range workspaces {
		if w.failed > 0 || w.ok != w.k*w.n {
			return fmt.Errorf("workspaces K=%d, bucket %d: %d failed applies, %d of %d removals answered 200", w.k, w.burst, w.failed, w.ok, w.k*w.n)
		}
	}
	return nil
}

type row struct {
	name           string
	upswift, floor []time.Duration
	ratios         []float64
	rss            int64 // KiB
	ok, throttled  int
	mostThrottled  int // the most 429s of any one run
	failed         int
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
