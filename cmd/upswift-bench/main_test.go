package main

import (
	"slices"
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

// TestWorkspaceConfigsDoNotOverlap: each workspace removes from its own
// devices, so that the emulator's log tells their removals apart.
func TestWorkspaceConfigsDoNotOverlap(t *testing.T) {
	first, second := workspaceConfig(50, 0), workspaceConfig(50, 50)
	for _, tt := range []struct {
		config, want string
	}{{first, "count.index + 0)"}, {second, "count.index + 50)"}} {
		if !strings.Contains(tt.config, tt.want) || !strings.Contains(tt.config, "count    = 50") {
			t.Errorf("configuration lacks %q or its count:\n%s", tt.want, tt.config)
		}
	}
}

func TestWorkspaceBounds(t *testing.T) {
	tests := []struct {
		row       workspaceRow
		factor    float64
		most      int
		floorSecs float64
		lastSecs  float64
		ends      []time.Duration
	}{
		{workspaceRow{ns: []int{50, 50, 50, 50}, burst: 20, rate: 20}, 1.5, 32, 10, 7, []time.Duration{5 * time.Second, 7 * time.Second}},
		{workspaceRow{ns: []int{50, 50, 50, 50}, burst: 1, rate: 20}, 3, 200, 10, 3, []time.Duration{3 * time.Second}},
		{workspaceRow{ns: []int{200, 200}, burst: 20, rate: 20}, 1.5, 40, 20, 0, nil},
		{workspaceRow{ns: []int{50, 50, 50, 50}, burst: 20, rate: 20, shared: true}, 1.2, 32, 10, 0, nil},
		{workspaceRow{ns: []int{50, 50, 50, 50}, burst: 1, rate: 20, shared: true}, 1.5, 20, 10, 0, nil},
		{workspaceRow{ns: []int{20, 50, 80}, burst: 1, rate: 20, shared: true}, 1.5, 20, 7.5, 0, nil},
		{workspaceRow{ns: []int{20, 50, 80}, burst: 20, rate: 20}, 1.5, 24, 7.5, 0, nil},
	}
	for _, tt := range tests {
		tt.row.ends = tt.ends
		f, m := tt.row.bound()
		if f != tt.factor || m != tt.most || tt.row.floor() != tt.floorSecs || tt.row.last().Seconds() != tt.lastSecs {
			t.Errorf("%+v: bound %.1f, %d, floor %.1f, last %.1f; want %.1f, %d, %.1f, %.1f", tt.row, f, m, tt.row.floor(), tt.row.last().Seconds(),
				tt.factor, tt.most, tt.floorSecs, tt.lastSecs)
		}
	}
	if n := (workspaceRow{ns: []int{20, 50, 80}}).name(); n != "20 + 50 + 80" {
		t.Errorf("name of a mix: %q", n)
	}
	if n := (workspaceRow{ns: []int{25, 25}}).name(); n != "2 x 25" {
		t.Errorf("name of equal workspaces: %q", n)
	}
	if _, err := parseInts("workspaces", "2, 4,x"); err == nil {
		t.Error("parseInts accepted x")
	}
	if got, err := parseInts("workspaces", "2, 4,,8"); err != nil || len(got) != 3 || got[2] != 8 {
		t.Errorf("parseInts = %v, %v", got, err)
	}
}

func TestParseSharing(t *testing.T) {
	for in, want := range map[string][]bool{"on,off": {true, false}, "off": {false}, " on ": {true}, "off,on": {false, true}} {
		if got, err := parseSharing(in); err != nil || !slices.Equal(got, want) {
			t.Errorf("parseSharing(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "yes", "on,maybe"} {
		if _, err := parseSharing(bad); err == nil {
			t.Errorf("parseSharing(%q) accepted", bad)
		}
	}
}

// TestPaceEnv: each run has its shared pace in a directory of its own, or
// sharing off; the bench's own environment is left as it was.
func TestPaceEnv(t *testing.T) {
	env := []string{"A=1"}
	a, b := runPace("/w"), runPace("/w")
	if a == b {
		t.Fatalf("two runs share the pace directory %s", a)
	}
	on, off := paceEnv(env, a, true), paceEnv(env, a, false)
	if !slices.Contains(on, "UPSWIFT_PACE_DIR="+a) || !slices.Contains(off, "UPSWIFT_SHARED_PACE=false") || len(env) != 1 {
		t.Fatalf("on: %v, off: %v, base: %v", on, off, env)
	}
}
