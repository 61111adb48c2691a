package upswift

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
)

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
