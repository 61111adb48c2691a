package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"text/tabwriter"
	"time"
)

// The phases: validate, plan and apply of N removals, each run beside the
// same N resources of terraform_data, alternating which goes first; the
// applies with the shared pace on and off, and under a limit.

// scenario is one phase measured o.runs times.
type scenario struct {
	name    string
	phase   string
	limited bool // against the rate-limited emulator
	shared  bool // the shared pace on
	// second runs each measured apply right after another on the same
	// machine, which leaves it its pace: a pipeline's plan, then apply.
	second bool
}

type row struct {
	name           string
	apply          bool
	runs           int
	upswift, floor []time.Duration
	ratios         []float64
	rss            int64 // KiB
	ok, throttled  int
	mostThrottled  int // the most 429s of any one run
	failed         int
	// firstAt is when the first request arrived, from Terraform's start;
	// span from the first accepted request to the last: Terraform's own
	// time before any call, and the calls.
	firstAt, span []time.Duration
}

// scenarios lists the phases: validate and plan once, each apply in every
// sharing mode, and the second run with sharing on.
func (b *bench) scenarios() []scenario {
	first := b.modes[0]
	scs := []scenario{{"validate", "validate", false, first, false}, {"plan", "plan", false, first, false}}
	for _, shared := range b.modes {
		scs = append(scs, scenario{"apply, " + sharingName(shared), "apply", false, shared, false})
	}
	if !b.o.limited {
		return scs
	}
	limited := fmt.Sprintf("apply, API limited to %g req/s (bucket %d)", b.o.rate, b.o.burst)
	for _, shared := range b.modes {
		scs = append(scs, scenario{limited + ", " + sharingName(shared), "apply", true, shared, false})
	}
	if b.o.secondRun && slices.Contains(b.modes, true) {
		scs = append(scs, scenario{limited + ", second run", "apply", true, true, true})
	}
	return scs
}

func (b *bench) phases(ctx context.Context) ([]row, error) {
	var results []row
	for _, sc := range b.scenarios() {
		r := row{name: sc.name, apply: sc.phase == "apply", runs: b.o.runs}
		for i := range b.o.runs {
			if err := b.measurePair(ctx, sc, i, &r); err != nil {
				return nil, err
			}
		}
		results = append(results, r)
	}
	return results, nil
}

// measurePair runs the scenario's phase once with each tool, in turn.
func (b *bench) measurePair(ctx context.Context, sc scenario, i int, r *row) error {
	tools := []string{"upswift", "terraform_data"}
	if i%2 == 1 {
		slices.Reverse(tools)
	}
	rate := 0.0
	if sc.limited {
		rate = b.o.rate
	}
	var pair [2]time.Duration
	var floorSeconds float64
	for _, tool := range tools {
		if tool == "terraform_data" {
			b.reset(rate, b.o.burst)
			m, err := measure(ctx, b.tf, b.dirs[tool], sc.phase, b.env)
			if err != nil {
				return err
			}
			pair[1], floorSeconds = m.wall, m.wall.Seconds()
			continue
		}
		env := paceEnv(b.env, runPace(b.work), sc.shared)
		if sc.second {
			b.reset(rate, b.o.burst)
			if _, err := measure(ctx, b.tf, b.dirs[tool], sc.phase, env); err != nil {
				return fmt.Errorf("the run before run %d of %s: %w", i+1, sc.name, err)
			}
		}
		b.reset(rate, b.o.burst)
		began := time.Now()
		m, err := measure(ctx, b.tf, b.dirs[tool], sc.phase, env)
		if first, last, ok := b.callTimes(); ok {
			r.firstAt, r.span = append(r.firstAt, first.Sub(began)), append(r.span, last.Sub(first))
		}
		pair[0] = m.wall
		r.rss = max(r.rss, m.peakRSS)
		counts := b.server.Emulator.Counts()
		r.ok += counts[200]
		r.throttled += counts[429]
		r.mostThrottled = max(r.mostThrottled, counts[429])
		if err != nil {
			r.failed++
			fmt.Fprintf(os.Stderr, "run %d of %s failed: %v\n", i+1, sc.name, err)
		}
	}
	if sc.limited {
		// Under a limit the floor is also the API's own time for N
		// requests: whichever is longer.
		floorSeconds = max(floorSeconds, float64(b.o.n)/b.o.rate)
	}
	r.upswift = append(r.upswift, pair[0])
	r.floor = append(r.floor, pair[1])
	r.ratios = append(r.ratios, pair[0].Seconds()/floorSeconds)
	return nil
}

