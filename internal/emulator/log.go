package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Redacted replaces user tokens in the request log and inspection output.
const Redacted = "<redacted>"

// Outcomes of a logged request other than normal handling.
const (
	OutcomeDropped     = "dropped"      // DropNext closed the connection
	OutcomeFailed      = "failed"       // FailNext answered
	OutcomeRedirected  = "redirected"   // RedirectNext answered
	OutcomeRateLimited = "rate_limited" // SetRateLimit answered 429
	OutcomeClientGone  = "client_gone"  // the client gave up during latency
)

// Request is one logged API request, with user tokens redacted.
type Request struct {
	Method string
	// Path is the URL path; Query the raw query string, if any.
	Path  string
	Query string
	// Status is the status answered; 0 when nothing was answered.
	Status int
	// Outcome is "" for normal handling, else one of the Outcome constants.
	Outcome string
	// Body is the decoded JSON body when it is a JSON object, else nil,
	// with the "user_token" value replaced by Redacted.
	Body map[string]any
	// RawBody is the body as received with the token value replaced by
	// Redacted.
	RawBody []byte
	// Header holds the request headers (User-Agent, Content-Type ...).
	// Authorization, Proxy-Authorization and Cookie values are Redacted.
	Header http.Header
	// Removed lists the IDs of the devices the app was removed from, for a
	// 200 answer to DELETE /v1/device_apps, or the tag was removed from for
	// DELETE /v1/device_tags.
	Removed []string
	// Time is when the request arrived.
	Time time.Time
}

// MarshalJSON encodes the request with snake_case keys and the raw body as
// a string, as GET /_emulator/requests shows it.
func (r Request) MarshalJSON() ([]byte, error) {
	data, err := marshal(struct {
		Method  string         `json:"method"`
		Path    string         `json:"path"`
		Query   string         `json:"query,omitempty"`
		Status  int            `json:"status"`
		Outcome string         `json:"outcome,omitempty"`
		Body    map[string]any `json:"body"`
		RawBody string         `json:"raw_body"`
		Header  http.Header    `json:"header"`
		Removed []string       `json:"removed,omitempty"`
		Time    time.Time      `json:"time"`
	}{r.Method, r.Path, r.Query, r.Status, r.Outcome, r.Body, string(r.RawBody), r.Header, r.Removed, r.Time})
	return bytes.TrimSuffix(data, []byte("\n")), err
}

// logEntry is a request log slot, reserved on arrival and completed when
// the request is answered (or not).
type logEntry struct {
	gen  uint64
	done bool
	req  Request // redacted

	// Unredacted, only for TokenSeen.
	token  string
	body   []byte
	uri    string
	header http.Header

	secrets secretList // redacted as substrings in this request
}

// secretList is what one request's log entry or answer redacts: the account
// tokens and the token the request carried.
type secretList []string

// minSecretLen is the shortest token redacted wherever it appears; shorter
// ones are only redacted in the user_token field.
const minSecretLen = 4

// tokenField finds the value of "user_token" string fields in a raw body.
var tokenField = regexp.MustCompile(`"user_token"\s*:\s*"((?:[^"\\]|\\.)*)"`)

var sensitiveHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie"}

