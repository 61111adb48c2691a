// Package upswift is a client for the Upswift (JFrog Connect) v1 REST API.
// It knows nothing about Terraform.
package upswift

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
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

type nopLogger struct{}

func (nopLogger) Debug(context.Context, string, map[string]any) {}
func (nopLogger) Warn(context.Context, string, map[string]any)  {}
