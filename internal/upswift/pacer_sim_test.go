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
	s := newSim(cfg, trace)
	deadline := s.start.Add(24 * time.Hour)
	for s.q.Len() > 0 {
		e := heap.Pop(s.q).(*simEvent)
		if e.at.After(deadline) {
			break
		}
		s.clock.t = e.at
		switch e.kind {
		case evReady:
			s.ready(e)
		case evArrive:
			s.arrive(e)
		case evAnswer:
			s.answer(e)
		}
	}
	for i := range s.sentAt {
		j := i
		for j < len(s.sentAt) && s.sentAt[j].Sub(s.sentAt[i]) < time.Second {
			j++
		}
		s.res.maxSent = max(s.res.maxSent, j-i)
	}
	return s.res
}

// sim is a simulated apply under way: its processes' pacers on one fake
// clock, the API, and the events to come.
type sim struct {
	cfg    simConfig
	procs  []simProc
	start  time.Time
	clock  *fakeClock
	api    *simAPI
	q      *simQueue
	seq    int
	rng    *rand.Rand
	pacers []*pacer
	next   []int // removals taken by each process's workers so far
	res    simResult
	sentAt []time.Time // when the API accepted a request
	trace  func(format string, args ...any)
}

// newSim sets up the apply: the API's bucket, a pacer per process, and
// each process's workers ready after their first overhead.
func newSim(cfg simConfig, trace func(format string, args ...any)) *sim {
	procs := cfg.procs
	if len(procs) == 0 {
		procs = []simProc{{n: cfg.n}}
	}
	start := simStart.Add(cfg.at)
	s := &sim{cfg: cfg, procs: procs, start: start, clock: &fakeClock{t: start}, api: &simAPI{mode: cfg.mode},
		q: &simQueue{}, rng: rand.New(rand.NewPCG(cfg.seed, 1)), pacers: make([]*pacer, len(procs)),
		next: make([]int, len(procs)), res: simResult{procs: make([]procResult, len(procs))}, trace: trace}
	s.api.set(cfg.rate, cfg.burst, start)
	for i, pr := range procs {
		s.pacers[i] = newPacer(cfg.rpm, s.clock.now)
		if cfg.paceDir != "" {
			s.pacers[i].share(newPaceStore(cfg.paceDir, "sim", "token"))
		}
		for range min(cfg.workers, pr.n) {
			s.next[i]++
			s.push(&simEvent{at: start.Add(pr.start + cfg.overhead), proc: i, kind: evReady})
		}
	}
	return s
}

func (s *sim) push(e *simEvent) {
	s.seq++
	e.seq = s.seq
	heap.Push(s.q, e)
}

// late is the jitter of one wake-up or arrival.
func (s *sim) late() time.Duration {
	if s.cfg.jitter <= 0 {
		return 0
	}
	return time.Duration(s.rng.Int64N(int64(s.cfg.jitter)))
}

// ready: a worker asks its pacer to start; it waits, or its request is on
// its way to the API.
func (s *sim) ready(e *simEvent) {
	tk, d := s.pacers[e.proc].tryStart(e.queued)
	if d > 0 {
		s.push(&simEvent{at: e.at.Add(d + s.late()), proc: e.proc, kind: evReady, queued: true})
		return
	}
	s.push(&simEvent{at: e.at.Add(s.cfg.latency/2 + s.late()), proc: e.proc, kind: evArrive, tk: tk})
}

// arrive: the API takes the request or refuses it; the answer comes back a
// round trip after the request started.
func (s *sim) arrive(e *simEvent) {
	ok, header := s.api.take(e.at)
	if ok {
		s.sentAt = append(s.sentAt, e.at)
	}
	s.push(&simEvent{at: e.tk.start.Add(s.cfg.latency), proc: e.proc, kind: evAnswer, tk: e.tk, ok: ok, header: header})
}

// answer: the pacer learns from the answer; a refused request is sent
// again, an accepted one frees its worker for the next removal.
func (s *sim) answer(e *simEvent) {
	p, pr := s.pacers[e.proc], &s.res.procs[e.proc]
	if !e.ok {
		s.res.throttled++
		pr.throttled++
		d, has := ParseRetryAfter(e.header, e.at)
		p.throttledAt(e.tk, d, has)
		if s.trace != nil {
			s.trace("%8.3fs p%d start %8.3fs 429 %q sent at %.3f/s -> rate %.3f/s", e.at.Sub(s.start).Seconds(), e.proc, e.tk.start.Sub(s.start).Seconds(), e.header, e.tk.rate, p.Rate())
		}
		// The refused request waits out its own Retry-After.
		s.push(&simEvent{at: e.at.Add(d), proc: e.proc, kind: evReady})
		return
	}
	p.succeeded(e.tk)
	if s.trace != nil {
		s.trace("%8.3fs p%d start %8.3fs 200 sent at %.3f/s -> rate %.3f/s", e.at.Sub(s.start).Seconds(), e.proc, e.tk.start.Sub(s.start).Seconds(), e.tk.rate, p.Rate())
	}
	s.res.ok++
	pr.ok++
	pr.end = e.at
	pr.elapsed = e.at.Sub(s.start.Add(s.procs[e.proc].start))
	pr.accepted = append(pr.accepted, e.at)
	s.res.elapsed = max(s.res.elapsed, e.at.Sub(s.start))
	if s.cfg.changeAfter > 0 && s.res.ok == s.cfg.changeAfter {
		s.api.set(s.cfg.rate2, s.cfg.burst2, e.at)
	}
	if s.next[e.proc] < s.procs[e.proc].n {
		s.next[e.proc]++
		s.push(&simEvent{at: e.at.Add(s.cfg.overhead), proc: e.proc, kind: evReady})
	}
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
