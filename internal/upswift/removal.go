// Package upswift is a client for the Upswift (JFrog Connect) v1 REST API.
// It knows nothing about Terraform.
package upswift

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"
)

// Defaults for Options fields left at zero.
const (
	DefaultMaxRetries     = 4
	DefaultRequestTimeout = 30 * time.Second
	DefaultRetryWaitMin   = 500 * time.Millisecond
	DefaultRetryWaitMax   = 30 * time.Second
)

// maxResponseBody caps how much of an answer is read: the API's answers are
// small, a proxy's error page need not be read whole.
const maxResponseBody = 64 << 10

// Logger receives the client's log lines. Fields never hold the token or a
// request body.
type Logger interface {
	Debug(ctx context.Context, msg string, fields map[string]any)
	Warn(ctx context.Context, msg string, fields map[string]any)
}

// Options configure a Client.
type Options struct {
	// Endpoint is the API base URL; DefaultEndpoint when empty.
	Endpoint string
	// UserToken is the account's user token. Required.
	UserToken string
	// UserAgent is sent with every request.
	UserAgent string
	// MaxRetries bounds the retries after the first attempt; negative means
	// DefaultMaxRetries.
	MaxRetries int
	// RequestTimeout bounds each attempt; DefaultRequestTimeout when zero.
	RequestTimeout time.Duration
	// RequestsPerMinute caps the pace of requests, before and after any
	// rate limit answer; zero leaves the pace to the pacer's slow start.
	RequestsPerMinute int
	// SharedPace paces this client as one with the other processes of this
	// machine that use the same endpoint and token, through a file in
	// PaceDir (the user's cache directory when empty); see pacestore.go.
	SharedPace bool
	PaceDir    string
	// RetryWaitMin and RetryWaitMax bound the backoff between retries.
	RetryWaitMin, RetryWaitMax time.Duration
	// Logger receives log lines; nil discards them.
	Logger Logger
	// Transport replaces the HTTP transport (tests). TLS verification is
	// always on with the default transport.
	Transport http.RoundTripper
}

// Client talks to the API. It is safe for concurrent use and meant to be
// shared: all requests go through one connection pool and one pacer.
type Client struct {
	base      string
	token     string
	userAgent string
	logger    Logger
	http      *retryablehttp.Client
	pacer     *pacer
	// maxListed bounds one listing: MaxListedDevices.
	maxListed int
}

