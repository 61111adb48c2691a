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
		"d-3": {ID: "d-3", Group: "G1", Apps: map[string]string{}, Tags: []string{}},
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
	if !strings.Contains(out.String(), "G2→G1") {
		t.Errorf("the table does not show d-3's move from G2 to G1:\n%s", out.String())
	}
	// Sorted by group, then name.
	if i1, i3 := strings.Index(out.String(), "d-1"), strings.Index(out.String(), "d-3"); i1 > i3 {
		t.Fatalf("rows are not sorted by group:\n%s", out.String())
	}
}

// TestCheckScope: the plan's scope agrees with the apply when the devices
// that lost the app are exactly the scope's devices that had it.
func TestCheckScope(t *testing.T) {
	view := func(apps ...string) emulator.DeviceView {
		m := map[string]string{}
		for _, a := range apps {
			m[a] = "1"
		}
		return emulator.DeviceView{Apps: m}
	}
	before := map[string]emulator.DeviceView{"d-1": view("a"), "d-2": view("a"), "d-3": view(), "d-4": view("a")}
	after := map[string]emulator.DeviceView{"d-1": view(), "d-2": view(), "d-3": view(), "d-4": view("a")}
	scope := func(ids ...string) map[string]any {
		m := map[string]any{}
		for _, id := range ids {
			m[id] = "device " + id
		}
		return m
	}
	tests := []struct {
		name  string
		scope map[string]any
		want  []string // error fragments; none: agreement
	}{
		{"agree, with a device in scope without the app", scope("d-1", "d-2", "d-3"), nil},
		{"a device lost the app outside the scope", scope("d-1", "d-3"), []string{"d-2 lost the app \"a\" but is not in the scope"}},
		{"a device of the scope kept the app", scope("d-1", "d-2", "d-4"), []string{"d-4 is in the scope and had the app \"a\", but kept it"}},
		{"the scope names a device the fleet lacks", scope("d-1", "d-2", "d-9"), []string{"lists d-9, which is not a device"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkScope("a", tt.scope, before, after)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("want agreement, got %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("want a disagreement, got none")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}
