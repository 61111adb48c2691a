package upswift

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

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
