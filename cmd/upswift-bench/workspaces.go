package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/upswift/terraform-provider-upswift/internal/emulator"
)

// Workspaces side by side: K Terraform applies started at once, as a CI
// matrix over workspaces runs them, each with its own provider process and
// so its own pacer, against one emulator whose rate limit sees their sum
// (no Retry-After). Each workspace removes the app from its own N devices.

// workspaceRow is one such run.
type workspaceRow struct {
	k, n, burst  int
	rate         float64
	ends         []time.Duration // when each apply ended, from the common start
	ok, throttle int
	failed       int
}

// last is when the last apply ended.
func (r workspaceRow) last() time.Duration {
	var m time.Duration
	for _, e := range r.ends {
		m = max(m, e)
	}
	return m
}

// floor is the API's own time for every removal of the run: K x N / R.
func (r workspaceRow) floor() float64 { return float64(r.k*r.n) / r.rate }

// bound is the factor over floor within which the last apply must end,
// and the most answers of 429 in all: with a bucket of one, senders that
// do not know of each other collide, and the bounds are looser.
func (r workspaceRow) bound() (float64, int) {
	if r.burst <= 1 {
		return 3, r.k * r.n
	}
	return 1.5, r.k * max(8, r.n/10)
}

func parseInts(flagName, s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		v, err := strconv.Atoi(f)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("-%s: %q is not a positive whole number", flagName, f)
		}
		out = append(out, v)
	}
	return out, nil
}

// runWorkspaces runs every K of ks against buckets of a second of the rate
// and of one.
func runWorkspaces(ctx context.Context, tfPath, work string, server *emulator.Server, env []string, o options, ks []int) ([]workspaceRow, error) {
	var rows []workspaceRow
	for _, burst := range []int{max(int(o.workspaceRate), 1), 1} {
		for _, k := range ks {
			row, err := runWorkspacesOnce(ctx, tfPath, work, server, env, o, k, burst)
			if err != nil {
				return nil, err
			}
			rows = append(rows, row)
		}
	}
	return rows, nil
}

func runWorkspacesOnce(ctx context.Context, tfPath, work string, server *emulator.Server, env []string, o options, k, burst int) (workspaceRow, error) {
	row := workspaceRow{k: k, n: o.workspaceN, burst: burst, rate: o.workspaceRate, ends: make([]time.Duration, k)}
	dirs := make([]string, k)
	for i := range dirs {
		dirs[i] = filepath.Join(work, fmt.Sprintf("workspace-%d-of-%d", i, k))
		if err := os.MkdirAll(dirs[i], 0o700); err != nil {
			return row, err
		}
		for _, f := range []string{"terraform.tfstate", "terraform.tfstate.backup"} {
			_ = os.Remove(filepath.Join(dirs[i], f))
		}
		body := terraformBlock + workspaceConfig(o.workspaceN, i*o.workspaceN)
		if err := os.WriteFile(filepath.Join(dirs[i], "main.tf"), []byte(body), 0o600); err != nil {
			return row, err
		}
	}
	server.Emulator.Reset()
	server.Emulator.SetLatency(o.latency)
	server.Emulator.SetRateLimit(o.workspaceRate, burst, false)
	start := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, k)
	for i, dir := range dirs {
		wg.Go(func() {
			cmd := exec.CommandContext(ctx, tfPath, "apply", "-input=false", "-auto-approve", "-lock=false")
			cmd.Dir, cmd.Env = dir, env
			var stderr strings.Builder
			cmd.Stdout, cmd.Stderr = io.Discard, &stderr
			if err := cmd.Run(); err != nil {
				errs[i] = fmt.Errorf("workspace %d: %w\n%s", i, err, tail(stderr.String(), 2000))
			}
			row.ends[i] = time.Since(start)
		})
	}
	wg.Wait()
	counts := server.Emulator.Counts()
	row.ok, row.throttle = counts[200], counts[429]
	for _, err := range errs {
		if err != nil {
			row.failed++
			fmt.Fprintf(os.Stderr, "workspaces K=%d, bucket %d: %v\n", k, burst, err)
		}
	}
	return row, nil
}

// workspaceConfig removes the app from n devices, from device first on.
func workspaceConfig(n, first int) string {
	return fmt.Sprintf(`
resource "upswift_app_removal" "bench" {
  count    = %d
  app_name = "legacy-agent"
  device_filter = {
    project = { name = "Bench" }
    groups  = [{ name = "All" }]
    filters = [{ type = "specific_device", operand = "is", value = format("d-%%04d", count.index + %d) }]
  }
}
`, n, first)
}

func printWorkspaces(out io.Writer, rows []workspaceRow) {
	fmt.Fprintln(out, "\nWorkspaces side by side: K applies at once, each its own provider process, one limit (no Retry-After).")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "K x N\tlimit req/s\tbucket\tlast ends s\tK*N/R s\tratio (bound)\teach apply ends s\t200 / 429 (bound)\tfailed\t")
	for _, r := range rows {
		factor, most := r.bound()
		ends := make([]string, len(r.ends))
		for i, e := range r.ends {
			ends[i] = fmt.Sprintf("%.1f", e.Seconds())
		}
		fmt.Fprintf(tw, "%d x %d\t%g\t%d\t%.2f\t%.1f\t%.2fx (%.1fx)\t%s\t%d / %d (%d)\t%d\t\n", r.k, r.n, r.rate, r.burst,
			r.last().Seconds(), r.floor(), r.last().Seconds()/r.floor(), factor, strings.Join(ends, " "), r.ok, r.throttle, most, r.failed)
	}
	_ = tw.Flush()
}
