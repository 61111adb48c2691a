package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/upswift/terraform-provider-upswift/internal/devenv"
	"github.com/upswift/terraform-provider-upswift/internal/emulator"
)

// The listing benchmark: `terraform plan` of one upswift_devices over a
// project of N devices, against the emulator at the bench's latency per
// request. The data source lists the project with the two reads side by
// side, 50 devices a page, so the floor is the longer of the two listings:
// max(pages) x latency (for 10,000 devices, 200 pages of devices_details
// and 201 of get_devices_state, the last one empty: about 4 s at 20 ms).
// The plan is timed beside that floor and beside the plan of the provider
// alone (no data source), which is what Terraform and the plugin cost
// anyway.

// listingPageLimit is the page size the provider asks for.
const listingPageLimit = 50

// listingFleet is n devices of project Bench, group All: with tags, a state
// and an update each, as a fleet has.
func listingFleet(n int) *emulator.Fleet {
	devices := make([]emulator.Device, n)
	states := []string{emulator.StateOnline, emulator.StateOffline}
	statuses := []string{emulator.UpdateSuccess, emulator.UpdateFailed, emulator.UpdatePending}
	for i := range devices {
		devices[i] = emulator.Device{ID: deviceID(i), Name: fmt.Sprintf("bench-%05d", i), Tags: []string{"bench", fmt.Sprintf("rack-%d", i%40)},
			Apps: map[string]string{"legacy-agent": "1.0.0"}, State: states[i%2], UpdateStatus: statuses[i%3]}
	}
	return &emulator.Fleet{Accounts: []emulator.Account{{
		UserToken: benchToken, Apps: []string{"legacy-agent"},
		Projects: []emulator.Project{{Name: "Bench", Groups: []emulator.Group{{Name: "All", Devices: devices}}}},
	}}}
}

// listingConfig reads every device of project Bench; the postcondition
// fails the plan unless all n were listed.
func listingConfig(n int) string {
	return terraformBlock + fmt.Sprintf(`
data "upswift_devices" "all" {
  device_filter = { project = { name = "Bench" } }

  lifecycle {
    postcondition {
      condition     = length(self.device_uuids) == %[1]d
      error_message = "Listed ${length(self.device_uuids)} devices, want %[1]d."
    }
  }
}
`, n)
}

// listingPages is how many pages each read takes for n devices:
// devices_details ends on the page that says no more follow, so on the
// last full one; get_devices_state ends on a page shorter than the limit,
// so after a full last page on an empty one.
func listingPages(n int) (details, states int) {
	return max(1, (n+listingPageLimit-1)/listingPageLimit), n/listingPageLimit + 1
}

// listingRow is the plans' measurements.
type listingRow struct {
	plan []time.Duration
	// span is how long the listing took, from the first request's arrival
	// to the last one's plus the latency of its answer.
	span []time.Duration
	rss  int64 // KiB
}

// listingResult is the listing benchmark's measurements.
type listingResult struct {
	n                          int
	row                        listingRow
	pluginAlone                []time.Duration
	floor                      time.Duration
	details, states, throttled int
}

// listingBench runs the listing benchmark over a project of n devices,
// unless n is 0, and prints its table.
func listingBench(ctx context.Context, out io.Writer, tfPath, work, cliConfig string, o options, n int) error {
	if n <= 0 {
		return nil
	}
	r, err := runListing(ctx, tfPath, work, cliConfig, o, n)
	if err != nil {
		return err
	}
	printListing(out, r, o)
	return nil
}

