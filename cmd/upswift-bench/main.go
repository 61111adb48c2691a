// Command upswift-bench is what `make bench` runs: it measures Terraform's
// validate, plan and apply of N app removals against the emulator, beside
// the same N resources as the built-in terraform_data (Terraform's own
// floor: the same bookkeeping with no plugin and no HTTP), alternating the
// two run by run on this machine.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
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
	fs.StringVar(&o.terraform, "terraform", "terraform", "Terraform or OpenTofu CLI: a name on the PATH or a path")
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
	cli, err := devenv.FindCLI(ctx, o.terraform)
	if err != nil {
		return err
	}
	tfPath := cli.Path

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
		o.n, o.runs, o.latency, cli.Product+" v"+cli.Version, cpuCount(), time.Now().UTC().Format(time.RFC3339))
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

// sweepN is how many removals the sweep applies at rate r: secs seconds of
// API time, at least 4 and at most 200, so that each run stays short.
func sweepN(r, secs float64) int {
	return min(max(int(math.Round(r*secs)), 4), 200)
}

func parseRates(s string) ([]float64, error) {
	var rates []float64
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		r, err := strconv.ParseFloat(f, 64)
		if err != nil || r <= 0 {
			return nil, fmt.Errorf("-rates: %q is not a positive number", f)
		}
		rates = append(rates, r)
	}
	return rates, nil
}

// sweepRow is one apply of the rate sweep, beside the same apply without
// a limit.
type sweepRow struct {
	rate         float64
	n            int
	wall, free   time.Duration
	ok, throttle int
	failed       bool
}

// runSweep applies N removals once against each limit (bucket 1, no
// Retry-After, the API's documented answer), and once without a limit
// for reference.
func runSweep(ctx context.Context, tfPath, work string, server *emulator.Server, env []string, o options, rates []float64) ([]sweepRow, error) {
	var rows []sweepRow
	for _, r := range rates {
		n := sweepN(r, o.sweepSecs)
		dir := filepath.Join(work, fmt.Sprintf("sweep-%d", n))
		if _, err := os.Stat(dir); err != nil {
			if err := os.Mkdir(dir, 0o700); err != nil {
				return nil, err
			}
			if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(upswiftConfig(n)), 0o600); err != nil {
				return nil, err
			}
		}
		row := sweepRow{rate: r, n: n}
		server.Emulator.Reset()
		server.Emulator.SetLatency(o.latency)
		free, err := measure(ctx, tfPath, dir, "apply", env)
		if err != nil {
			return nil, fmt.Errorf("unlimited apply of %d: %w", n, err)
		}
		row.free = free.wall
		server.Emulator.Reset()
		server.Emulator.SetLatency(o.latency)
		server.Emulator.SetRateLimit(r, 1, false)
		m, err := measure(ctx, tfPath, dir, "apply", env)
		row.wall = m.wall
		counts := server.Emulator.Counts()
		row.ok, row.throttle = counts[200], counts[429]
		if err != nil {
			row.failed = true
			fmt.Fprintf(os.Stderr, "rate sweep at %g req/s failed: %v\n", r, err)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func printSweep(out io.Writer, rows []sweepRow) {
	fmt.Fprintln(out, "\nRate sweep: one apply per limit (bucket 1, no Retry-After), beside the same apply without a limit.")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "limit req/s\tN\tapply s\tunlimited s\tN/R s\tbound s (unlimited + 1.25 N/R)\t429s (bound max(5, N/10))\tfailed\t")
	for _, r := range rows {
		nr := float64(r.n) / r.rate
		fmt.Fprintf(tw, "%g\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%d (%d)\t%v\t\n", r.rate, r.n, r.wall.Seconds(), r.free.Seconds(), nr,
			r.free.Seconds()+1.25*nr, r.throttle, max(5, r.n/10), r.failed)
	}
	_ = tw.Flush()
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

type measurement struct {
	wall    time.Duration
	peakRSS int64 // KiB, of the provider process
}

// measure runs one Terraform phase with fresh state and returns its wall
// time and the provider process's peak resident set.
func measure(ctx context.Context, tf, dir, phase string, env []string) (measurement, error) {
	for _, f := range []string{"terraform.tfstate", "terraform.tfstate.backup", "tfplan"} {
		_ = os.Remove(filepath.Join(dir, f))
	}
	args := []string{phase}
	switch phase {
	case "plan":
		args = append(args, "-input=false", "-lock=false")
	case "apply":
		args = append(args, "-input=false", "-auto-approve", "-lock=false")
	}
	cmd := exec.CommandContext(ctx, tf, args...)
	cmd.Dir = dir
	cmd.Env = env
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var peak int64
	wg.Add(1)
	go func() { defer wg.Done(); peak = watchProviderRSS(stop) }()
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	close(stop)
	wg.Wait()
	if err != nil {
		return measurement{wall, peak}, fmt.Errorf("terraform %s in %s: %w\n%s", phase, filepath.Base(dir), err, tail(stderr.String(), 2000))
	}
	return measurement{wall, peak}, nil
}

// watchProviderRSS polls /proc for provider processes and returns the
// highest VmHWM (peak resident set, KiB) seen until stop closes.
func watchProviderRSS(stop <-chan struct{}) int64 {
	var peak int64
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		entries, _ := os.ReadDir("/proc")
		for _, e := range entries {
			if _, err := strconv.Atoi(e.Name()); err != nil {
				continue
			}
			comm, err := os.ReadFile(filepath.Join("/proc", e.Name(), "comm"))
			if err != nil || !strings.HasPrefix(string(comm), "terraform-provi") {
				continue
			}
			peak = max(peak, vmHWM(filepath.Join("/proc", e.Name(), "status")))
		}
		select {
		case <-stop:
			return peak
		case <-tick.C:
		}
	}
}

func vmHWM(statusFile string) int64 {
	f, err := os.Open(statusFile)
	if err != nil {
		return 0
	}
	defer func() { _ = f.Close() }()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb
		}
	}
	return 0
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

// median returns the middle value (the mean of the two middle ones for an
// even count); 0 for none.
func median[T ~int64 | ~float64](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func cpuCount() int {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return 0
	}
	return strings.Count(string(data), "\nprocessor") + 1
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
