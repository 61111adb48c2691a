package upswift

import (
	"math"
	"testing"
	"time"
)

// One test per rule of the pacer's top comment (pacer.go), on a fake clock,
// named after the rule's step in pacer_rules.go; retryAfter's and the
// ceiling's are in pacer_test.go (TestPacerRetryAfter, TestPacerCeiling).

// burst starts and accepts n requests, each answered after gap, and returns
// the tickets' start times.
func burst(p *pacer, clock *fakeClock, n int, gap time.Duration) []time.Time {
	var starts []time.Time
	for range n {
		tk := startWhenDue(p, clock)
		starts = append(starts, tk.start)
		clock.advance(gap)
		p.succeeded(tk)
	}
	return starts
}

// TestPacerFirstBurstEndsAtWhatItProved: k requests accepted in the t1
// seconds up to the first 429 prove (k-1)/(t1 + 1s), whatever the bucket
// up to a second of rate; with one accepted, nothing is proved and the
// pacer tries one request per (t1 + 1s).
func TestPacerFirstBurstEndsAtWhatItProved(t *testing.T) {
	for _, k := range []int{1, 2, 5, 12} {
		p, clock := newFakePacer(0)
		starts := burst(p, clock, k, 10*time.Millisecond)
		refused := startWhenDue(p, clock)
		clock.advance(10 * time.Millisecond)
		p.throttledAt(refused, 0, false)
		t1 := refused.start.Sub(starts[0]).Seconds()
		want := float64(k-1) / (t1 + 1)
		if k == 1 {
			want = 1 / (t1 + 1)
		}
		if got := p.Rate(); math.Abs(got-want) > 1e-9 {
			t.Errorf("%d accepted in %.3fs, then a 429: rate %.4f/s, want %.4f/s", k, t1, got, want)
		}
	}
}

// cutAlone brings a pacer past its first burst to a 429 above every rate
// it was accepted at, as a process alone at its limit sees it: accepted at
// rate, then refused at 1.25 x rate. It returns the pacer's clock.
func cutAlone(t *testing.T, rate float64) (*pacer, *fakeClock) {
	t.Helper()
	p, clock := newFakePacer(0)
	p.limited, p.rate, p.refusedStart, p.cutAt = true, rate, clock.now(), clock.now()
	for _, r := range []float64{rate, rate, 1.25 * rate} {
		p.rate = r
		tk := startWhenDue(p, clock)
		tk.queued = true
		clock.advance(5 * time.Millisecond)
		if r > rate {
			p.throttledAt(tk, 0, false)
		} else {
			p.succeeded(tk)
			p.rate = r // keep the tested rate for the next request
		}
	}
	return p, clock
}

// TestPacerAloneAtItsLimitTriesItAgainAfterReturnRun: refused above every
// rate it carried, the pacer levels off under the refused rate and does
// not try above it before returnRun of its intervals; at a slow limit
// that is many of CUBIC's seconds.
func TestPacerAloneAtItsLimitTriesItAgainAfterReturnRun(t *testing.T) {
	for _, rate := range []float64{0.5, 5, 50} {
		p, clock := cutAlone(t, rate)
		wmax := settle * 1.25 * rate
		hold := time.Duration(returnRun / wmax * float64(time.Second))
		if p.secsToWmax < hold.Seconds()-1e-9 {
			t.Fatalf("at %g/s the climb back takes %.2fs, want at least returnRun intervals, %.2fs", rate, p.secsToWmax, hold.Seconds())
		}
		hold = time.Duration(p.secsToWmax * float64(time.Second))
		// Accepted all along the way back: never above where it levels off.
		for {
			tk := startWhenDue(p, clock)
			if clock.now().Sub(p.cutAt) >= hold {
				p.release()
				break
			}
			tk.queued = true
			p.succeeded(tk)
			if r := p.Rate(); r > wmax+1e-9 {
				t.Fatalf("at %g/s, %.2fs after the cut the rate is %.3f/s, above %.3f/s", rate, clock.now().Sub(p.cutAt).Seconds(), r, wmax)
			}
		}
		// And beyond it afterwards, ever faster.
		for range 20 {
			tk := startWhenDue(p, clock)
			tk.queued = true
			clock.advance(interval(p.Rate()))
			p.succeeded(tk)
		}
		if r := p.Rate(); r <= wmax {
			t.Errorf("at %g/s, long after the cut the rate is %.3f/s, not above %.3f/s", rate, r, wmax)
		}
	}
}

