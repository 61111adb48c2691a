package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/upswift/terraform-provider-upswift/internal/upswift"
)

// The device filter is the same in every removal, resource or action. Its
// vocabulary (descriptions, the docs table), model, errors and expansion
// into the API request live here; its validators are in validators.go, and
// the schema declarations, which differ only by package (resource/schema
// or action/schema), are in device_filter_schema.go. Every text about filter types, operands and
// values is generated from upswift.FilterTypes.

// deviceFilterModel is device_filter as read from a plan or a
// configuration. The lists are null in an action's configuration that
// leaves them out, and may be unknown during plan.
type deviceFilterModel struct {
	Project types.Object `tfsdk:"project"`
	Groups  types.List   `tfsdk:"groups"`
	Filters types.List   `tfsdk:"filters"`
}

type nameModel struct {
	Name types.String `tfsdk:"name"`
}

type filterModel struct {
	Type    types.String `tfsdk:"type"`
	Operand types.String `tfsdk:"operand"`
	Value   types.String `tfsdk:"value"`
}

var (
	groupObjectType  = types.ObjectType{AttrTypes: map[string]attr.Type{"name": types.StringType}}
	filterObjectType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"type": types.StringType, "operand": types.StringType, "value": types.StringType,
	}}
)

// deviceFilterDescription describes device_filter for a removal of noun
// ("app" or "tag").
func deviceFilterDescription(noun string) string {
	return "Which devices the " + noun + " is removed from: the devices of `project` that belong to any of `groups` " +
		"(all of the project's devices when `groups` is empty) and match every one of `filters`. With no groups " +
		"and no filters the removal applies to the whole project, and the plan warns about it."
}

// dataSourceDeviceFilterDescription describes device_filter of the data
// source.
const dataSourceDeviceFilterDescription = "Which devices are listed: the devices of `project` that belong to any of " +
	"`groups` (all of the project's devices when `groups` is empty) and match every one of `filters`. The same " +
	"attribute, with the same rules, as the removals' `device_filter`: give it the removal's value to see the removal's devices."

const (
	projectDescription     = "The project whose devices are selected."
	projectNameDescription = "Project name, as shown on the dashboard (e.g. `Demo`)."
	groupsDescription      = "Device groups of the project; devices of any of them are selected. " +
		"An empty or absent list selects all of the project's devices."
	groupNameDescription = "Group name, as shown on the dashboard (e.g. `TestGroup1`)."
	filtersDescription   = "Filters that every selected device must match (they combine with AND). " +
		"An empty or absent list adds no condition. Each filter's `operand` and `value` must fit its `type`."
)

// filterTypeDescription describes a filter's type attribute.
func filterTypeDescription() string {
	return "Filter type: one of " + markdownList(upswift.FilterTypeNames()) + "."
}

// filterOperandDescription describes a filter's operand attribute: the
// operands any type takes, then the types that take fewer.
func filterOperandDescription() string {
	all := allOperands()
	desc := markdownList(all)
	for _, ft := range upswift.FilterTypes {
		if len(ft.Operands) < len(all) {
			desc += "; `" + ft.Name + "` takes only " + markdownList(ft.Operands)
		}
	}
	return desc + "."
}

// filterValueDescription describes a filter's value attribute, per type.
func filterValueDescription() string {
	parts := make([]string, len(upswift.FilterTypes))
	for i, ft := range upswift.FilterTypes {
		parts[i] = "for `" + ft.Name + "`, " + ft.Value
	}
	return "What the filter compares with: " + strings.Join(parts, "; ") + "."
}

// filterTableMarkdown is the docs' table of filter types, operands and
// values.
func filterTableMarkdown() string {
	var b strings.Builder
	b.WriteString("| `type` | `operand` | `value` |\n|---|---|---|\n")
	for _, ft := range upswift.FilterTypes {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", ft.Name, markdownList(ft.Operands), ft.Value)
	}
	return b.String()
}

// deviceFilterMarkdown is the section of a removal's description that
// explains device_filter, with the table of filters.
func deviceFilterMarkdown(noun, nameAttr string) string {
	return "`device_filter` selects the devices of one `project`. `groups` narrows the selection to the devices " +
		"of any of the listed groups (an empty or absent list keeps every device of the project). Each entry of " +
		"`filters` narrows it further; several filters combine with AND. A filter's `operand` and `value` must " +
		"fit its `type`:\n\n" + filterTableMarkdown() + "\n" +
		"A filter that breaks these rules fails `terraform validate` and `terraform plan`, before any API call. " +
		"Names (`" + nameAttr + "`, the project and the groups) are checked by the API when the " + noun +
		" removal runs: an unknown one fails it with the API's message."
}

// allOperands lists every operand some filter type takes, in table order.
func allOperands() []string {
	var out []string
	for _, ft := range upswift.FilterTypes {
		for _, op := range ft.Operands {
			if !slices.Contains(out, op) {
				out = append(out, op)
			}
		}
	}
	return out
}

// checkFilters checks filters whose values were unknown during plan and are
// known now, so that nothing invalid is ever sent. filtersPath is the path
// of the filters list.
func checkFilters(filtersPath path.Path, filters []upswift.Filter) diag.Diagnostics {
	var diags diag.Diagnostics
	for i, f := range filters {
		diags.Append(filterDiagnostics(filtersPath.AtListIndex(i), f.Validate())...)
	}
	return diags
}

