package provider

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/upswift/terraform-provider-upswift/internal/emulator"
	"github.com/upswift/terraform-provider-upswift/internal/emulator/emulatortest"
)

// rateLimitFleet is n devices d-000... in project Fleet, group All, each
// with legacy-agent and metrics.
func rateLimitFleet(n int) *emulator.Fleet {
	devices := make([]emulator.Device, n)
	for i := range devices {
		devices[i] = emulator.Device{ID: fmt.Sprintf("d-%03d", i), Name: "device", State: "online",
			Apps: map[string]string{"legacy-agent": "1.0.0", "metrics": "1.0.0"}}
	}
	return &emulator.Fleet{Accounts: []emulator.Account{{
		UserToken: testAccToken, Apps: []string{"legacy-agent", "metrics"},
		Projects: []emulator.Project{{Name: "Fleet", Groups: []emulator.Group{{Name: "All", Devices: devices}}}},
	}}}
}

// rateLimitConfig removes legacy-agent from each of n devices, one
// resource per device, with max_retries = 0: 429s must not need retries.
func rateLimitConfig(url string, n int, extra string) string {
	return fmt.Sprintf(`
provider "upswift" {
  endpoint    = %[1]q
  user_token  = %[2]q
  max_retries = 0
}
resource "upswift_app_removal" "test" {
  count    = %[3]d
  app_name = "legacy-agent"
  device_filter = {
    project = { name = "Fleet" }
    filters = [{ type = "specific_device", operand = "is", value = format("d-%%03d", count.index) }]
  }
  %[4]s
}`, url, testAccToken, n, extra)
}

// expectEachAcceptedOnce checks the emulator's request log: n distinct
// removals were each answered 200 exactly once, and every other answer was
// a 429 to one of them.
func expectEachAcceptedOnce(t *testing.T, log []emulator.Request, n int) {
	t.Helper()
	accepted := map[string]int{}
	for _, r := range log {
		switch r.Status {
		case 200:
			accepted[string(r.RawBody)]++
		case 429:
		default:
			t.Errorf("unexpected answer %d (%s) in the log", r.Status, r.Outcome)
		}
	}
	for body, c := range accepted {
		if c != 1 {
			t.Errorf("removal %s was accepted %d times", body, c)
		}
	}
	if len(accepted) != n {
		t.Errorf("%d distinct removals accepted, want %d", len(accepted), n)
	}
	for _, r := range log {
		if r.Status == 429 && accepted[string(r.RawBody)] == 0 {
			t.Errorf("removal %s was answered 429 and never accepted", r.RawBody)
		}
	}
}

// applyUnderRateLimit applies rateLimitConfig's n removals against s, whose
// rate limit the caller set, and checks that every device lost legacy-agent
// and nothing else, that every removal was accepted exactly once, and that
// there were at most max429 answers of 429.
func applyUnderRateLimit(t *testing.T, s *emulator.Server, n, max429 int) {
	t.Helper()
	parallelUnitTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: rateLimitConfig(s.URL, n, ""),
			Check: func(*terraform.State) error {
				for id, d := range s.Emulator.Devices(testAccToken) {
					if _, has := d.Apps["legacy-agent"]; has {
						return fmt.Errorf("device %s still has legacy-agent", id)
					}
					if _, has := d.Apps["metrics"]; !has {
						return fmt.Errorf("device %s lost metrics", id)
					}
				}
				return nil
			},
		}},
	})
	counts := s.Emulator.Counts()
	t.Logf("answers: %v", counts)
	if counts[200] != n {
		t.Errorf("%d removals succeeded, want %d", counts[200], n)
	}
	if counts[429] > max429 {
		t.Errorf("%d answers of 429, want at most %d", counts[429], max429)
	}
	expectEachAcceptedOnce(t, s.Emulator.Requests(), n)
}

// TestAccAppRemoval_parallelUnderRateLimit applies 100 removals at once
// (Terraform runs 10 at a time) against an API limited to 50 requests per
// second with a bucket of 1: all succeed with max_retries = 0 (429s are
// waited out, not retried), each device loses the app, each removal
// arrived exactly once, and the provider-wide pacing keeps the number of
// 429 answers within max(5, N/10).
func TestAccAppRemoval_parallelUnderRateLimit(t *testing.T) {
	const n = 100
	for _, retryAfter := range []bool{false, true} {
		t.Run(fmt.Sprintf("retry-after=%v", retryAfter), func(t *testing.T) {
			s := emulatortest.Start(t, rateLimitFleet(n))
			s.Emulator.SetLatency(5 * time.Millisecond)
			s.Emulator.SetRateLimit(50, 1, retryAfter)
			applyUnderRateLimit(t, s, n, max(5, n/10))
		})
	}
}

// TestAccAppRemoval_lowRateLimit: against an API that allows one request
// per second with a bucket of 1, answering 429 with no Retry-After, with
// seconds or with an HTTP date, an apply of a few removals with
// Terraform's default parallelism succeeds with max_retries = 0: every
// device loses the app, every removal arrives exactly once, and there are
// at most 5 answers of 429.
func TestAccAppRemoval_lowRateLimit(t *testing.T) {
	const n, max429 = 4, 5
	tests := []struct {
		name             string
		retryAfter, date bool
	}{
		{"no Retry-After", false, false},
		{"Retry-After seconds", true, false},
		{"Retry-After date", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := emulatortest.Start(t, rateLimitFleet(n))
			s.Emulator.SetLatency(5 * time.Millisecond)
			s.Emulator.SetRateLimit(1, 1, tt.retryAfter)
			s.Emulator.SetRetryAfterDate(tt.date)
			applyUnderRateLimit(t, s, n, max429)
		})
	}
}

// TestAccAppRemoval_bucketAsLargeAsTheRate: against an API whose bucket
// holds about a second of its rate (the rate rounded), at a few requests
// per second, the first burst empties the bucket: every removal still
// succeeds and arrives exactly once, with at most 5 answers of 429.
func TestAccAppRemoval_bucketAsLargeAsTheRate(t *testing.T) {
	tests := []struct {
		rate  float64
		burst int
		n     int
	}{
		{1.5, 2, 8},
		{3, 3, 12},
		{4.5, 5, 18},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%g req/s, bucket %d", tt.rate, tt.burst), func(t *testing.T) {
			s := emulatortest.Start(t, rateLimitFleet(tt.n))
			s.Emulator.SetLatency(20 * time.Millisecond)
			s.Emulator.SetRateLimit(tt.rate, tt.burst, false)
			applyUnderRateLimit(t, s, tt.n, max(5, tt.n/10))
		})
	}
}

// TestAccAppRemoval_rateLimitTimeout: a removal held back by the rate limit
// until timeouts.create fails with what it waited, how many 429s it saw
// and the rate learned, and is not saved.
func TestAccAppRemoval_rateLimitTimeout(t *testing.T) {
	s := emulatortest.Start(t, rateLimitFleet(2))
	s.Emulator.SetRateLimit(0.05, 1, false) // one request every 20s
	parallelUnitTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config:      rateLimitConfig(s.URL, 2, `timeouts = { create = "3s" }`),
			ExpectError: regexp.MustCompile(`(?s)did not finish within the create timeout of 3s.*rate\s+limit\s+held\s+the\s+request\s+back\s+for\s+[0-9.]+s\s+\([0-9]+\s+answers\s+of\s+429\).*learned\s+a\s+rate\s+of`),
		}},
	})
	counts := s.Emulator.Counts()
	if counts[200] != 1 || counts[429] < 1 {
		t.Fatalf("answers %v: want one removal accepted and the other refused", counts)
	}
}