// runListing measures `terraform plan` of listingConfig o.runs times, and
// the plan of the provider alone as many times, each with fresh state,
// alternating them run by run.
func runListing(ctx context.Context, tfPath, work, cliConfig string, o options, n int) (listingResult, error) {
	r := listingResult{n: n}
	server, err := emulator.Start("127.0.0.1:0", emulator.New(listingFleet(n)))
	if err != nil {
		return r, err
	}
	defer func() { _ = server.Close() }()
	env := devenv.Env(cliConfig, server.URL, benchToken)
	dirs := map[string]string{}
	for name, body := range map[string]string{"listing": listingConfig(n), "listing_plugin_only": pluginOnlyConfig()} {
		dir := filepath.Join(work, name)
		if err := os.Mkdir(dir, 0o700); err != nil {
			return r, err
		}
		if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(body), 0o600); err != nil {
			return r, err
		}
		dirs[name] = dir
	}
	wantDetails, wantStates := listingPages(n)
	for i := range o.runs {
		row := &r.row
		server.Emulator.Reset()
		server.Emulator.SetLatency(o.latency)
		m, err := measure(ctx, tfPath, dirs["listing"], "plan", paceEnv(env, runPace(work), true))
		if err != nil {
			return r, fmt.Errorf("listing run %d: %w", i+1, err)
		}
		row.plan = append(row.plan, m.wall)
		row.rss = max(row.rss, m.peakRSS)
		log := server.Emulator.Requests()
		details, states, throttled := 0, 0, 0
		for _, q := range log {
			switch {
			case q.Status == 429:
				throttled++
			case q.Status != 200:
				return r, fmt.Errorf("listing run %d: %s answered %d", i+1, q.Path, q.Status)
			case q.Path == "/v1/devices_details":
				details++
			case q.Path == "/v1/get_devices_state":
				states++
			default:
				return r, fmt.Errorf("listing run %d: a request to %s", i+1, q.Path)
			}
		}
		if details != wantDetails || states != wantStates {
			return r, fmt.Errorf("listing run %d: %d devices_details and %d get_devices_state pages, want %d and %d",
				i+1, details, states, wantDetails, wantStates)
		}
		row.span = append(row.span, log[len(log)-1].Time.Sub(log[0].Time)+o.latency)
		r.details, r.states, r.throttled = details, states, r.throttled+throttled
		m, err = measure(ctx, tfPath, dirs["listing_plugin_only"], "plan", paceEnv(env, runPace(work), true))
		if err != nil {
			return r, err
		}
		r.pluginAlone = append(r.pluginAlone, m.wall)
	}
	r.floor = time.Duration(max(wantDetails, wantStates)) * o.latency
	return r, nil
}

// printListing prints the listing benchmark's table.
func printListing(out io.Writer, r listingResult, o options) {
	alone := median(r.pluginAlone)
	fmt.Fprintf(out, "\nListing: `terraform plan` of one upswift_devices over a project of %d devices, %s per request, %d run(s).\n",
		r.n, o.latency, len(r.pluginAlone))
	fmt.Fprintf(out, "Floor: the two reads side by side, max(%d, %d) pages x %s = %.2fs; the plugin alone plans in %.2fs.\n",
		r.details, r.states, o.latency, r.floor.Seconds(), alone.Seconds())
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\ts (median)\tratio to the floor\t(plan - plugin alone) / floor\tlisting s (median)\tlisting / floor\tpages devices_details / get_devices_state\t429s\tprovider peak RSS\t")
	plan, span := median(r.row.plan), median(r.row.span)
	fmt.Fprintf(tw, "plan\t%.2f\t%.2fx\t%.2fx\t%.2f\t%.2fx\t%d / %d\t%d\t%.1f MiB\t\n", plan.Seconds(),
		plan.Seconds()/r.floor.Seconds(), (plan-alone).Seconds()/r.floor.Seconds(), span.Seconds(),
		span.Seconds()/r.floor.Seconds(), r.details, r.states, r.throttled, float64(r.row.rss)/1024)
	_ = tw.Flush()
	fmt.Fprintln(out, "The listing is the time from the first request to the last answer, as the emulator saw them; the rest of the plan is\n"+
		"Terraform's start (the plugin alone) and the handling of the listed devices by the plugin framework and Terraform.")
}
