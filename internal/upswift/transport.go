package upswift

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// pacedTransport makes every attempt, retries included, wait for the
// client's pacer, bounds the attempt itself by timeout, and reports the
// answers back to the pacer. A 429 is handled here, not by the retry
// policy: the attempt waits for its next turn and is sent again, for as
// long as the request's context allows, so that 429s never use up the
// retries meant for server errors and dropped connections.
type pacedTransport struct {
	base    http.RoundTripper
	pacer   *pacer
	timeout time.Duration
	logger  Logger // nil: no log lines
}

func (t *pacedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	state, _ := ctx.Value(attemptKey{}).(*attemptState)
	began := t.pacer.now()
	throttles := 0
	for {
		tk, err := t.pacer.wait(ctx, func(d time.Duration) {
			reportProgress(ctx, Event{Kind: EventWaiting, Method: req.Method, Path: req.URL.Path, Wait: d})
		})
		if err != nil {
			// Refused, or never sent because the client's other requests
			// were: either way the rate limit is why it ran out of time.
			if rl := (*RateLimitError)(nil); errors.As(err, &rl) {
				rl.Waited, rl.Throttles = t.pacer.now().Sub(began), throttles
			}
			return nil, err
		}
		if why := t.pacer.notice(); why != "" && t.logger != nil {
			t.logger.Debug(ctx, "Upswift API pace not shared with this machine's other processes: pacing alone", map[string]any{"reason": why})
		}
		attempt := req
		if throttles > 0 {
			attempt = req.Clone(ctx)
			if req.GetBody != nil {
				if attempt.Body, err = req.GetBody(); err != nil {
					t.pacer.release()
					return nil, fmt.Errorf("replaying the request body: %w", err)
				}
			}
			if state != nil {
				reportProgress(ctx, Event{Kind: EventSent, Method: req.Method, Path: req.URL.Path, Attempt: state.total()})
			}
		}
		resp, err := t.send(attempt)
		if err != nil {
			t.pacer.release()
			return nil, err
		}
		if resp.StatusCode != http.StatusTooManyRequests {
			t.pacer.succeeded(tk)
			return resp, nil
		}
		d, ok := ParseRetryAfter(resp.Header.Get("Retry-After"), t.pacer.now())
		if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
			// The body cannot be sent again: the 429 is the answer.
			t.pacer.throttledAt(tk, d, ok)
			return resp, nil
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseBody))
		_ = resp.Body.Close()
		t.pacer.throttledAt(tk, d, ok)
		throttles++
		n := throttles
		if state != nil {
			n = state.total()
			reportProgress(ctx, Event{Kind: EventRateLimited, Method: req.Method, Path: req.URL.Path, Status: resp.StatusCode, Attempt: n})
			state.throttled.Add(1)
		}
		if t.logger != nil {
			// The retry hooks never see these answers: say here that the
			// request waits for the rate limit, and what was learned.
			fields := map[string]any{"method": req.Method, "path": req.URL.Path, "status": resp.StatusCode,
				"attempt": n, "rate_per_second": t.pacer.Rate()}
			if ok {
				fields["retry_after_ms"] = d.Milliseconds()
			}
			t.logger.Warn(ctx, "Upswift API rate limit reached; the request waits its turn and is sent again", fields)
		}
		if ok && d > 0 {
			// The refused request itself is not sent again before the
			// server's Retry-After (said above, before the wait).
			timer := time.NewTimer(d)
			select {
			case <-ctx.Done():
				timer.Stop()
			case <-timer.C:
			}
		}
	}
}

// send makes one attempt, bounded by the per-attempt timeout.
func (t *pacedTransport) send(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	resp, err := t.base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		if errors.Is(err, context.DeadlineExceeded) && req.Context().Err() == nil {
			err = fmt.Errorf("no answer within %s: %w", t.timeout, err)
		}
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// sleep waits d, or less when ctx ends first.
func sleep(ctx context.Context, d time.Duration) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
	case <-timer.C:
	}
}

// cancelOnClose ends an attempt's timeout once its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}
