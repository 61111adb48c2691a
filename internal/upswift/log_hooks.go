package upswift

import (
	"net/http"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// logRequest is retryablehttp's RequestLogHook: it numbers the attempt,
// counting those answered 429 that the transport sent again, logs it and
// reports it sent.
func (c *Client) logRequest(_ retryablehttp.Logger, req *http.Request, attempt int) {
	ctx := req.Context()
	n := attempt + 1
	if s := attemptOf(ctx); s != nil {
		s.attempts.Store(int32(attempt + 1))
		s.started.Store(time.Now().UnixNano())
		n = s.total()
	}
	c.logger.Debug(ctx, "Sending Upswift API request", map[string]any{
		"method": req.Method, "path": req.URL.Path, "attempt": n,
	})
	reportProgress(ctx, Event{Kind: EventSent, Method: req.Method, Path: req.URL.Path, Attempt: n})
}

// logResponse is retryablehttp's ResponseLogHook: it logs the answer and
// reports a 429 or a server error. (The 429s the transport sends again
// itself never reach it: note429 says those.)
func (c *Client) logResponse(_ retryablehttp.Logger, resp *http.Response) {
	ctx := resp.Request.Context()
	s := attemptOf(ctx)
	fields := map[string]any{"method": resp.Request.Method, "path": resp.Request.URL.Path, "status": resp.StatusCode}
	if s != nil {
		fields["attempt"] = s.total()
		fields["duration_ms"] = time.Since(time.Unix(0, s.started.Load())).Milliseconds()
	}
	if resp.StatusCode == http.StatusOK {
		c.logger.Debug(ctx, "Received Upswift API response", fields)
		return
	}
	c.logger.Warn(ctx, "Received Upswift API error response", fields)
	ev := Event{Method: resp.Request.Method, Path: resp.Request.URL.Path, Status: resp.StatusCode}
	if s != nil {
		ev.Attempt = s.total()
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		ev.Kind = EventRateLimited
	case resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented:
		ev.Kind = EventServerError
	default:
		return
	}
	reportProgress(ctx, ev)
}
