package main

import (
	"strings"
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	if got := median([]time.Duration{3, 1, 2}); got != 2 {
		t.Errorf("median of 3 values = %v, want 2", got)
	}
	if got := median([]float64{4, 1, 3, 2}); got != 2.5 {
		t.Errorf("median of 4 values = %v, want 2.5", got)
	}
	if got := median([]float64(nil)); got != 0 {
		t.Errorf("median of none = %v, want 0", got)
	}
}

func TestConfigsCarryTheSameInput(t *testing.T) {
	up, td := upswiftConfig(7), terraformDataConfig(7)
	for _, c := range []string{up, td} {
		if !strings.Contains(c, benchInput) || !strings.Contains(c, "count = 7") {
			t.Fatalf("configuration lacks the shared input or the count:\n%s", c)
		}
	}
	if !strings.Contains(up, `resource "upswift_app_removal"`) || !strings.Contains(td, `resource "terraform_data"`) {
		t.Fatal("configurations are not of the two tools")
	}
}

func TestSweepN(t *testing.T) {
	tests := []struct {
		rate, secs float64
		want       int
	}{
		{1, 8, 8}, {5, 8, 40}, {20, 8, 160}, {100, 8, 200}, {0.2, 8, 4}, {5, 3, 15},
	}
	for _, tt := range tests {
		if got := sweepN(tt.rate, tt.secs); got != tt.want {
			t.Errorf("sweepN(%g, %g) = %d, want %d", tt.rate, tt.secs, got, tt.want)
		}
	}
}

func TestParseRates(t *testing.T) {
	got, err := parseRates(" 1, 5,20.5,,")
	if err != nil || len(got) != 3 || got[0] != 1 || got[1] != 5 || got[2] != 20.5 {
		t.Fatalf("parseRates = %v, %v", got, err)
	}
	if got, err := parseRates(""); err != nil || len(got) != 0 {
		t.Fatalf("empty: %v, %v", got, err)
	}
	for _, bad := range []string{"x", "0", "-3"} {
		if _, err := parseRates(bad); err == nil {
			t.Errorf("parseRates(%q) accepted", bad)
		}
	}
}
