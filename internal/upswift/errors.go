package upswift

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// APIError is an answer of the API other than success.
type APIError struct {
	// StatusCode is the HTTP status of the last answer.
	StatusCode int
	// Message is the API's error_message, when the body carried one.
	Message string
	// Body is a short, printable excerpt of a body that was not the API's
	// JSON (an HTML page from a proxy, plain text), for diagnostics.
	Body string
	// ContentType is the Content-Type of the last answer.
	ContentType string
	// Attempts is how many requests were made, retries included.
	Attempts int
	// Location is where a redirect (3xx) pointed; the client follows none.
	Location string
	// SuggestedEndpoint is the endpoint that Location implies.
	SuggestedEndpoint string
	// call is the call that was answered, whose hints Hint gives; nil
	// gives hints that name no call.
	call *call
}

func (e *APIError) Error() string {
	var b strings.Builder
	switch {
	case e.StatusCode >= 200 && e.StatusCode < 300:
		// Only the API's JSON success counts: anything else answered 200
		// may not have come from the API at all.
		fmt.Fprintf(&b, "the endpoint answered %d %s, but not with the API's success answer ({\"message\": ...})", e.StatusCode, http.StatusText(e.StatusCode))
	case e.StatusCode >= 300 && e.StatusCode < 400:
		fmt.Fprintf(&b, "the endpoint answered %d %s", e.StatusCode, http.StatusText(e.StatusCode))
		if e.Location != "" {
			fmt.Fprintf(&b, " to %s", e.Location)
		} else {
			b.WriteString(" without a Location")
		}
		b.WriteString("; the provider follows no redirect, so that the user token goes only to the configured endpoint")
		if e.Attempts > 1 {
			fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
		}
		return b.String()
	default:
		fmt.Fprintf(&b, "the API answered %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	}
	switch {
	case e.Message != "":
		fmt.Fprintf(&b, ": %s", e.Message)
	case e.Body != "":
		fmt.Fprintf(&b, " with a non-JSON body (%s): %s", orUnknown(e.ContentType), e.Body)
	case e.StatusCode >= 200 && e.StatusCode < 300:
		b.WriteString(": an empty body")
	default:
		b.WriteString(" with no error message")
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	return b.String()
}

// Hint says what a user can do about the error, or "" when nothing specific
// applies.
//
// Where the advice depends on the call (what to check under a 400, what was
// not confirmed, which timeout bounds the waits), it is the call's own; an
// APIError that names no call gets advice that fits every call.
func (e *APIError) Hint() string {
	cl := call{
		refused:     "Check the project and group names and the filters" + refusedHintTail,
		unconfirmed: "The API did not confirm the call.",
		waitLimit:   "the operation's timeout",
	}
	if e.call != nil {
		cl = *e.call
	}
	switch {
	case e.StatusCode >= 200 && e.StatusCode < 300:
		return "Something between Terraform and the Upswift API answered instead of it: a corporate proxy's login page, a captive portal, or an endpoint that is not the Upswift API. Check the provider's endpoint (or UPSWIFT_ENDPOINT) and the network path. " + cl.unconfirmed
	case e.StatusCode >= 300 && e.StatusCode < 400 && e.SuggestedEndpoint != "":
		return "If " + e.SuggestedEndpoint + " is the Upswift API and you trust it, set the provider's endpoint (or UPSWIFT_ENDPOINT) to it."
	case e.StatusCode >= 300 && e.StatusCode < 400:
		return "Check the provider's endpoint (or UPSWIFT_ENDPOINT); the default is " + DefaultEndpoint + "."
	case e.StatusCode == http.StatusBadRequest:
		return cl.refused
	case e.StatusCode == http.StatusUnauthorized, e.StatusCode == http.StatusForbidden:
		return "The user token was refused: it may be wrong or revoked. Copy it again from Settings on the Upswift (JFrog Connect) dashboard and set it in the provider's user_token or in UPSWIFT_USER_TOKEN."
	case e.StatusCode == http.StatusNotFound:
		return "The endpoint does not serve the Upswift v1 API. Check the provider's endpoint (or UPSWIFT_ENDPOINT); the default is " + DefaultEndpoint + "."
	case e.StatusCode == http.StatusTooManyRequests:
		return "The API answered that its rate limit was reached. The provider waits and sends the request again for as long as " + cl.waitLimit + " allows; raise it, or set the provider's requests_per_minute to stay under the limit from the start."
	case e.StatusCode >= 500:
		return "The API or a proxy in front of it failed. This is usually temporary: try again later, or raise the provider's max_retries."
	}
	return ""
}

// RequestError is a request that got no answer: the connection failed, was
// dropped or timed out.
type RequestError struct {
	// Attempts is how many requests were made, retries included.
	Attempts int
	// Err is the last transport error.
	Err error
}

func (e *RequestError) Error() string {
	msg := fmt.Sprintf("no answer from the API after %d attempt(s): %v", e.Attempts, e.Err)
	if hint := e.Hint(); hint != "" {
		// Without its final period, as error strings end without one.
		msg += ". " + strings.TrimSuffix(hint, ".")
	}
	return msg
}

func (e *RequestError) Unwrap() error { return e.Err }

// Hint says what a user can do about a connection that failed on the
// server's certificate, or "" for other failures. It is part of Error, so
// that every caller shows it.
//
// The client keeps Go's trust defaults: the system's certificate store and,
// on Unix systems other than macOS, SSL_CERT_FILE and SSL_CERT_DIR. Behind a
// corporate network the usual cause is a private certificate authority, of
// the API's endpoint or of a TLS-inspecting proxy.
func (e *RequestError) Hint() string {
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(e.Err, &unknownAuthority):
		return "The server's certificate is not trusted: no certificate authority this machine trusts signed it. " +
			"If the endpoint, or a proxy that inspects TLS on the way, uses a private certificate authority, " + addCA
	case errors.As(e.Err, &hostname):
		return "The server's certificate is not valid for the endpoint's host name. Check the provider's endpoint " +
			"(or UPSWIFT_ENDPOINT); if a proxy that inspects TLS answers in the API's place, its certificate must name that host."
	case errors.As(e.Err, &invalid):
		return "The server's certificate is not valid (expired, not yet valid or not meant for a server). " +
			"Check the clock of this machine; if the certificate comes from a private certificate authority, " + addCA
	}
	return ""
}

// addCA says how to make a private certificate authority trusted.
const addCA = "add that authority's certificate (PEM) to the system's certificate store, or, on Linux and other " +
	"Unix systems but macOS, point SSL_CERT_FILE at a file or SSL_CERT_DIR at a directory holding it, " +
	"in the environment Terraform runs in. TLS verification cannot be turned off."

// RateLimitError is a request that the API's rate limit held back until
// its context's deadline: it waited its turn behind the client's pacer the
// whole time, answered 429 or never sent while the client's other requests
// were, and was never refused for any other reason.
type RateLimitError struct {
	// Waited is how long the request waited, from when it was made.
	Waited time.Duration
	// Throttles is how many 429 answers the request got; 0 when its turn
	// never came.
	Throttles int
	// Rate is the request rate the client had learned, per second.
	Rate float64
	// Err is the context's error.
	Err error
}

func (e *RateLimitError) Error() string {
	answers := fmt.Sprintf("%d answers of 429", e.Throttles)
	if e.Throttles == 0 {
		answers = "its turn never came: the provider's other requests were answered 429"
	}
	return fmt.Sprintf("the API's rate limit held the request back for %s (%s); the provider had learned a rate of %s, and %v",
		e.Waited.Round(100*time.Millisecond), answers, formatRate(e.Rate), e.Err)
}

func (e *RateLimitError) Unwrap() error { return e.Err }

// formatRate prints a rate per second, with the per-minute figure for slow
// ones, since requests_per_minute is set per minute.
func formatRate(r float64) string {
	if r < 1 {
		return fmt.Sprintf("%.2g requests/s (%.3g per minute)", r, r*60)
	}
	return fmt.Sprintf("%.3g requests/s", r)
}

func orUnknown(s string) string {
	if s == "" {
		return "no Content-Type"
	}
	return s
}
