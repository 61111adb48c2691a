package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Running one Terraform phase and what it costs.

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