// callTimes is when the emulator got the run's first accepted call and
// its last; false when it accepted none.
func (b *bench) callTimes() (first, last time.Time, ok bool) {
	for _, q := range b.server.Emulator.Requests() {
		if q.Status != 200 {
			continue
		}
		if !ok || q.Time.Before(first) {
			first = q.Time
		}
		last, ok = later(last, q.Time), true
	}
	return first, last, ok
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func printPhases(out io.Writer, results []row, plugin row, o options) error {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nphase\tupswift s (median)\tterraform_data s (median)\tratio (median of runs)\tratios\tfirst call s\tcalls s (per s)\tprovider peak RSS\t200 / 429 (most in one run) / failed runs\t")
	for _, r := range results {
		ratios := make([]string, len(r.ratios))
		for i, x := range r.ratios {
			ratios[i] = fmt.Sprintf("%.2f", x)
		}
		first, calls := "", ""
		if len(r.span) > 0 && r.runs > 0 {
			span := median(r.span).Seconds()
			first, calls = fmt.Sprintf("%.2f", median(r.firstAt).Seconds()), fmt.Sprintf("%.2f (%.1f)", span, float64(r.ok/r.runs-1)/span)
		}
		fmt.Fprintf(tw, "%s\t%.2f\t%.2f\t%.2fx\t%s\t%s\t%s\t%.1f MiB\t%d / %d (%d) / %d\t\n", r.name, median(r.upswift).Seconds(),
			median(r.floor).Seconds(), median(r.ratios), strings.Join(ratios, " "), first, calls,
			float64(r.rss)/1024, r.ok, r.throttled, r.mostThrottled, r.failed)
	}
	fmt.Fprintf(tw, "%s\t%.2f\t\t\t\t\t\t%.1f MiB\t\t\n", plugin.name, median(plugin.upswift).Seconds(), float64(plugin.rss)/1024)
	if err := tw.Flush(); err != nil {
		return err
	}
	if o.limited {
		fmt.Fprintf(out, "\nThe limited apply's ratio is against max(terraform_data apply of the same run, N/R = %.2fs).\n", float64(o.n)/o.rate)
	}
	return nil
}

// parseSharing reads -sharing: on, off, or both in the order given.
func parseSharing(s string) ([]bool, error) {
	var modes []bool
	for _, f := range strings.Split(s, ",") {
		switch strings.TrimSpace(f) {
		case "on":
			modes = append(modes, true)
		case "off":
			modes = append(modes, false)
		case "":
		default:
			return nil, fmt.Errorf("-sharing: %q is neither on nor off", f)
		}
	}
	if len(modes) == 0 {
		return nil, fmt.Errorf("-sharing: %q names no mode; want on, off or on,off", s)
	}
	return modes, nil
}

func sharingName(shared bool) string {
	if shared {
		return "sharing on"
	}
	return "sharing off"
}

var paceRuns atomic.Int64

// runPace is a directory for the shared pace of one run (or of the
// processes of one run), so that runs do not inherit each other's pace
// unless a case asks for it. The provider makes it.
func runPace(work string) string {
	return filepath.Join(work, fmt.Sprintf("pace-%d", paceRuns.Add(1)))
}

// paceEnv is env with the shared pace in dir, or off.
func paceEnv(env []string, dir string, shared bool) []string {
	if !shared {
		return append(slices.Clone(env), "UPSWIFT_SHARED_PACE=false")
	}
	return append(slices.Clone(env), "UPSWIFT_PACE_DIR="+dir)
}
