package upswift

import (
	"container/heap"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// The simulation runs pacers on a fake clock against a simulated
// token-bucket API and simulated Terraform workers, deterministically and in
// microseconds of real time per simulated minute. One simulated apply is
// one or more provider processes (Terraform workspaces applied side by
// side), each with its own pacer and workers, all sharing the API's limit.

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
	n        int           // removals (of the one process, when procs is empty)
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
	// procs, when set, are provider processes applied side by side, each
	// with its own pacer and workers; n is then ignored.
	procs []simProc
	// paceDir, when set, is where the processes share one pace (each its
	// own store on one file, as on one machine); at is how long after
	// simStart the apply starts (a later run that finds the pace there).
	paceDir string
	at      time.Duration
}

// simProc is one provider process of a simulated apply: n removals,
// starting start after the first.
type simProc struct {
	n     int
	start time.Duration
}

type simResult struct {
	elapsed   time.Duration // until the last removal was accepted
	ok        int
	throttled int
	// maxSent is the most requests the API accepted in any one second
	// (with a ceiling set, a check that it held).
	maxSent int
	procs   []procResult
}

// procResult is what one process of a simulated apply saw.
type procResult struct {
	elapsed   time.Duration // from its start until its last removal was accepted
	end       time.Time
	ok        int
	throttled int
	accepted  []time.Time // when the API accepted its requests
}

type simEvent struct {
	at     time.Time
	seq    int
	proc   int
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

var simStart = time.Date(2026, 11, 25, 12, 0, 0, 123_000_000, time.UTC)

// simulate runs one apply: in each process, each worker takes the next
// removal, spends the overhead, then waits for its process's pacer and
// sends it, again after each 429, until the API accepts it.
func simulate(cfg simConfig) simResult { return simulateTrace(cfg, nil) }

// simulateTrace is simulate, calling trace (when not nil) with every
// answer and the pacer's rate after it: what to look at when tuning.
func simulateTrace(cfg simConfig, trace func(format string, args ...any)) simResult {
	procs := cfg.procs
	if len(procs) == 0 {
		procs = []simProc{{n: cfg.n}}
	}
	simStart := simStart.Add(cfg.at)
	clock := &fakeClock{t: simStart}
	api := &simAPI{mode: cfg.mode}
	api.set(cfg.rate, cfg.burst, simStart)
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
	pacers := make([]*pacer, len(procs))
	next := make([]int, len(procs))
	res := simResult{procs: make([]procResult, len(procs))}
	for i, pr := range procs {
		pacers[i] = newPacer(cfg.rpm, clock.now)
		if cfg.paceDir != "" {
			pacers[i].share(newPaceStore(cfg.paceDir, "sim", "token"))
		}
		for range min(cfg.workers, pr.n) {
			next[i]++
			push(&simEvent{at: simStart.Add(pr.start + cfg.overhead), proc: i, kind: evReady})
		}
	}
	var sentAt []time.Time
	deadline := simStart.Add(24 * time.Hour)
	for q.Len() > 0 {
		e := heap.Pop(q).(*simEvent)
		if e.at.After(deadline) {
			break
		}
		clock.t = e.at
		p, pr := pacers[e.proc], &res.procs[e.proc]
		switch e.kind {
		case evReady:
			tk, d := p.tryStart(e.queued)
			if d > 0 {
				push(&simEvent{at: e.at.Add(d + late()), proc: e.proc, kind: evReady, queued: true})
				continue
			}
			push(&simEvent{at: e.at.Add(cfg.latency/2 + late()), proc: e.proc, kind: evArrive, tk: tk})
		case evArrive:
			ok, header := api.take(e.at)
			if ok {
				sentAt = append(sentAt, e.at)
			}
			push(&simEvent{at: e.tk.start.Add(cfg.latency), proc: e.proc, kind: evAnswer, tk: e.tk, ok: ok, header: header})
		case evAnswer:
			if !e.ok {
				res.throttled++
				pr.throttled++
				d, has := ParseRetryAfter(e.header, e.at)
				p.throttledAt(e.tk, d, has)
				if trace != nil {
					trace("%8.3fs p%d start %8.3fs 429 %q sent at %.3f/s -> rate %.3f/s", e.at.Sub(simStart).Seconds(), e.proc, e.tk.start.Sub(simStart).Seconds(), e.header, e.tk.rate, p.Rate())
				}
				// The refused request waits out its own Retry-After.
				push(&simEvent{at: e.at.Add(d), proc: e.proc, kind: evReady})
				continue
			}
			p.succeeded(e.tk)
			if trace != nil {
				trace("%8.3fs p%d start %8.3fs 200 sent at %.3f/s -> rate %.3f/s", e.at.Sub(simStart).Seconds(), e.proc, e.tk.start.Sub(simStart).Seconds(), e.tk.rate, p.Rate())
			}
			res.ok++
			pr.ok++
			pr.end = e.at
			pr.elapsed = e.at.Sub(simStart.Add(procs[e.proc].start))
			pr.accepted = append(pr.accepted, e.at)
			res.elapsed = max(res.elapsed, e.at.Sub(simStart))
			if cfg.changeAfter > 0 && res.ok == cfg.changeAfter {
				api.set(cfg.rate2, cfg.burst2, e.at)
			}
			if next[e.proc] < procs[e.proc].n {
				next[e.proc]++
				push(&simEvent{at: e.at.Add(cfg.overhead), proc: e.proc, kind: evReady})
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

func seconds(x float64) time.Duration { return time.Duration(x * float64(time.Second)) }

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
