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

// sweepRow is the applies of the rate sweep at one limit, one per sharing
// mode, beside the same apply without a limit.
type sweepRow struct {
	rate  float64
	n     int
	free  time.Duration
	paced []paced
}

// paced is one limited apply.
type paced struct {
	shared       bool
	wall         time.Duration
	ok, throttle int
	failed       bool
}

// runSweep applies N removals against each limit (bucket 1, no
// Retry-After, the API's documented answer) once per sharing mode, each
// with a pace of its own, and once without a limit for reference.
func (b *bench) runSweep(ctx context.Context) ([]sweepRow, error) {
	var rows []sweepRow
	for _, r := range b.rates {
		n := sweepN(r, b.o.sweepSecs)
		dir := filepath.Join(b.work, fmt.Sprintf("sweep-%d", n))
		if _, err := os.Stat(dir); err != nil {
			if err := os.Mkdir(dir, 0o700); err != nil {
				return nil, err
			}
			if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(upswiftConfig(n)), 0o600); err != nil {
				return nil, err
			}
		}
		row := sweepRow{rate: r, n: n}
		b.reset(0, 0)
		free, err := measure(ctx, b.tf, dir, "apply", paceEnv(b.env, runPace(b.work), b.modes[0]))
		if err != nil {
			return nil, fmt.Errorf("unlimited apply of %d: %w", n, err)
		}
		row.free = free.wall
		for _, shared := range b.modes {
			b.reset(r, 1)
			m, err := measure(ctx, b.tf, dir, "apply", paceEnv(b.env, runPace(b.work), shared))
			counts := b.server.Emulator.Counts()
			p := paced{shared: shared, wall: m.wall, ok: counts[200], throttle: counts[429], failed: err != nil}
			if err != nil {
				fmt.Fprintf(os.Stderr, "rate sweep at %g req/s, %s, failed: %v\n", r, sharingName(shared), err)
			}
			row.paced = append(row.paced, p)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func printSweep(out io.Writer, rows []sweepRow) {
	if len(rows) == 0 {
		return
	}
	fmt.Fprintln(out, "\nRate sweep: one apply per limit (bucket 1, no Retry-After) in each sharing mode, beside the same apply without a limit.")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "limit req/s\tN\tsharing\tapply s\tunlimited s\tN/R s\tbound s (unlimited + 1.25 N/R)\t429s (bound max(5, N/10))\tfailed\t")
	for _, r := range rows {
		nr := float64(r.n) / r.rate
		for _, p := range r.paced {
			fmt.Fprintf(tw, "%g\t%d\t%s\t%.2f\t%.2f\t%.2f\t%.2f\t%d (%d)\t%v\t\n", r.rate, r.n, strings.TrimPrefix(sharingName(p.shared), "sharing "),
				p.wall.Seconds(), r.free.Seconds(), nr, r.free.Seconds()+1.25*nr, p.throttle, max(5, r.n/10), p.failed)
		}
	}
	_ = tw.Flush()
}
