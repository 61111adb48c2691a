package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// Workspaces side by side: K Terraform applies started at once, as a CI
// matrix over workspaces runs them, each with its own provider process and
// so its own pacer, against one emulator whose rate limit sees their sum
// (no Retry-After). Each workspace removes the app from its own N devices.

// workspaceRow is one such run.
type workspaceRow struct {
	ns           []int // removals of each workspace
	burst        int
	rate         float64
	shared       bool            // the applies share one pace
	ends         []time.Duration // when each apply ended, from the common start
	ok, throttle int
	failed       int
	lockBusy     int // steps that found the shared pace's lock busy for lockWait
}

func (r workspaceRow) k() int { return len(r.ns) }

func (r workspaceRow) removals() int {
	n := 0
	for _, x := range r.ns {
		n += x
	}
	return n
}

// name is "K x N", or the removals of each workspace when they differ.
func (r workspaceRow) name() string {
	if slices.Min(r.ns) == slices.Max(r.ns) {
		return fmt.Sprintf("%d x %d", r.k(), r.ns[0])
	}
	parts := make([]string, len(r.ns))
	for i, n := range r.ns {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, " + ")
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
func (r workspaceRow) floor() float64 { return float64(r.removals()) / r.rate }

// bound is the factor over floor within which the last apply must end,
// and the most answers of 429 in all. Applies that share one pace are one
// sender: within 1.2 x with a bucket of a second's rate, 1.5 x with a
// bucket of one. Apart, senders that do not know of each other collide,
// the more so with a bucket of one.
func (r workspaceRow) bound() (float64, int) {
	n429 := 0
	for _, n := range r.ns {
		n429 += max(8, n/10)
	}
	switch {
	case r.shared && r.burst <= 1:
		return 1.5, max(20, r.removals()/10)
	case r.shared:
		return 1.2, n429
	case r.burst <= 1:
		return 3, r.removals()
	}
	return 1.5, n429
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

// runWorkspaces runs K workspaces of N for every K of ks, and the mix,
// against buckets of a second of the rate and of one, in each sharing mode.
func (b *bench) runWorkspaces(ctx context.Context) ([]workspaceRow, error) {
	var runs [][]int
	for _, k := range b.ks {
		runs = append(runs, slices.Repeat([]int{b.o.workspaceN}, k))
	}
	if len(b.mix) > 0 {
		runs = append(runs, b.mix)
	}
	var rows []workspaceRow
	for _, burst := range []int{max(int(b.o.workspaceRate), 1), 1} {
		for _, ns := range runs {
			for _, shared := range b.modes {
				row, err := b.runWorkspacesOnce(ctx, ns, burst, shared)
				if err != nil {
					return nil, err
				}
				rows = append(rows, row)
			}
		}
	}
	return rows, nil
}

func (b *bench) runWorkspacesOnce(ctx context.Context, ns []int, burst int, shared bool) (workspaceRow, error) {
	o := b.o
	k := len(ns)
	row := workspaceRow{ns: ns, burst: burst, rate: o.workspaceRate, shared: shared, ends: make([]time.Duration, k)}
	dirs := make([]string, k)
	first := 0
	for i, n := range ns {
		dirs[i] = filepath.Join(b.work, fmt.Sprintf("workspace-%d-of-%d", i, k))
		if err := os.MkdirAll(dirs[i], 0o700); err != nil {
			return row, err
		}
		for _, f := range []string{"terraform.tfstate", "terraform.tfstate.backup"} {
			_ = os.Remove(filepath.Join(dirs[i], f))
		}
		body := terraformBlock + workspaceConfig(n, first)
		first += n
		if err := os.WriteFile(filepath.Join(dirs[i], "main.tf"), []byte(body), 0o600); err != nil {
			return row, err
		}
	}
	pace := runPace(b.work) // one machine's, for this run's K applies
	env := paceEnv(b.env, pace, shared)
	b.reset(o.workspaceRate, burst)
	start := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, k)
	for i, dir := range dirs {
		wg.Go(func() {
			cmd := exec.CommandContext(ctx, b.tf, "apply", "-input=false", "-auto-approve", "-lock=false")
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
	counts := b.server.Emulator.Counts()
	row.ok, row.throttle, row.lockBusy = counts[200], counts[429], lockBusy(pace)
	for _, err := range errs {
		if err != nil {
			row.failed++
			fmt.Fprintf(os.Stderr, "workspaces %s, bucket %d, %s: %v\n", row.name(), burst, sharingName(shared), err)
		}
	}
	return row, nil
}

// lockBusy is how many steps found the shared pace's lock busy, as the
// pace file in dir counts them; 0 without one.
func lockBusy(dir string) int {
	files, _ := filepath.Glob(filepath.Join(dir, "pace-*.json"))
	n := 0
	for _, f := range files {
		var pace struct {
			LockBusy int `json:"lock_busy"`
		}
		if data, err := os.ReadFile(f); err == nil && json.Unmarshal(data, &pace) == nil {
			n += pace.LockBusy
		}
	}
	return n
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
	if len(rows) == 0 {
		return
	}
	fmt.Fprintln(out, "\nWorkspaces side by side: K applies at once, each its own provider process, one limit (no Retry-After), sharing one pace or each its own.")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "K x N\tlimit req/s\tbucket\tsharing\tlast ends s\tall N/R s\tratio (bound)\teach apply ends s\t200 / 429 (bound)\tlock busy\tfailed\t")
	for _, r := range rows {
		factor, most := r.bound()
		ends := make([]string, len(r.ends))
		for i, e := range r.ends {
			ends[i] = fmt.Sprintf("%.1f", e.Seconds())
		}
		fmt.Fprintf(tw, "%s\t%g\t%d\t%s\t%.2f\t%.1f\t%.2fx (%.1fx)\t%s\t%d / %d (%d)\t%d\t%d\t\n", r.name(), r.rate, r.burst,
			strings.TrimPrefix(sharingName(r.shared), "sharing "), r.last().Seconds(), r.floor(), r.last().Seconds()/r.floor(), factor,
			strings.Join(ends, " "), r.ok, r.throttle, most, r.lockBusy, r.failed)
	}
	_ = tw.Flush()
}
