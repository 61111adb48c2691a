package upswift

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// EventKind says what happened to a request on its way to the API.
type EventKind int

// Kinds of progress events.
const (
	// EventSent: an attempt was sent.
	EventSent EventKind = iota + 1
	// EventRateLimited: the API answered 429; the request waits for the rate
	// limit and is sent again.
	EventRateLimited
	// EventServerError: the API or a proxy answered 5xx; the request is sent
	// again while retries are left.
	EventServerError
	// EventWaiting: the pacer holds the request back to keep under the
	// rate the API accepts.
	EventWaiting
	// EventDone: the API answered 200.
	EventDone
)

// Event is one step of a request. It holds no token and no body.
type Event struct {
	Kind    EventKind
	Method  string
	Path    string
	Attempt int
	// Status is the answer's status for EventRateLimited and EventServerError.
	Status int
	// Wait is how long the request waits, when known (EventWaiting).
	Wait time.Duration
}

// String says what happened in words, for a user watching a long operation.
func (e Event) String() string {
	req := e.Method + " " + e.Path
	switch e.Kind {
	case EventSent:
		if e.Attempt > 1 {
			return fmt.Sprintf("Sent %s again (attempt %d).", req, e.Attempt)
		}
		return fmt.Sprintf("Sent %s.", req)
	case EventRateLimited:
		return fmt.Sprintf("The API's rate limit was reached (429 after attempt %d); waiting for it before sending %s again.", e.Attempt, req)
	case EventServerError:
		return fmt.Sprintf("The API answered %d %s to attempt %d; retrying %s while retries are left.", e.Status, http.StatusText(e.Status), e.Attempt, req)
	case EventWaiting:
		if e.Wait > 0 {
			return fmt.Sprintf("Waiting %s for the rate limit before sending %s.", e.Wait.Round(time.Millisecond), req)
		}
		return fmt.Sprintf("Waiting for the rate limit before sending %s.", req)
	case EventDone:
		return fmt.Sprintf("The API accepted %s (200).", req)
	}
	return req
}

type progressKey struct{}

// WithProgress returns a context whose requests report their progress to
// fn. fn is called on the request's goroutine and must not block.
func WithProgress(ctx context.Context, fn func(Event)) context.Context {
	return context.WithValue(ctx, progressKey{}, fn)
}

// reportProgress passes e to the function set by WithProgress, if any. The
// retry loop, the pacer and the log hooks all report through it.
func reportProgress(ctx context.Context, e Event) {
	if fn, ok := ctx.Value(progressKey{}).(func(Event)); ok && fn != nil {
		fn(e)
	}
}