// begin logs the arrival of an API request.
func (e *Emulator) begin(r *http.Request, body []byte) *logEntry {
	le := &logEntry{
		body:   body,
		uri:    r.URL.RequestURI(),
		header: r.Header.Clone(),
	}
	var obj map[string]any
	if json.Unmarshal(body, &obj) == nil && obj != nil {
		le.token, _ = obj["user_token"].(string)
	}
	le.secrets = e.secretsWith(le.token)

	if obj != nil {
		if _, ok := obj["user_token"]; ok {
			obj["user_token"] = Redacted
		}
		if redacted, ok := le.redactValue(obj).(map[string]any); ok {
			obj = redacted
		}
	}
	header := r.Header.Clone()
	if header == nil {
		header = http.Header{}
	}
	for k, vs := range header {
		for i := range vs {
			if slices.Contains(sensitiveHeaders, http.CanonicalHeaderKey(k)) {
				vs[i] = Redacted
			} else {
				vs[i] = le.redact(vs[i])
			}
		}
	}
	le.req = Request{
		Method:  r.Method,
		Path:    le.redact(r.URL.Path),
		Query:   le.redact(r.URL.RawQuery),
		Body:    obj,
		RawBody: le.redactRaw(body),
		Header:  header,
		Time:    time.Now(),
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	le.gen = e.gen
	e.log = append(e.log, le)
	return le
}

// secretsWith returns the secrets of a request that carried token: token
// and the account tokens, those of at least minSecretLen characters.
// e.secrets is fixed by New, so no lock is needed.
func (e *Emulator) secretsWith(token string) secretList {
	var out secretList
	for _, s := range append([]string{token}, e.secrets...) {
		if len(s) >= minSecretLen && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// finish completes a log entry and counts its status.
func (e *Emulator) finish(le *logEntry, status int, outcome string, removed []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	le.req.Status = status
	le.req.Outcome = outcome
	le.req.Removed = removed
	le.done = true
	if le.gen == e.gen {
		e.counts[status]++
	}
}

// Requests returns the log of the API requests received since New or Reset,
// in order of arrival, user tokens redacted. Requests still being handled
// are left out; requests to /_emulator/ are not logged.
func (e *Emulator) Requests() []Request {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Request, 0, len(e.log))
	for _, le := range e.log {
		if le.done {
			out = append(out, cloneRequest(le.req))
		}
	}
	return out
}

// TokenSeen reports whether any API request logged since New or Reset
// carried token: in the user_token field, or anywhere in its body, URL or
// header values. It lets tests check that a token was sent although the log
// only holds it redacted.
func (e *Emulator) TokenSeen(token string) bool {
	if token == "" {
		return false
	}
	forms := tokenForms(token)
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, le := range e.log {
		if le.token == token {
			return true
		}
		for _, f := range forms {
			if bytes.Contains(le.body, []byte(f)) || strings.Contains(le.uri, f) {
				return true
			}
			for _, vs := range le.header {
				for _, v := range vs {
					if strings.Contains(v, f) {
						return true
					}
				}
			}
		}
	}
	return false
}

// tokenForms lists the ways a token can be spelled in a body or URL.
func tokenForms(token string) []string {
	forms := []string{token}
	if q, err := json.Marshal(token); err == nil {
		forms = append(forms, string(q[1:len(q)-1]))
	}
	forms = append(forms, url.QueryEscape(token), url.PathEscape(token))
	slices.Sort(forms)
	return slices.Compact(forms)
}

// redact replaces this request's secrets in s.
func (le *logEntry) redact(s string) string { return le.secrets.redact(s) }

// redact replaces the secrets in s, in every form tokenForms knows.
func (l secretList) redact(s string) string {
	for _, secret := range l {
		for _, f := range tokenForms(secret) {
			s = strings.ReplaceAll(s, f, Redacted)
		}
	}
	return s
}

// redactRaw redacts a raw body: the user_token string values, then the
// secrets wherever they appear.
func (le *logEntry) redactRaw(body []byte) []byte {
	if body == nil {
		return nil
	}
	var out []byte
	last := 0
	for _, m := range tokenField.FindAllSubmatchIndex(body, -1) {
		out = append(out, body[last:m[2]]...)
		out = append(out, Redacted...)
		last = m[3]
	}
	out = append(out, body[last:]...)
	return []byte(le.redact(string(out)))
}

// redactValue redacts the secrets in every string of a decoded JSON value.
func (le *logEntry) redactValue(v any) any {
	switch v := v.(type) {
	case string:
		return le.redact(v)
	case []any:
		for i := range v {
			v[i] = le.redactValue(v[i])
		}
		return v
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[le.redact(k)] = le.redactValue(x)
		}
		return out
	}
	return v
}

func cloneRequest(r Request) Request {
	r.Body = cloneJSON(r.Body)
	r.RawBody = slices.Clone(r.RawBody)
	r.Header = r.Header.Clone()
	r.Removed = slices.Clone(r.Removed)
	return r
}

// cloneJSON deep-copies a decoded JSON object.
func cloneJSON(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	var clone func(v any) any
	clone = func(v any) any {
		switch v := v.(type) {
		case []any:
			out := make([]any, len(v))
			for i, x := range v {
				out[i] = clone(x)
			}
			return out
		case map[string]any:
			out := make(map[string]any, len(v))
			for k, x := range v {
				out[k] = clone(x)
			}
			return out
		}
		return v
	}
	out, _ := clone(m).(map[string]any)
	return out
}
