package main

import (
	"maps"
	"math"
	"runtime/debug"
	"testing"
)

func TestSilenceUnrequestedLogs(t *testing.T) {
	off := map[string]string{"TF_LOG_SDK": "OFF", "TF_LOG_SDK_PROTO": "OFF", "TF_LOG_SDK_FRAMEWORK": "OFF", "TF_LOG_PROVIDER_UPSWIFT": "OFF"}
	tests := []struct {
		name string
		env  map[string]string
		want map[string]string
	}{
		{"no logging asked", map[string]string{}, off},
		{"empty TF_LOG", map[string]string{"TF_LOG": ""}, merge(off, map[string]string{"TF_LOG": ""})},
		{"TF_LOG set", map[string]string{"TF_LOG": "TRACE"}, map[string]string{"TF_LOG": "TRACE"}},
		{"TF_LOG_PROVIDER set", map[string]string{"TF_LOG_PROVIDER": "DEBUG"}, map[string]string{"TF_LOG_PROVIDER": "DEBUG"}},
		{"explicit level kept", map[string]string{"TF_LOG_SDK_PROTO": "TRACE"}, merge(off, map[string]string{"TF_LOG_SDK_PROTO": "TRACE"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := maps.Clone(tt.env)
			lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
			set := func(k, v string) error { env[k] = v; return nil }
			silenceUnrequestedLogs(lookup, set)
			if !maps.Equal(env, tt.want) {
				t.Fatalf("env %v, want %v", env, tt.want)
			}
		})
	}
}

func merge(a, b map[string]string) map[string]string {
	out := maps.Clone(a)
	maps.Copy(out, b)
	return out
}

// TestLimitMemory: without GOMEMLIMIT the provider keeps a soft memory
// limit, which the first read of the fleet lifts; with it, neither.
func TestLimitMemory(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	tests := []struct {
		name          string
		env           map[string]string
		limit, lifted int64
	}{
		{"GOMEMLIMIT unset", map[string]string{}, memoryLimit, math.MaxInt64},
		{"GOMEMLIMIT set", map[string]string{"GOMEMLIMIT": "1GiB"}, 123 << 20, 123 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			debug.SetMemoryLimit(123 << 20)
			readingFleet := limitMemory(func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok })
			if got := debug.SetMemoryLimit(-1); got != tt.limit {
				t.Errorf("soft memory limit %d, want %d", got, tt.limit)
			}
			readingFleet()
			if got := debug.SetMemoryLimit(-1); got != tt.lifted {
				t.Errorf("after a read of the fleet: soft memory limit %d, want %d", got, tt.lifted)
			}
		})
	}
}
