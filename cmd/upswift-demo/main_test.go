package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/upswift/terraform-provider-upswift/internal/emulator"
)

func TestPrintTableMarksExactlyTheDevicesThatLostTheAppAndTheTag(t *testing.T) {
	before := map[string]emulator.DeviceView{
		"d-1": {ID: "d-1", Name: "a", Group: "G1", State: "online", Apps: map[string]string{"legacy-agent": "1"}, Tags: []string{"beta"}},
		"d-2": {ID: "d-2", Name: "b", Group: "G1", State: "offline", Apps: map[string]string{"legacy-agent": "1"}, Tags: []string{"beta", "prod"}},
		"d-3": {ID: "d-3", Name: "c", Group: "G2", State: "online", Apps: map[string]string{}, Tags: []string{"beta"}},
	}
	after := map[string]emulator.DeviceView{
		"d-1": {ID: "d-1", Apps: map[string]string{}, Tags: []string{"beta"}},
		"d-2": {ID: "d-2", Apps: map[string]string{"legacy-agent": "1"}, Tags: []string{"prod"}},
		"d-3": {ID: "d-3", Apps: map[string]string{}, Tags: []string{}},
	}
	var out bytes.Buffer
	printTable(&out, "legacy-agent", "beta", before, after)
	rows := map[string][]string{}
	for _, l := range strings.Split(out.String(), "\n") {
		if f := strings.Fields(l); len(f) == 6 && strings.HasPrefix(f[0], "d-") {
			rows[f[0]] = f[4:]
		}
	}
	want := map[string][]string{"d-1": {"removed", "kept"}, "d-2": {"kept", "removed"}, "d-3": {"-", "removed"}}
	for id, w := range want {
		if strings.Join(rows[id], " ") != strings.Join(w, " ") {
			t.Errorf("%s: app and tag %v, want %v\n%s", id, rows[id], w, out.String())
		}
	}
	if !strings.Contains(out.String(), `1 device(s) lost the app "legacy-agent", 2 device(s) the tag "beta".`) {
		t.Fatalf("no summary line:\n%s", out.String())
	}
	// Sorted by group, then name.
	if i1, i3 := strings.Index(out.String(), "d-1"), strings.Index(out.String(), "d-3"); i1 > i3 {
		t.Fatalf("rows are not sorted by group:\n%s", out.String())
	}
}
