package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/upswift/terraform-provider-upswift/internal/emulator"
)

func TestPrintTableMarksExactlyTheDevicesThatLostTheApp(t *testing.T) {
	before := map[string]emulator.DeviceView{
		"d-1": {ID: "d-1", Name: "a", Group: "G1", State: "online", Apps: map[string]string{"legacy-agent": "1"}},
		"d-2": {ID: "d-2", Name: "b", Group: "G1", State: "offline", Apps: map[string]string{"legacy-agent": "1"}},
		"d-3": {ID: "d-3", Name: "c", Group: "G2", State: "online", Apps: map[string]string{}},
	}
	after := map[string]emulator.DeviceView{
		"d-1": {ID: "d-1", Apps: map[string]string{}},
		"d-2": {ID: "d-2", Apps: map[string]string{"legacy-agent": "1"}},
		"d-3": {ID: "d-3", Apps: map[string]string{}},
	}
	var out bytes.Buffer
	printTable(&out, "legacy-agent", before, after)
	lines := strings.Split(out.String(), "\n")
	var removed []string
	for _, l := range lines {
		if strings.Contains(l, "<- removed") {
			removed = append(removed, strings.Fields(l)[0])
		}
	}
	if strings.Join(removed, ",") != "d-1" {
		t.Fatalf("devices marked removed: %v, want d-1 only\n%s", removed, out.String())
	}
	if !strings.Contains(out.String(), `1 device(s) lost "legacy-agent".`) {
		t.Fatalf("no summary line:\n%s", out.String())
	}
	// Sorted by group, then name.
	if i1, i3 := strings.Index(out.String(), "d-1"), strings.Index(out.String(), "d-3"); i1 > i3 {
		t.Fatalf("rows are not sorted by group:\n%s", out.String())
	}
}
