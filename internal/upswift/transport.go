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

// RoundTrip waits for the attempt's turn, sends it, and after a 429 sends
// it again at its next turn.
func (t *pacedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	began := t.pacer.now()
	for throttles := 0; ; throttles++ {
		tk, err := t.wait(req, began, throttles)
		if err != nil {
			return nil, err
		}
		attempt := req
		if throttles > 0 {
			if attempt, err = replay(req); err != nil {
				t.pacer.release()
				return nil, err
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
		retryAfter, again := t.note429(req, resp, tk, throttles+1)
		if !again {
			return resp, nil
		}
		if retryAfter > 0 {
			// The refused request itself is not sent again before the
			// server's Retry-After (said by note429, before the wait).
			sleep(req.Context(), retryAfter)
		}
	}
}

// wait waits for the attempt's turn, telling the progress watcher of a long
// one. A request refused until its deadline, or never sent because the
// client's other requests were, fails with a *RateLimitError: either way
// the rate limit is why it ran out of time.
func (t *pacedTransport) wait(req *http.Request, began time.Time, throttles int) (ticket, error) {
	ctx := req.Context()
	tk, err := t.pacer.wait(ctx, func(d time.Duration) {
		reportProgress(ctx, Event{Kind: EventWaiting, Method: req.Method, Path: req.URL.Path, Wait: d})
	})
	if rl := (*RateLimitError)(nil); errors.As(err, &rl) {
		rl.Waited, rl.Throttles = t.pacer.now().Sub(began), throttles
	}
	if err != nil {
		return ticket{}, err
	}
	if why := t.pacer.notice(); why != "" && t.logger != nil {
		t.logger.Debug(ctx, "Upswift API pace not shared with this machine's other processes: pacing alone", map[string]any{"reason": why})
	}
	return tk, nil
}

// replay is the attempt after a 429: a copy of req with its body read
// again. It reports itself sent: the retry hooks see only the first.
func replay(req *http.Request) (*http.Request, error) {
	ctx := req.Context()
	attempt := req.Clone(ctx)
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, fmt.Errorf("replaying the request body: %w", err)
		}
		attempt.Body = body
	}
	if state := attemptOf(ctx); state != nil {
		reportProgress(ctx, Event{Kind: EventSent, Method: req.Method, Path: req.URL.Path, Attempt: state.total()})
	}
	return attempt, nil
}

// note429 tells the pacer of the 429 answered to the attempt tk. When the
// request can be sent again (its body can be read again) it tells the
// progress watcher and the log too, with the attempt's number (n without
// an attemptState), and returns the server's Retry-After (0 without one);
// again is false when the 429 is the answer.
func (t *pacedTransport) note429(req *http.Request, resp *http.Response, tk ticket, n int) (retryAfter time.Duration, again bool) {
	retryAfter, ok := ParseRetryAfter(resp.Header.Get("Retry-After"), t.pacer.now())
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		t.pacer.throttledAt(tk, retryAfter, ok)
		return 0, false
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseBody))
	_ = resp.Body.Close()
	t.pacer.throttledAt(tk, retryAfter, ok)
	ctx := req.Context()
	if state := attemptOf(ctx); state != nil {
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
			fields["retry_after_ms"] = retryAfter.Milliseconds()
		}
		t.logger.Warn(ctx, "Upswift API rate limit reached; the request waits its turn and is sent again", fields)
	}
	return retryAfter, true
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
