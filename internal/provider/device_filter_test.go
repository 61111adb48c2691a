package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/upswift/terraform-provider-upswift/internal/upswift"
)

// TestFilterErrorsOneWording: a filter refused at plan (filterValidator,
// through the provider server) and the same filter refused at apply
// (checkFilters, for values unknown during plan) give the same summary,
// path and detail.
func TestFilterErrorsOneWording(t *testing.T) {
	server := newTestServer(t)
	for _, c := range []filterCase{
		{"device_state", "is_not", "online"},
		{"device_state", "is", "asleep"},
		{"update_status", "is_not", "done"},
	} {
		t.Run(c.typ+"/"+c.operand+"/"+c.value, func(t *testing.T) {
			plan := errorsOnly(validateConfig(t, server, []filterCase{c}))
			apply := checkFilters(path.Root("device_filter").AtName("filters"),
				[]upswift.Filter{{Type: c.typ, Operand: c.operand, Value: c.value}}).Errors()
			if len(plan) != 1 || len(apply) != 1 {
				t.Fatalf("want one error each, got plan %s, apply %v", describe(plan), apply)
			}
			if plan[0].Summary != apply[0].Summary() || plan[0].Detail != apply[0].Detail() {
				t.Errorf("plan and apply word the refusal differently:\nplan:  %s: %s\napply: %s: %s",
					plan[0].Summary, plan[0].Detail, apply[0].Summary(), apply[0].Detail())
			}
		})
	}
}

// TestCheckFiltersRefusesAnUnknownType: a type that was unknown during plan
// and is not in the table is refused before anything is sent, naming the
// allowed types.
func TestCheckFiltersRefusesAnUnknownType(t *testing.T) {
	diags := checkFilters(path.Root("device_filter").AtName("filters"), []upswift.Filter{
		{Type: "tag", Operand: "is", Value: "edge"}, {Type: "serial", Operand: "is", Value: "x"},
	})
	if len(diags.Errors()) != 1 {
		t.Fatalf("want one error, got %v", diags)
	}
	d := diags.Errors()[0]
	for _, want := range []string{"device_filter.filters[1].type", `"serial"`, `"specific_device"`, `"update_status"`} {
		if !strings.Contains(d.Detail(), want) {
			t.Errorf("detail %q lacks %q", d.Detail(), want)
		}
	}
}

// TestFilterTextsComeFromTheTable: every description of the filter
// vocabulary, and the docs' table, say what upswift.FilterTypes says.
func TestFilterTextsComeFromTheTable(t *testing.T) {
	table := filterTableMarkdown()
	if rows := strings.Count(table, "\n"); rows != len(upswift.FilterTypes)+2 {
		t.Errorf("table has %d lines for %d types:\n%s", rows, len(upswift.FilterTypes), table)
	}
	for _, ft := range upswift.FilterTypes {
		row := "| `" + ft.Name + "` | " + markdownList(ft.Operands) + " | " + ft.Value + " |"
		if !strings.Contains(table, row) {
			t.Errorf("table lacks the row %q", row)
		}
		if !strings.Contains(filterValueDescription(), "for `"+ft.Name+"`, "+ft.Value) {
			t.Errorf("value description lacks %s: %s", ft.Name, filterValueDescription())
		}
		if !strings.Contains(filterTypeDescription(), "`"+ft.Name+"`") {
			t.Errorf("type description lacks %s", ft.Name)
		}
	}
	if got := filterOperandDescription(); got != "`is` or `is_not`; `device_state` takes only `is`." {
		t.Errorf("operand description %q", got)
	}
	if got := (filterValidator{}).Description(context.Background()); got == "" {
		t.Error("filterValidator has no description")
	}
}
