package emulator

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// knobs are the fault-injection settings; guarded by Emulator.mu.
type knobs struct {
	latency time.Duration

	dropLeft int

	failLeft   int
	failStatus int
	failHTML   bool

	redirectLeft   int
	redirectStatus int
	redirectTo     string

	rate       float64 // tokens per second; <= 0 disables
	burst      int
	retryAfter bool
	// retryAfterDate sends Retry-After as an HTTP date instead of seconds.
	retryAfterDate bool
	tokens         float64
	last           time.Time
}

// SetLatency delays every API request by d before anything else is done
// with it (d <= 0: no delay). A client that gives up during the delay leaves
// the request unanswered and unapplied (Outcome "client_gone").
func (e *Emulator) SetLatency(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.knobs.latency = max(d, 0)
}

// SetRateLimit turns on a token-bucket rate limit of perSecond requests per
// second with the given burst (at least 1); the bucket starts full. API
// requests over the limit are answered 429: with retryAfter, with a
// Retry-After header (whole seconds, at least 1) and the body
// {"error_message":"API limit reached"}; without, with the body {} and no
// header. perSecond <= 0 turns the limit off. Requests dropped or failed by
// DropNext or FailNext take no token.
func (e *Emulator) SetRateLimit(perSecond float64, burst int, retryAfter bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	burst = max(burst, 1)
	e.knobs.rate = perSecond
	e.knobs.burst = burst
	e.knobs.retryAfter = retryAfter
	e.knobs.tokens = float64(burst)
	e.knobs.last = e.now()
}

// SetRetryAfterDate makes the Retry-After of SetRateLimit's 429 answers
// an HTTP date (the time a token is free, rounded up to whole seconds, in
// the header's one-second resolution) instead of a number of seconds.
func (e *Emulator) SetRetryAfterDate(on bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.knobs.retryAfterDate = on
}

// FailNext answers the next n API requests with status (for example 500,
// 502 or 503) without applying them: with html, an nginx-style HTML error
// page with Content-Type text/html; otherwise a JSON body
// {"error_message": "..."}. A call replaces the previous FailNext setting;
// n <= 0 clears it. A status outside 100..999 is replaced by 500.
func (e *Emulator) FailNext(n int, status int, html bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if status < 100 || status > 999 {
		status = http.StatusInternalServerError
	}
	e.knobs.failLeft = max(n, 0)
	e.knobs.failStatus = status
	e.knobs.failHTML = html
}

// RedirectNext answers the next n API requests with a redirect of status
// (301, 302, 303, 307 or 308; anything else is replaced by 308) to location,
// without applying them, as a proxy or a moved host would. A call replaces
// the previous RedirectNext setting; n <= 0 clears it.
func (e *Emulator) RedirectNext(n int, status int, location string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
	default:
		status = http.StatusPermanentRedirect
	}
	e.knobs.redirectLeft = max(n, 0)
	e.knobs.redirectStatus = status
	e.knobs.redirectTo = location
}

// DropNext makes the next n API requests go unanswered: the connection is
// hijacked and closed, so the client gets a transport error. A call replaces
// the previous DropNext setting; n <= 0 clears it. Served without a
// hijackable connection (for example through httptest.ResponseRecorder or
// HTTP/2), the handler panics with http.ErrAbortHandler instead, which
// net/http turns into an aborted response.
func (e *Emulator) DropNext(n int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.knobs.dropLeft = max(n, 0)
}

// Counts returns how many API requests were answered with each status since
// New or Reset. Requests answered by no status (dropped by DropNext, or
// abandoned by the client during latency) count under key 0. Requests to
// /_emulator/ are not counted.
func (e *Emulator) Counts() map[int]int {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := make(map[int]int, len(e.counts))
	for k, v := range e.counts {
		c[k] = v
	}
	return c
}

// knobAction is what the knobs decided for one request.
type knobAction int

const (
	actNone knobAction = iota
	actDrop
	actFail
	actRedirect
	actLimit
)

// decide applies the knobs after latency, in order drop, redirect, fail,
// rate limit.
// It returns the action, and for actLimit the time until a token is free.
// Must be called with e.mu held.
func (e *Emulator) decide() (knobAction, time.Duration) {
	k := &e.knobs
	if k.dropLeft > 0 {
		k.dropLeft--
		return actDrop, 0
	}
	if k.redirectLeft > 0 {
		k.redirectLeft--
		return actRedirect, 0
	}
	if k.failLeft > 0 {
		k.failLeft--
		return actFail, 0
	}
	if k.rate > 0 {
		now := e.now()
		if elapsed := now.Sub(k.last); elapsed > 0 {
			k.tokens = math.Min(float64(k.burst), k.tokens+elapsed.Seconds()*k.rate)
		}
		k.last = now
		if k.tokens >= 1 {
			k.tokens--
			return actNone, 0
		}
		wait := time.Duration((1 - k.tokens) / k.rate * float64(time.Second))
		return actLimit, wait
	}
	return actNone, 0
}

// retryAfterSeconds formats a wait as a Retry-After value: whole seconds,
// rounded up, at least 1.
func retryAfterSeconds(wait time.Duration) string {
	secs := int64(math.Ceil(wait.Seconds()))
	return strconv.FormatInt(max(secs, 1), 10)
}

// writeRateLimited answers 429 as SetRateLimit describes: Retry-After in
// seconds, or as an HTTP date when dateNow (the emulator's now) is set.
func writeRateLimited(w http.ResponseWriter, retryAfter bool, dateNow time.Time, wait time.Duration) {
	if !retryAfter {
		writeJSON(w, http.StatusTooManyRequests, struct{}{})
		return
	}
	value := retryAfterSeconds(wait)
	if !dateNow.IsZero() {
		secs, _ := strconv.ParseInt(value, 10, 64)
		value = dateNow.Add(time.Duration(secs) * time.Second).UTC().Format(http.TimeFormat)
	}
	w.Header().Set("Retry-After", value)
	writeJSON(w, http.StatusTooManyRequests, errorBody{"API limit reached"})
}

// writeFailure answers an injected failure as FailNext describes.
func writeFailure(w http.ResponseWriter, status int, html bool) {
	text := http.StatusText(status)
	if text == "" {
		text = "Error"
	}
	if !html {
		writeJSON(w, status, errorBody{fmt.Sprintf("%s (injected by the emulator)", strings.ToLower(text))})
		return
	}
	w.Header().Set("Content-Type", "text/html")
	w.Header().Set("Server", "nginx")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, "<html>\r\n<head><title>%d %s</title></head>\r\n<body>\r\n<center><h1>%d %s</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
		status, text, status, text)
}

// drop closes the client connection without answering.
func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}
