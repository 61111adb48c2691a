package upswift

import (
	"fmt"
	"net/http"
	"strings"
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
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "the API answered %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	switch {
	case e.Message != "":
		fmt.Fprintf(&b, ": %s", e.Message)
	case e.Body != "":
		fmt.Fprintf(&b, " with a non-JSON body (%s): %s", orUnknown(e.ContentType), e.Body)
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
func (e *APIError) Hint() string {
	switch {
	case e.StatusCode == http.StatusBadRequest:
		return "Check the app name, the project and group names and the filters against the Upswift dashboard. If the message speaks of the token, check the user_token (Settings on the dashboard)."
	case e.StatusCode == http.StatusUnauthorized, e.StatusCode == http.StatusForbidden:
		return "The user token was refused: it may be wrong or revoked. Copy it again from Settings on the Upswift (JFrog Connect) dashboard and set it in the provider's user_token or in UPSWIFT_USER_TOKEN."
	case e.StatusCode == http.StatusNotFound:
		return "The endpoint does not serve the Upswift v1 API. Check the provider's endpoint (or UPSWIFT_ENDPOINT); the default is " + DefaultEndpoint + "."
	case e.StatusCode == http.StatusTooManyRequests:
		return "The API's rate limit was still reached after the retries. Lower the provider's requests_per_minute, raise max_retries, or run Terraform with a lower -parallelism."
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
	return fmt.Sprintf("no answer from the API after %d attempt(s): %v", e.Attempts, e.Err)
}

func (e *RequestError) Unwrap() error { return e.Err }

func orUnknown(s string) string {
	if s == "" {
		return "no Content-Type"
	}
	return s
}
