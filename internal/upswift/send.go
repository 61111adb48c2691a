package upswift

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"

	"github.com/hashicorp/go-retryablehttp"
)

// call is one of the API's calls: its method and path, and what a user can
// do when the API does not accept it, which differs by call (a refused
// removal of an app is not a refused listing of devices).
type call struct {
	method, path string
	// refused is the hint under a 400: what to check, named for this call.
	refused string
	// unconfirmed ends the hint under a 200 that is not the API's JSON:
	// what the provider did not get.
	unconfirmed string
	// waitLimit names the setting that bounds the waits under a 429.
	waitLimit string
	// maxBody caps how much of an answer is read.
	maxBody int64
}

// attemptState travels with a request's context so that the log hooks and
// the transport number the attempts of that one request.
type attemptState struct {
	attempts atomic.Int32
	started  atomic.Int64
	// throttled counts the attempts answered 429, which the transport
	// sends again itself.
	throttled atomic.Int32
}

// total is the number of the current attempt, counting those answered 429.
func (s *attemptState) total() int {
	return int(s.attempts.Load() + s.throttled.Load())
}

type attemptKey struct{}

// attemptOf is the attemptState that ctx carries, nil when none.
func attemptOf(ctx context.Context) *attemptState {
	s, _ := ctx.Value(attemptKey{}).(*attemptState)
	return s
}

// giveUp marks an error after which no retry follows.
type giveUp struct{ err error }

func (g *giveUp) Error() string { return fmt.Sprint(g.err) }
func (g *giveUp) Unwrap() error { return g.err }

// do sends one call through the pacer and the retries and returns the body
// of the API's success: a 200 whose body is the API's JSON (IsSuccess).
// Every other answer is an *APIError carrying the call's hints, no answer a
// *RequestError; neither holds the token.
func (c *Client) do(ctx context.Context, cl call, body []byte) ([]byte, error) {
	state := &attemptState{}
	ctx = context.WithValue(ctx, attemptKey{}, state)
	req, err := retryablehttp.NewRequestWithContext(ctx, cl.method, c.base+cl.path, body)
	if err != nil {
		return nil, fmt.Errorf("building the request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}

	resp, err := c.http.Do(req)
	attempts := max(int(state.attempts.Load()), 1) + int(state.throttled.Load())
	if resp == nil {
		if rl := (*RateLimitError)(nil); errors.As(err, &rl) {
			return nil, rl
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("stopped waiting for the API after %d attempt(s): %w", attempts, ctxErr)
		}
		var g *giveUp
		if errors.As(err, &g) {
			err = g.err
		}
		return nil, &RequestError{Attempts: attempts, Err: c.redactErr(err)}
	}
	defer func() { _ = resp.Body.Close() }()
	limit := cmp.Or(cl.maxBody, maxResponseBody)
	// One byte more than the cap tells a body of exactly the cap from a
	// longer one, which is cut.
	data, readErr := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if int64(len(data)) > limit {
		if resp.StatusCode == http.StatusOK {
			return nil, fmt.Errorf("the API's 200 answer to %s %s%s is larger than the %d bytes the provider reads of one answer",
				cl.method, apiPrefix, cl.path, limit)
		}
		data = data[:limit]
	}
	if resp.StatusCode == http.StatusOK && readErr == nil && IsSuccess(data) {
		return data, nil
	}
	if readErr != nil && len(data) == 0 {
		return nil, &RequestError{Attempts: attempts, Err: fmt.Errorf("reading the %d answer: %w", resp.StatusCode, c.redactErr(readErr))}
	}
	apiErr := DecodeError(resp.StatusCode, resp.Header.Get("Content-Type"), data)
	apiErr.Attempts = attempts
	apiErr.call = &cl
	if loc, err := resp.Location(); err == nil && resp.StatusCode >= 300 && resp.StatusCode < 400 {
		apiErr.Location = c.redact(loc.String())
		apiErr.SuggestedEndpoint = c.redact(suggestedEndpoint(loc, cl.path))
	}
	apiErr.Message = c.redact(apiErr.Message)
	apiErr.Body = c.redact(apiErr.Body)
	return nil, apiErr
}
