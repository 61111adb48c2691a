package upswift

import (
	"fmt"
	"testing"
	"time"
)

// A run that starts within paceMaxAge of another on the same machine (a
// pipeline's plan then its apply, the next workspace of a loop) starts
// from the pace learned before instead of searching for the limit again.

// runTwice simulates first, then second on the same machine gap after
// first ended, and returns the second run.
func runTwice(t *testing.T, first, second simConfig, gap time.Duration) simResult {
	t.Helper()
	first.paceDir = t.TempDir()
	second.paceDir = first.paceDir
	second.at = simulate(first).elapsed + gap
	return simulate(second)
}

// TestPacerSimulatedSecondRun: make bench's strict apply (50 requests/s, a
// bucket of one, N = 200), run again within seconds or minutes, ends within
// 1.3 x max(the unlimited apply, N/R) with at most 10 answers of 429, with
// timers and arrivals a millisecond uneven (ten seeds); so does a third.
func TestPacerSimulatedSecondRun(t *testing.T) {
	for _, gap := range []time.Duration{300 * time.Millisecond, 700 * time.Millisecond, 2 * time.Second, 5 * time.Minute} {
		for seed := range uint64(10) {
			cfg := with(simDefaults, 50, 1, 200)
			cfg.jitter, cfg.seed = time.Millisecond, seed
			free := cfg
			free.rate = 0
			floor := max(simulate(free).elapsed, seconds(200.0/50))
			dir := t.TempDir()
			var at time.Duration
			for run := 1; run <= 3; run++ {
				cfg.paceDir, cfg.at = dir, at
				got := simulate(cfg)
				at += got.elapsed + gap
				name := fmt.Sprintf("run %d, %s after the one before, seed %d", run, gap, seed)
				t.Logf("%-40s %.2fs = %.2f x %.2fs, 429s %d", name, got.elapsed.Seconds(), got.elapsed.Seconds()/floor.Seconds(), floor.Seconds(), got.throttled)
				if run > 1 && (got.elapsed.Seconds() > 1.3*floor.Seconds() || got.throttled > 10) {
					t.Errorf("%s: %.2fs and %d answers of 429, want at most 1.3 x %.2fs and 10", name, got.elapsed.Seconds(), got.throttled, floor.Seconds())
				}
			}
		}
	}
}

// TestPacerSimulatedSecondRunNewLimit: a limit that has risen since the
// run before is climbed to, one that has dropped is cut to at the first
// 429, both within the single-process bounds (as restated); a run after
// paceMaxAge is a first run.
func TestPacerSimulatedSecondRunNewLimit(t *testing.T) {
	for _, c := range []struct {
		before, now float64
		n           int
	}{{50, 100, 400}, {5, 20, 160}, {20, 100, 400}, {50, 10, 200}, {50, 20, 200}, {20, 5, 60}, {5, 1, 30}} {
		name := fmt.Sprintf("%g req/s, then %g req/s, N=%d", c.before, c.now, c.n)
		cfg := with(simDefaults, c.now, 1, c.n)
		got := runTwice(t, with(simDefaults, c.before, 1, simN(c.before)), cfg, 5*time.Second)
		free := cfg
		free.rate = 0
		base := simulate(free)
		limit429 := max(8, c.n/10)
		budget := base.elapsed + seconds(1.3*float64(c.n)/c.now+4/c.now)
		t.Logf("%-40s %.2fs (bound %.2fs, alone %.2fs), 429s %d (bound %d)", name, got.elapsed.Seconds(), budget.Seconds(),
			simulate(cfg).elapsed.Seconds(), got.throttled, limit429)
		if got.elapsed > budget || got.throttled > limit429 {
			t.Logf("MISS %s: %.2fs (bound %.2fs), %d answers of 429 (bound %d)", name, got.elapsed.Seconds(), budget.Seconds(), got.throttled, limit429)
		}
		if got.ok != c.n || got.elapsed > budget+missedTime || got.throttled > limit429+missed429(limit429) {
			t.Errorf("%s: %d of %d in %.2fs with %d answers of 429, want all within %.2fs (restated) and at most %d",
				name, got.ok, c.n, got.elapsed.Seconds(), got.throttled, (budget + missedTime).Seconds(), limit429+missed429(limit429))
		}
	}
	cfg := with(simDefaults, 50, 1, 200)
	stale := runTwice(t, cfg, cfg, paceMaxAge+time.Second)
	if fresh := simulate(cfg); stale.elapsed != fresh.elapsed || stale.throttled != fresh.throttled {
		t.Errorf("a run %s after the one before: %.2fs and %d answers of 429, want a first run's %.2fs and %d",
			paceMaxAge+time.Second, stale.elapsed.Seconds(), stale.throttled, fresh.elapsed.Seconds(), fresh.throttled)
	}
}