// NewClient checks the options and builds a client.
func NewClient(o Options) (*Client, error) {
	if o.UserToken == "" {
		return nil, errors.New("a user token is required")
	}
	if o.Endpoint == "" {
		o.Endpoint = DefaultEndpoint
	}
	u, err := ParseEndpoint(o.Endpoint)
	if err != nil {
		return nil, err
	}
	if o.MaxRetries < 0 {
		o.MaxRetries = DefaultMaxRetries
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = DefaultRequestTimeout
	}
	if o.RetryWaitMin <= 0 {
		o.RetryWaitMin = DefaultRetryWaitMin
	}
	if o.RetryWaitMax < o.RetryWaitMin {
		o.RetryWaitMax = max(DefaultRetryWaitMax, o.RetryWaitMin)
	}
	if o.Logger == nil {
		o.Logger = nopLogger{}
	}
	if o.RequestsPerMinute < 0 {
		return nil, fmt.Errorf("requests per minute must not be negative, got %d", o.RequestsPerMinute)
	}

	c := &Client{
		base:      u.String() + apiPrefix,
		token:     o.UserToken,
		userAgent: o.UserAgent,
		logger:    o.Logger,
		pacer:     newPacer(o.RequestsPerMinute, nil),
		maxListed: MaxListedDevices,
	}
	if o.SharedPace {
		c.pacer.share(newPaceStore(o.PaceDir, u.String(), o.UserToken))
	}
	transport := o.Transport
	if transport == nil {
		t := cleanhttp.DefaultPooledTransport()
		t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		t.MaxIdleConnsPerHost = 32
		transport = t
	}
	c.http = &retryablehttp.Client{
		HTTPClient: &http.Client{
			// The per-attempt timeout is the transport's, so that it starts
			// once the pacer lets the attempt go, not while it waits.
			Transport: &pacedTransport{base: transport, pacer: c.pacer, timeout: o.RequestTimeout, logger: o.Logger},
			// No redirect is followed: a 307/308 would send the body, token
			// included, wherever Location points (another host, or plain
			// http), and a 301/302 turns the call into a GET without it.
			// The redirect comes back as the answer and fails the call.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		RetryWaitMin:    o.RetryWaitMin,
		RetryWaitMax:    o.RetryWaitMax,
		RetryMax:        o.MaxRetries,
		CheckRetry:      checkRetry,
		Backoff:         backoff,
		ErrorHandler:    func(resp *http.Response, err error, n int) (*http.Response, error) { return resp, &giveUp{err: err} },
		RequestLogHook:  c.logRequest,
		ResponseLogHook: c.logResponse,
	}
	return c, nil
}

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

// Hints of the removals.
const (
	refusedHintTail = " against the Upswift dashboard. If the message speaks of the token, check the user_token " +
		"(Settings on the dashboard)."
	removalWaitLimit = "timeouts.create (an action's timeout)"
)

var (
	removeAppCall = call{
		method: http.MethodDelete, path: "/device_apps",
		refused:     "Check the app name, the project and group names and the filters" + refusedHintTail,
		unconfirmed: "The API did not confirm the removal.", waitLimit: removalWaitLimit, maxBody: maxResponseBody,
	}
	removeTagCall = call{
		method: http.MethodDelete, path: "/device_tags",
		refused:     "Check the tag name, the project and group names and the filters" + refusedHintTail,
		unconfirmed: "The API did not confirm the removal.", waitLimit: removalWaitLimit, maxBody: maxResponseBody,
	}
)

// RemoveApp sends DELETE /v1/device_apps: the app is removed from the devices
// that the filter selects. It returns nil on 200, an *APIError for any other
// answer and a *RequestError when no answer came.
func (c *Client) RemoveApp(ctx context.Context, r RemoveAppRequest) error {
	return c.remove(ctx, removeAppCall, removalBody{UserToken: c.token, AppName: r.AppName, DeviceFilter: r.DeviceFilter})
}

// RemoveTag sends DELETE /v1/device_tags: the tag is removed from the devices
// that the filter selects. It answers as RemoveApp does.
func (c *Client) RemoveTag(ctx context.Context, r RemoveTagRequest) error {
	return c.remove(ctx, removeTagCall, removalBody{UserToken: c.token, TagName: r.TagName, DeviceFilter: r.DeviceFilter})
}

// remove sends one of the API's removals, which differ only in their path,
// the key that names what is removed and their hints.
func (c *Client) remove(ctx context.Context, cl call, b removalBody) error {
	body, err := json.Marshal(b)
	if err != nil {
		return fmt.Errorf("encoding the request: %w", err)
	}
	if _, err := c.do(ctx, cl, body); err != nil {
		return err
	}
	reportProgress(ctx, Event{Kind: EventDone, Method: cl.method, Path: apiPrefix + cl.path})
	return nil
}

// attemptState travels with a request's context so that the per-client log
// hooks can count the attempts of that one request.
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

// IsSuccess reports whether a 200 answer's body is the API's success: a JSON
// object with a message and no error_message. Anything else (a proxy's login
// page, a captive portal, an empty body) did not come from the API: a
// removal is not taken as done, a listing not as the fleet.
func IsSuccess(body []byte) bool {
	var payload map[string]json.RawMessage
	if json.Unmarshal(bytes.TrimSpace(body), &payload) != nil || payload == nil {
		return false
	}
	_, hasMessage := payload["message"]
	_, hasError := payload["error_message"]
	return hasMessage && !hasError
}

// suggestedEndpoint is the base URL that a redirect's Location implies for
// the API: Location without the API path of the request, when it ends with
// it.
func suggestedEndpoint(loc *url.URL, path string) string {
	u := *loc
	u.RawQuery, u.Fragment = "", ""
	u.Path = strings.TrimSuffix(u.Path, apiPrefix+path)
	u.RawPath = ""
	return strings.TrimRight(u.String(), "/")
}

// DecodeError turns a non-success answer into an *APIError: the API's
// error_message when the body is the API's JSON, else a short printable
// excerpt of the body.
func DecodeError(status int, contentType string, body []byte) *APIError {
	e := &APIError{StatusCode: status, ContentType: contentType}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return e
	}
	var payload struct {
		ErrorMessage any `json:"error_message"`
		Message      any `json:"message"`
	}
	if trimmed[0] == '{' && json.Unmarshal(trimmed, &payload) == nil {
		e.Message = messageText(payload.ErrorMessage)
		if e.Message == "" {
			e.Message = messageText(payload.Message)
		}
		if e.Message == "" && status >= 200 && status < 300 {
			e.Message = "JSON that is not the API's: " + excerpt(trimmed, 200)
		}
		return e
	}
	e.Body = excerpt(trimmed, 200)
	return e
}

