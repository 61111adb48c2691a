package provider

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
)

// documented is the filter table of the API documentation, written out here
// independently of the provider's own table so that the test checks it.
var documented = map[string]struct {
	operands []string
	values   []string // nil: any non-empty string
}{
	"specific_device": {operands: []string{"is", "is_not"}},
	"tag":             {operands: []string{"is", "is_not"}},
	"app":             {operands: []string{"is", "is_not"}},
	"device_state":    {operands: []string{"is"}, values: []string{"online", "offline"}},
	"update_status":   {operands: []string{"is", "is_not"}, values: []string{"pending", "in_progress", "success", "failed", "aborted"}},
}

type filterCase struct{ typ, operand, value string }

// wantError returns the attribute that must be reported for a filter, or ""
// when the filter is valid.
func (c filterCase) wantError() string {
	spec, ok := documented[c.typ]
	switch {
	case !ok:
		return "type"
	case c.operand == "" || !slices.Contains([]string{"is", "is_not"}, c.operand) || !slices.Contains(spec.operands, c.operand):
		return "operand"
	case c.value == "":
		return "value"
	case spec.values != nil && !slices.Contains(spec.values, c.value):
		return "value"
	}
	return ""
}

// TestFilterValidationTable validates every type × operand × value through
// the provider server, as `terraform validate` does, without a CLI.
func TestFilterValidationTable(t *testing.T) {
	types := []string{"specific_device", "tag", "app", "device_state", "update_status", "", "Tag", "device", "state"}
	operands := []string{"is", "is_not", "", "IS", "not", "contains"}
	values := []string{"online", "offline", "pending", "in_progress", "success", "failed", "aborted", "d-4ec7-1be9", "", "ONLINE", "done"}

	server := newTestServer(t)
	seen := map[string]int{}
	for _, typ := range types {
		for _, op := range operands {
			for _, val := range values {
				c := filterCase{typ, op, val}
				want := c.wantError()
				seen[want]++
				t.Run(fmt.Sprintf("%s/%s/%s", typ, op, val), func(t *testing.T) {
					diags := validateConfig(t, server, []filterCase{{typ: "tag", operand: "is", value: "ok"}, c})
					errs := errorsOnly(diags)
					if want == "" {
						if len(errs) != 0 {
							t.Fatalf("valid filter refused: %s", describe(errs))
						}
						return
					}
					wantPath := fmt.Sprintf("device_filter.filters[1].%s", want)
					for _, d := range errs {
						if pathString(d.Attribute) == wantPath {
							if !strings.Contains(d.Detail, wantPath) {
								t.Errorf("detail does not name %s: %s", wantPath, d.Detail)
							}
							return
						}
					}
					t.Fatalf("want an error at %s, got: %s", wantPath, describe(errs))
				})
			}
		}
	}
	if seen[""] < 20 || seen["operand"] == 0 || seen["value"] == 0 || seen["type"] == 0 {
		t.Fatalf("table does not cover every class: %v", seen)
	}
}

// TestFilterErrorsNameAllowedValues checks the wording users see.
func TestFilterErrorsNameAllowedValues(t *testing.T) {
	server := newTestServer(t)
	tests := []struct {
		filter filterCase
		want   []string
	}{
		{filterCase{"device_state", "is_not", "online"}, []string{`"is_not"`, `"device_state"`, `Allowed operands for "device_state": "is"`}},
		{filterCase{"device_state", "is", "sleeping"}, []string{`"sleeping"`, `"online", "offline"`}},
		{filterCase{"update_status", "is", "done"}, []string{`"done"`, `"pending", "in_progress", "success", "failed", "aborted"`}},
		{filterCase{"serial", "is", "x"}, []string{`"serial"`, "specific_device", "update_status"}},
		{filterCase{"tag", "contains", "x"}, []string{`"contains"`, `"is"`, `"is_not"`}},
		{filterCase{"tag", "is", ""}, []string{"at least 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.filter.typ+"/"+tt.filter.operand, func(t *testing.T) {
			errs := errorsOnly(validateConfig(t, server, []filterCase{tt.filter}))
			if len(errs) != 1 {
				t.Fatalf("want exactly one error, got: %s", describe(errs))
			}
			for _, w := range tt.want {
				if !strings.Contains(errs[0].Detail, w) {
					t.Errorf("detail %q does not contain %q", errs[0].Detail, w)
				}
			}
		})
	}
}

// TestUnknownFilterValuesAreNotErrors: values from other resources are
// checked once they are known, not refused during plan.
func TestUnknownFilterValuesAreNotErrors(t *testing.T) {
	server := newTestServer(t)
	for _, field := range []string{"type", "operand", "value"} {
		t.Run(field, func(t *testing.T) {
			c := filterCase{"device_state", "is_not", "sleeping"}
			diags := validateConfigWith(t, server, []filterCase{c}, field)
			for _, d := range errorsOnly(diags) {
				if strings.HasSuffix(pathString(d.Attribute), field) {
					t.Errorf("unknown %s refused: %s", field, d.Detail)
				}
			}
		})
	}
}

// FuzzFilterValidation: the provider's plan-time validation refuses
// exactly the filters that the documented table refuses, at the right
// attribute path.
func FuzzFilterValidation(f *testing.F) {
	for typ, spec := range documented {
		for _, op := range []string{"is", "is_not", "IS", ""} {
			for _, v := range append(slices.Clone(spec.values), "", "d-4ec7-1be9") {
				f.Add(typ, op, v)
			}
		}
	}
	f.Add("tag ", "is", "edge")
	f.Add("", "", "")
	server, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, typ, operand, value string) {
		c := filterCase{typ, operand, value}
		errs := errorsOnly(validateConfig(t, server, []filterCase{c}))
		want := c.wantError()
		if want == "" {
			if len(errs) != 0 {
				t.Fatalf("%+v refused: %s", c, describe(errs))
			}
			return
		}
		for _, d := range errs {
			if pathString(d.Attribute) == "device_filter.filters[0]."+want {
				return
			}
		}
		t.Fatalf("%+v: want an error at %s, got %s", c, want, describe(errs))
	})
}