// filterDiagnostics turns a refusal of upswift's filter table into the
// error users see, at plan (filterValidator) and at apply (checkFilters)
// alike. filterPath is the path of the filter object.
func filterDiagnostics(filterPath path.Path, err error) diag.Diagnostics {
	var fe *upswift.FilterError
	if !errors.As(err, &fe) {
		return nil
	}
	p := filterPath.AtName(fe.Field)
	var diags diag.Diagnostics
	switch {
	case fe.Type == "":
		diags.AddAttributeError(p, "Invalid Filter Type",
			fmt.Sprintf("Attribute %s value %q is not a filter type. Allowed filter types: %s.", p, fe.Got, upswift.QuoteList(fe.Allowed)))
	case fe.Allowed == nil:
		diags.AddAttributeError(p, "Invalid Filter "+titleWord(fe.Field),
			fmt.Sprintf("Attribute %s must not be empty for filter type %q.", p, fe.Type))
	default:
		diags.AddAttributeError(p, "Invalid Filter "+titleWord(fe.Field),
			fmt.Sprintf("Attribute %s value %q is not allowed for filter type %q. Allowed %ss for %q: %s.",
				p, fe.Got, fe.Type, fe.Field, fe.Type, upswift.QuoteList(fe.Allowed)))
	}
	return diags
}

func titleWord(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// expandDeviceFilter turns a fully known device_filter into the API's. Null
// lists (an action's configuration without them) are sent as empty lists.
// The filters are checked against the table; errors name paths under
// filterPath, the path of device_filter.
func expandDeviceFilter(ctx context.Context, filterPath path.Path, obj types.Object) (upswift.DeviceFilter, diag.Diagnostics) {
	var diags diag.Diagnostics
	var m deviceFilterModel
	diags.Append(obj.As(ctx, &m, basetypes.ObjectAsOptions{})...)
	var project nameModel
	if diags.HasError() {
		return upswift.DeviceFilter{}, diags
	}
	diags.Append(m.Project.As(ctx, &project, basetypes.ObjectAsOptions{})...)
	var groups []nameModel
	var filters []filterModel
	if !m.Groups.IsNull() {
		diags.Append(m.Groups.ElementsAs(ctx, &groups, false)...)
	}
	if !m.Filters.IsNull() {
		diags.Append(m.Filters.ElementsAs(ctx, &filters, false)...)
	}
	out := upswift.DeviceFilter{
		Project: upswift.Project{Name: project.Name.ValueString()},
		Groups:  make([]upswift.Group, 0, len(groups)),
		Filters: make([]upswift.Filter, 0, len(filters)),
	}
	for _, g := range groups {
		out.Groups = append(out.Groups, upswift.Group{Name: g.Name.ValueString()})
	}
	for _, f := range filters {
		out.Filters = append(out.Filters, upswift.Filter{
			Type: f.Type.ValueString(), Operand: f.Operand.ValueString(), Value: f.Value.ValueString(),
		})
	}
	diags.Append(checkFilters(filterPath.AtName("filters"), out.Filters)...)
	return out, diags
}

// wholeProjectWarning warns when a planned device_filter has no groups and
// no filters: the removal of noun name applies to every device of the
// project. Unknown values give no warning.
func wholeProjectWarning(ctx context.Context, filterPath path.Path, obj types.Object, noun string, name types.String) diag.Diagnostics {
	var diags diag.Diagnostics
	if obj.IsNull() || obj.IsUnknown() {
		return diags
	}
	var m deviceFilterModel
	if d := obj.As(ctx, &m, basetypes.ObjectAsOptions{}); d.HasError() {
		return d
	}
	if !isEmptyList(m.Groups) || !isEmptyList(m.Filters) {
		return diags
	}
	project := "(known after apply)"
	var p nameModel
	if !m.Project.IsUnknown() && !m.Project.As(ctx, &p, basetypes.ObjectAsOptions{}).HasError() && !p.Name.IsUnknown() {
		project = fmt.Sprintf("%q", p.Name.ValueString())
	}
	diags.AddAttributeWarning(filterPath, "Removal Applies to a Whole Project",
		fmt.Sprintf("device_filter has no groups and no filters: applying will remove the %s %s from every "+
			"device of project %s. Add groups or filters to narrow it.", noun, quoteKnown(name), project))
	return diags
}

// isEmptyList is true for a known list without elements, and for null (an
// absent list in an action's configuration).
func isEmptyList(l types.List) bool {
	return !l.IsUnknown() && len(l.Elements()) == 0
}

func knownString(v any) (string, bool) {
	s, ok := v.(types.String)
	if !ok || s.IsNull() || s.IsUnknown() {
		return "", false
	}
	return s.ValueString(), true
}

func quoteKnown(s types.String) string {
	if s.IsUnknown() {
		return "(known after apply)"
	}
	return fmt.Sprintf("%q", s.ValueString())
}

func markdownList(values []string) string {
	out := ""
	for i, v := range values {
		switch {
		case i == 0:
		case i == len(values)-1:
			out += " or "
		default:
			out += ", "
		}
		out += "`" + v + "`"
	}
	return out
}