func messageText(v any) string {
	switch m := v.(type) {
	case nil:
		return ""
	case string:
		return excerpt([]byte(m), 500)
	default:
		b, _ := json.Marshal(m)
		return excerpt(b, 500)
	}
}

// excerpt makes body printable in one line: markup and control characters
// go, white space folds, and it is cut at n runes.
func excerpt(body []byte, n int) string {
	var b strings.Builder
	inTag, space := false, false
	count := 0
	for _, r := range string(body) {
		switch {
		case r == '<':
			inTag = true
			continue
		case r == '>' && inTag:
			inTag = false
			space = true
			continue
		case inTag:
			continue
		case r == '\uFFFD' || r < ' ' || r == 0x7f || r == ' ':
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
			count++
		}
		space = false
		if count >= n {
			b.WriteString("…")
			break
		}
		b.WriteRune(r)
		count++
	}
	return b.String()
}

func (c *Client) redact(s string) string {
	if c.token == "" || s == "" {
		return s
	}
	return strings.ReplaceAll(s, c.token, "<redacted>")
}

func (c *Client) redactErr(err error) error {
	if err == nil {
		return nil
	}
	if msg := err.Error(); strings.Contains(msg, c.token) {
		return errors.New(c.redact(msg))
	}
	return err
}

// checkRetry is retryablehttp's ErrorPropagatedRetryPolicy, except that a
// *RateLimitError ends the request as it is: that policy would replace it
// with the context's error, which says nothing of the rate limit.
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if rl := (*RateLimitError)(nil); errors.As(err, &rl) {
		return false, rl
	}
	return retryablehttp.ErrorPropagatedRetryPolicy(ctx, resp, err)
}

// backoff waits exponentially longer with jitter between retries after
// server errors and dropped connections. (429s never reach it: the
// transport waits for the pacer and sends them again itself.)
func backoff(lo, hi time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && resp.StatusCode == http.StatusServiceUnavailable {
		if d, ok := ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return min(d, hi)
		}
	}
	// Doubling stops at hi, so that neither the shift nor the doubling can
	// overflow, whatever lo and attempt are.
	ceiling := max(lo, time.Millisecond)
	for range max(attempt, 0) {
		if ceiling >= hi/2 {
			ceiling = hi
			break
		}
		ceiling *= 2
	}
	ceiling = min(ceiling, hi)
	// Jitter over [ceiling/2, ceiling]: spread, but never near zero.
	half := ceiling / 2
	return half + time.Duration(rand.Int64N(int64(half)+1))
}

// ParseRetryAfter reads a Retry-After header: delay seconds or an HTTP date.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	var secs int64
	if _, err := fmt.Sscanf(v, "%d", &secs); err == nil && fmt.Sprint(secs) == v {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

func (c *Client) logRequest(_ retryablehttp.Logger, req *http.Request, attempt int) {
	ctx := req.Context()
	if s, ok := ctx.Value(attemptKey{}).(*attemptState); ok {
		s.attempts.Store(int32(attempt + 1))
		s.started.Store(time.Now().UnixNano())
	}
	n := attempt + 1
	if s, ok := ctx.Value(attemptKey{}).(*attemptState); ok {
		n = s.total()
	}
	c.logger.Debug(ctx, "Sending Upswift API request", map[string]any{
		"method": req.Method, "path": req.URL.Path, "attempt": n,
	})
	reportProgress(ctx, Event{Kind: EventSent, Method: req.Method, Path: req.URL.Path, Attempt: n})
}

func (c *Client) logResponse(_ retryablehttp.Logger, resp *http.Response) {
	ctx := resp.Request.Context()
	fields := map[string]any{"method": resp.Request.Method, "path": resp.Request.URL.Path, "status": resp.StatusCode}
	if s, ok := ctx.Value(attemptKey{}).(*attemptState); ok {
		fields["attempt"] = s.total()
		fields["duration_ms"] = time.Since(time.Unix(0, s.started.Load())).Milliseconds()
	}
	if resp.StatusCode == http.StatusOK {
		c.logger.Debug(ctx, "Received Upswift API response", fields)
		return
	}
	c.logger.Warn(ctx, "Received Upswift API error response", fields)
	ev := Event{Method: resp.Request.Method, Path: resp.Request.URL.Path, Status: resp.StatusCode}
	if s, ok := ctx.Value(attemptKey{}).(*attemptState); ok {
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

type nopLogger struct{}

func (nopLogger) Debug(context.Context, string, map[string]any) {}
func (nopLogger) Warn(context.Context, string, map[string]any)  {}
