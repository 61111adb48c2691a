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