// TestPacerNeighboursAreWaitedOutInRealTime: a 429 at a rate the pacer was
// accepted at is another process's request that took the token: the climb
// back keeps CUBIC's real-time clock, the same for every process, however
// slow the rate.
func TestPacerNeighboursAreWaitedOutInRealTime(t *testing.T) {
	p, clock := newFakePacer(0)
	p.limited, p.rate, p.refusedStart, p.cutAt, p.fastest = true, 2, clock.now(), clock.now(), 3
	tk := startWhenDue(p, clock)
	clock.advance(5 * time.Millisecond)
	p.throttledAt(tk, 0, false)
	want := math.Cbrt((p.wmax - p.floor) / cubicC)
	if math.Abs(p.secsToWmax-want) > 1e-9 || p.secsToWmax >= returnRun/p.wmax {
		t.Fatalf("climb back takes %.3fs, want CUBIC's %.3fs (not returnRun's %.1fs)", p.secsToWmax, want, returnRun/p.wmax)
	}
}

// TestPacerRefusedFirstRequestKeepsTrying: a first request refused means
// others carry the limit; later 429s before any acceptance do not slow the
// pacer further, so that it is there when a neighbour leaves room.
func TestPacerRefusedFirstRequestKeepsTrying(t *testing.T) {
	p, clock := newFakePacer(0)
	tk := startWhenDue(p, clock)
	clock.advance(20 * time.Millisecond)
	p.throttledAt(tk, 0, false)
	first := p.Rate()
	for range 5 {
		tk := startWhenDue(p, clock)
		clock.advance(20 * time.Millisecond)
		p.throttledAt(tk, 0, false)
		if r := p.Rate(); r < first-1e-9 {
			t.Fatalf("after more 429s with nothing accepted, the rate fell to %.3f/s from %.3f/s", r, first)
		}
	}
}

// TestPacerProvedRateIsTheFloor: between two 429s a token bucket granted
// what it accepted, less one; the cut never goes below that.
func TestPacerProvedRateIsTheFloor(t *testing.T) {
	p, clock := newFakePacer(0)
	p.limited, p.rate, p.refusedStart, p.cutAt = true, 10, clock.now(), clock.now()
	// Nine accepted in the 1 s after the last 429, then a 429 at 30/s.
	for range 9 {
		clock.advance(100 * time.Millisecond)
		p.succeeded(ticket{start: clock.now(), rate: 10, queued: true})
	}
	clock.advance(100 * time.Millisecond)
	p.throttledAt(ticket{start: clock.now(), rate: 30, queued: true}, 0, false)
	if got, want := p.Rate(), 8.0; math.Abs(got-want) > 1e-9 {
		t.Fatalf("rate %.3f/s after the 429, want the proved 8/s (not beta x 10/s)", got)
	}
}

// TestPacerInFlightAcceptedRestartsTheCurve: a request sent after the
// refused one, in flight at the cut and accepted anyway, went out at a
// rate the API grants: the climb restarts from there.
func TestPacerInFlightAcceptedRestartsTheCurve(t *testing.T) {
	p, clock := newFakePacer(0)
	burst(p, clock, 3, 10*time.Millisecond)
	refused := startWhenDue(p, clock)
	clock.advance(25 * time.Millisecond)
	inflight := startWhenDue(p, clock)
	clock.advance(5 * time.Millisecond)
	p.throttledAt(refused, 0, false)
	cut := p.Rate()
	clock.advance(15 * time.Millisecond)
	p.succeeded(inflight)
	if sent := 1 / inflight.start.Sub(refused.start.Add(-25*time.Millisecond)).Seconds(); p.Rate() <= cut || p.floor < sent-1e-9 {
		t.Fatalf("an in-flight request accepted after the cut left the rate at %.2f/s (cut to %.2f/s), floor %.2f/s, want it from %.2f/s",
			p.Rate(), cut, p.floor, sent)
	}
	if p.wmax < settle*inflight.rate-1e-9 {
		t.Fatalf("the climb heads for %.2f/s, want back toward the pace the request went out at, %.2f/s", p.wmax, settle*inflight.rate)
	}
}
