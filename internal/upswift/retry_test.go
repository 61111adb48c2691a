package upswift

import (
	"testing"
	"time"
)

// TestBackoffBounded: backoff stays within [hi/2, hi] for any attempt and
// any lo, where a shift would overflow.
func TestBackoffBounded(t *testing.T) {
	tests := []struct {
		lo, hi  time.Duration
		attempt int
		min     time.Duration
		max     time.Duration
	}{
		{time.Millisecond, 30 * time.Second, 3, 4 * time.Millisecond, 8 * time.Millisecond},
		{30 * time.Second, time.Minute, 29, 30 * time.Second, time.Minute},
		{time.Hour, 2 * time.Hour, 40, time.Hour, 2 * time.Hour},
		{500 * time.Millisecond, 30 * time.Second, 1000, 15 * time.Second, 30 * time.Second},
		{time.Duration(1 << 62), time.Duration(1<<63 - 1), 5, time.Duration(1<<62) / 2, time.Duration(1<<63 - 1)},
	}
	for _, tt := range tests {
		for range 20 {
			d := backoff(tt.lo, tt.hi, tt.attempt, nil)
			if d < tt.min || d > tt.max {
				t.Fatalf("backoff(%s, %s, %d) = %s, want within [%s, %s]", tt.lo, tt.hi, tt.attempt, d, tt.min, tt.max)
			}
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"3", 3 * time.Second, true},
		{"0", 0, true},
		{" 2 ", 2 * time.Second, true},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"", 0, false},
		{"soon", 0, false},
		{"Wed, 25 Nov 2026 12:00:05 GMT", 5 * time.Second, true},
		{"Wed, 25 Nov 2026 11:59:00 GMT", 0, true},
	}
	for _, tt := range tests {
		got, ok := ParseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
