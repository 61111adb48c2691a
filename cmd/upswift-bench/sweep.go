package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/upswift/terraform-provider-upswift/internal/emulator"
)

// The rate sweep: one apply per limit, beside the same apply without one.

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
