package main

import (
	"strings"
	"testing"
)

// TestListingPages: devices_details ends on the last full page, and
// get_devices_state on an empty one after a full last page.
func TestListingPages(t *testing.T) {
	tests := []struct{ n, details, states int }{
		{0, 1, 1}, {1, 1, 1}, {49, 1, 1}, {50, 1, 2}, {51, 2, 2}, {500, 10, 11}, {10000, 200, 201},
	}
	for _, tt := range tests {
		if d, s := listingPages(tt.n); d != tt.details || s != tt.states {
			t.Errorf("listingPages(%d) = %d, %d; want %d, %d", tt.n, d, s, tt.details, tt.states)
		}
	}
}

func TestListingConfigChecksTheCount(t *testing.T) {
	c := listingConfig(123)
	for _, want := range []string{`data "upswift_devices" "all"`, `project = { name = "Bench" }`, "length(self.device_uuids) == 123"} {
		if !strings.Contains(c, want) {
			t.Errorf("configuration lacks %q:\n%s", want, c)
		}
	}
	if f := listingFleet(7); len(f.Accounts[0].Projects[0].Groups[0].Devices) != 7 || f.Validate() != nil {
		t.Errorf("listingFleet(7) is not a valid fleet of 7 devices: %v", f.Validate())
	}
}
