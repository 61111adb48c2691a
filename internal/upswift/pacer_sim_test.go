package upswift

import (
	"container/heap"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// The simulation below runs the pacer on a fake clock against a simulated
// token-bucket API and simulated Terraform workers, deterministically and
// in microseconds of real time per simulated minute.

// retryAfterMode is how the simulated API answers 429.
type retryAfterMode int

const (
	noRetryAfter retryAfterMode = iota
	retryAfterSeconds
	retryAfterDate
)

func (m retryAfterMode) String() string {
	return [...]string{"no Retry-After", "Retry-After seconds", "Retry-After date"}[m]
}

// simAPI is a token bucket: rate tokens per second, up to burst, starting
// full; a request without a token is answered 429.
type simAPI struct {
	rate, burst, tokens float64
	last                time.Time
	mode                retryAfterMode
}

func (a *simAPI) set(rate float64, burst int, now time.Time) {
	a.rate, a.burst, a.tokens, a.last = rate, float64(max(burst, 1)), float64(max(burst, 1)), now
}

// take decides on a request arriving at now: accepted, or refused with the
// Retry-After header the API sends.
func (a *simAPI) take(now time.Time) (bool, string) {
	if a.rate <= 0 {
		return true, ""
	}
	a.tokens = math.Min(a.burst, a.tokens+now.Sub(a.last).Seconds()*a.rate)
	a.last = now
	if a.tokens >= 1 {
		a.tokens--
		return true, ""
	}
	wait := time.Duration((1 - a.tokens) / a.rate * float64(time.Second))
	secs := max(int64(math.Ceil(wait.Seconds())), 1)
	switch a.mode {
	case retryAfterSeconds:
		return false, strconv.FormatInt(secs, 10)
	case retryAfterDate:
		// As servers do: now plus whole seconds, in the header's one-second
		// resolution (so up to a second early).
		return false, now.Add(time.Duration(secs) * time.Second).UTC().Format(http.TimeFormat)
	}
	return false, ""
}

// simConfig is one simulated apply.
type simConfig struct {
	rate     float64 // API limit; 0 = none
	burst    int
	mode     retryAfterMode
	n        int           // removals
	workers  int           // Terraform's parallelism
	overhead time.Duration // Terraform's own time per resource, per worker
	latency  time.Duration // round trip of one request
	rpm      int           // requests_per_minute; 0 = unset
	// After changeAfter successes the limit becomes rate2 (bucket burst2,
	// full), as when an account's plan changes during a run.
	changeAfter int
	rate2       float64
	burst2      int
	// jitter, when set, delays every wake-up from a wait and every
	// arrival at the API by up to that much (seeded, so still
	// deterministic): timers that wake late and a network that is not
	// perfectly even.
	jitter time.Duration
	seed   uint64
}

type simResult struct {
	elapsed   time.Duration
	ok        int
	throttled int
	// maxWindowRate is the most requests the API accepted in any one
	// second (with a ceiling set, a check that it held).
	maxSent int
}

type simEvent struct {
	at     time.Time
	seq    int
	worker int
	kind   int // evReady, evArrive, evAnswer
	queued bool
	tk     ticket
	ok     bool
	header string
}

const (
	evReady = iota
	evArrive
	evAnswer
)

type simQueue []*simEvent

func (q simQueue) Len() int { return len(q) }
func (q simQueue) Less(i, j int) bool {
	if !q[i].at.Equal(q[j].at) {
		return q[i].at.Before(q[j].at)
	}
	return q[i].seq < q[j].seq
}
func (q simQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *simQueue) Push(x any)   { *q = append(*q, x.(*simEvent)) }
func (q *simQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

// simulate runs one apply: each worker takes the next removal, spends the
// overhead, then waits for the pacer and sends it, again after each 429,
// until the API accepts it.
func simulate(cfg simConfig) simResult { return simulateTrace(cfg, nil) }

// simulateTrace is simulate, calling trace (when not nil) with every
// answer and the pacer's state after it: what to look at when tuning.
func simulateTrace(cfg simConfig, trace func(format string, args ...any)) simResult {
	start := time.Date(2026, 11, 25, 12, 0, 0, 123_000_000, time.UTC)
	clock := &fakeClock{t: start}
	p := NewPacer(cfg.rpm, clock.now)
	api := &simAPI{mode: cfg.mode}
	api.set(cfg.rate, cfg.burst, start)
	q := &simQueue{}
	rng := rand.New(rand.NewPCG(cfg.seed, 1))
	late := func() time.Duration {
		if cfg.jitter <= 0 {
			return 0
		}
		return time.Duration(rng.Int64N(int64(cfg.jitter)))
	}
	seq := 0
	push := func(e *simEvent) { seq++; e.seq = seq; heap.Push(q, e) }
	next := 0
	res := simResult{}
	var sentAt []time.Time
	for w := range cfg.workers {
		if next < cfg.n {
			next++
			push(&simEvent{at: start.Add(cfg.overhead), worker: w, kind: evReady})
		}
	}
	deadline := start.Add(24 * time.Hour)
	for q.Len() > 0 {
		e := heap.Pop(q).(*simEvent)
		if e.at.After(deadline) {
			break
		}
		clock.t = e.at
		switch e.kind {
		case evReady:
			tk, d := p.tryStart(e.queued)
			if d > 0 {
				push(&simEvent{at: e.at.Add(d + late()), worker: e.worker, kind: evReady, queued: true})
				continue
			}
			push(&simEvent{at: e.at.Add(cfg.latency/2 + late()), worker: e.worker, kind: evArrive, tk: tk})
		case evArrive:
			ok, header := api.take(e.at)
			if ok {
				sentAt = append(sentAt, e.at)
			}
			push(&simEvent{at: e.tk.start.Add(cfg.latency), worker: e.worker, kind: evAnswer, tk: e.tk, ok: ok, header: header})
		case evAnswer:
			if trace != nil {
				trace("%8.3fs start %8.3fs ok=%v %q rate %.3f queued=%v -> ", e.at.Sub(start).Seconds(), e.tk.start.Sub(start).Seconds(), e.ok, e.header, e.tk.rate, e.tk.queued)
			}
			if !e.ok {
				res.throttled++
				d, has := ParseRetryAfter(e.header, e.at)
				p.throttledAt(e.tk, d, has)
				if trace != nil {
					trace("      rate now %.3f hi %.3f lo %.3f base %.3f climb=%v raised=%v edge=%v", p.rate, p.hi, p.lo, p.base, p.climb, p.raised, p.edge)
				}
				// The refused request waits out its own Retry-After.
				push(&simEvent{at: e.at.Add(d), worker: e.worker, kind: evReady})
				continue
			}
			p.succeeded(e.tk)
			if trace != nil {
				trace("      rate now %.3f hi %.3f lo %.3f base %.3f run %d/%d probing=%v", p.rate, p.hi, p.lo, p.base, p.run, p.runLen, p.probing)
			}
			res.ok++
			res.elapsed = e.at.Sub(start)
			if cfg.changeAfter > 0 && res.ok == cfg.changeAfter {
				api.set(cfg.rate2, cfg.burst2, e.at)
			}
			if next < cfg.n {
				next++
				push(&simEvent{at: e.at.Add(cfg.overhead), worker: e.worker, kind: evReady})
			}
		}
	}
	for i := range sentAt {
		j := i
		for j < len(sentAt) && sentAt[j].Sub(sentAt[i]) < time.Second {
			j++
		}
		res.maxSent = max(res.maxSent, j-i)
	}
	return res
}

// Terraform's defaults and a typical per-resource cost.
var simDefaults = simConfig{workers: 10, overhead: 60 * time.Millisecond, latency: 20 * time.Millisecond}

// simN is how many removals a simulated apply at rate r makes: enough for
// the limit to matter (at least 10 seconds of API time), at most 1000.
func simN(r float64) int {
	return min(max(int(math.Ceil(10*r)), 30), 1000)
}

// checkBounds runs one apply of n removals, whose API work alone takes
// apiTime, beside the same apply without a limit, and checks the bounds the
// pacer promises: every removal succeeds, at most max(5, n/10) answers of
// 429, and at most the unlimited apply plus 1.25 x apiTime.
// It returns the apply and the same apply without a limit.
func checkBounds(t *testing.T, name string, cfg simConfig, apiTime time.Duration) (got, base simResult) {
	t.Helper()
	free := cfg
	free.rate, free.changeAfter = 0, 0
	base = simulate(free)
	got = simulate(cfg)
	limit429, factor := max(5, cfg.n/10), 1.25
	budget := base.elapsed + time.Duration(factor*float64(apiTime))
	t.Logf("%-50s N=%4d %7.1fs (unlimited %5.1fs, N/R %6.1fs, bound %6.1fs)  429s %3d (bound %3d)",
		name, cfg.n, got.elapsed.Seconds(), base.elapsed.Seconds(), apiTime.Seconds(), budget.Seconds(), got.throttled, limit429)
	if got.ok != cfg.n {
		t.Errorf("%s: %d of %d removals succeeded", name, got.ok, cfg.n)
	}
	if got.throttled > limit429 {
		t.Errorf("%s: %d answers of 429, want at most %d", name, got.throttled, limit429)
	}
	if got.elapsed > budget {
		t.Errorf("%s: took %.1fs, want at most %.1fs (unlimited %.1fs + %.2f x %.1fs)", name,
			got.elapsed.Seconds(), budget.Seconds(), base.elapsed.Seconds(), factor, apiTime.Seconds())
	}
	if cfg.rpm > 0 && float64(got.maxSent) > float64(cfg.rpm)/60+1 {
		t.Errorf("%s: %d requests accepted within one second, over requests_per_minute %d", name, got.maxSent, cfg.rpm)
	}
	return got, base
}

func seconds(x float64) time.Duration { return time.Duration(x * float64(time.Second)) }

// TestPacerSimulatedLimits: for limits from 0.2 to 200 requests per
// second, with a bucket of 1 or as large as the rate, answering 429 with no
// Retry-After, with seconds or with an HTTP date, an apply with Terraform's
// default parallelism succeeds with few 429s and close to the API's pace.
// The limits are whole and round ones, and 61 spread evenly (in log terms)
// over the range, whose buckets as large as the rate are the rate rounded
// down and to the nearest whole token: a bucket just over a second of rate
// is the hardest case for the first burst's estimate. Each case runs
// without and with jitter.
func TestPacerSimulatedLimits(t *testing.T) {
	rates := []float64{0.2, 0.3, 0.5, 0.7, 1, 1.5, 2, 3, 5, 7, 10, 15, 20, 30, 50, 70, 100, 150, 200}
	for i := range 61 {
		rates = append(rates, math.Round(0.2*math.Pow(1000, float64(i)/60)*100)/100)
	}
	seed := uint64(0)
	for _, r := range rates {
		bursts := []int{1}
		for _, b := range []int{int(math.Floor(r)), int(math.Round(r))} {
			if b > bursts[len(bursts)-1] {
				bursts = append(bursts, b)
			}
		}
		for _, burst := range bursts {
			for _, mode := range []retryAfterMode{noRetryAfter, retryAfterSeconds, retryAfterDate} {
				cfg := simDefaults
				cfg.rate, cfg.burst, cfg.mode, cfg.n = r, burst, mode, simN(r)
				name := fmt.Sprintf("%g req/s, bucket %d, %s", r, burst, mode)
				checkBounds(t, name, cfg, seconds(float64(cfg.n)/r))
				// And with timers up to a millisecond late and uneven
				// arrivals, as on a real machine.
				cfg.jitter, cfg.seed = time.Millisecond, seed
				seed++
				checkBounds(t, name+", jitter 1ms", cfg, seconds(float64(cfg.n)/r))
			}
		}
	}
}

// TestPacerSimulatedJitter: the applies `make bench` measures (200
// removals under 50 requests/s, and its rate sweep: N = 8 x R at 1, 5, 20
// and 100 requests/s), each with a bucket of one, where timers wake up to
// a millisecond late and requests arrive up to a millisecond unevenly, as
// on a real machine: a bucket of one then refuses some requests the pacer
// spaced correctly. Ten seeds each.
func TestPacerSimulatedJitter(t *testing.T) {
	for _, c := range []struct {
		rate float64
		n    int
	}{{50, 200}, {1, 8}, {5, 40}, {20, 160}, {100, 200}} {
		for seed := range uint64(10) {
			cfg := with(simDefaults, c.rate, 1, c.n)
			cfg.jitter, cfg.seed = time.Millisecond, seed
			name := fmt.Sprintf("%g req/s, bucket 1, N=%d, jitter 1ms, seed %d", c.rate, c.n, seed)
			apiTime := seconds(float64(c.n) / c.rate)
			got, base := checkBounds(t, name, cfg, apiTime)
			if c.rate == 50 {
				// make bench's target: within 1.3 x the longer of the
				// unlimited apply and N/R, with at most 10 answers of 429.
				if floor := max(base.elapsed, apiTime); got.elapsed.Seconds() > 1.3*floor.Seconds() || got.throttled > 10 {
					t.Errorf("%s: %.1fs and %d answers of 429, want at most %.1fs (1.3 x %.1fs) and 10", name,
						got.elapsed.Seconds(), got.throttled, 1.3*floor.Seconds(), floor.Seconds())
				}
			}
		}
	}
}

// TestPacerSimulatedScenarios: a Terraform slower than the limit, a limit
// that drops or rises in the middle of a run, and requests_per_minute as a
// ceiling under a limit.
func TestPacerSimulatedScenarios(t *testing.T) {
	slow := simDefaults
	slow.overhead = 400 * time.Millisecond // about 24 resources/s with 10 workers
	tests := []struct {
		name    string
		cfg     simConfig
		apiTime time.Duration
	}{
		{"Terraform slower than a 50/s limit, bucket 1", with(slow, 50, 1, 300), seconds(300.0 / 50)},
		{"Terraform slower than a 30/s limit, bucket 30", with(slow, 30, 30, 300), seconds(300.0 / 30)},
		{"limit drops from 50/s to 10/s after 200", changed(with(simDefaults, 50, 1, 400), 200, 10), seconds(200.0/50 + 200.0/10)},
		{"limit rises from 10/s to 50/s after 100", changed(with(simDefaults, 10, 1, 400), 100, 50), seconds(100.0/10 + 300.0/50)},
		{"requests_per_minute 600 under a 50/s limit", withRPM(with(simDefaults, 50, 1, 200), 600), seconds(200.0 / 10)},
		// Refused twice under what its first search had accepted, near the
		// first burst's estimate: once left the pacer at 0.1/s (770 s).
		{"8.61/s, bucket 9, refused twice in the first search", with(simDefaults, 8.61, 9, 87), seconds(87 / 8.61)},
		{"requests_per_minute 3 (under the pacer's minimum) and a 1/s limit", withRPM(with(simDefaults, 1, 1, 6), 3), seconds(6.0 / 0.05)},
	}
	for _, tt := range tests {
		checkBounds(t, tt.name, tt.cfg, tt.apiTime)
	}
}

func with(c simConfig, rate float64, burst, n int) simConfig {
	c.rate, c.burst, c.n = rate, burst, n
	return c
}

func changed(c simConfig, after int, rate2 float64) simConfig {
	c.changeAfter, c.rate2, c.burst2 = after, rate2, 1
	return c
}

func withRPM(c simConfig, rpm int) simConfig {
	c.rpm = rpm
	return c
}
