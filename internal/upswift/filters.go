package upswift

import (
	"fmt"
	"slices"
	"strings"
)

// Filter operands accepted by the API.
const (
	OperandIs    = "is"
	OperandIsNot = "is_not"
)

// Filter types documented by the API.
const (
	FilterSpecificDevice = "specific_device"
	FilterTag            = "tag"
	FilterApp            = "app"
	FilterDeviceState    = "device_state"
	FilterUpdateStatus   = "update_status"
)

// FilterType describes one documented device filter type: the operands it
// accepts and, where the API restricts them, the values it accepts.
type FilterType struct {
	// Name is the value of the filter's "type" key.
	Name string
	// Value says in words what the filter's value is.
	Value string
	// Operands lists the accepted operands.
	Operands []string
	// Values lists the accepted values; nil means any non-empty string.
	Values []string
}

// FilterTypes lists the documented filter types in the order the API
// documentation gives them. The provider's validators, its schema
// descriptions and the docs' filter table are all generated from it. The
// emulator (internal/emulator) keeps its own copy on purpose, as an
// independent oracle of the API: a mistake here shows up there as a refusal.
var FilterTypes = []FilterType{
	{Name: FilterSpecificDevice, Value: "a device ID, e.g. `d-4ec7-1be9`", Operands: []string{OperandIs, OperandIsNot}},
	{Name: FilterTag, Value: "a tag name", Operands: []string{OperandIs, OperandIsNot}},
	{Name: FilterApp, Value: "an app name (devices that have that app)", Operands: []string{OperandIs, OperandIsNot}},
	{Name: FilterDeviceState, Value: "`online` or `offline`", Operands: []string{OperandIs}, Values: []string{"online", "offline"}},
	{Name: FilterUpdateStatus, Value: "`pending`, `in_progress`, `success`, `failed` or `aborted`", Operands: []string{OperandIs, OperandIsNot}, Values: []string{"pending", "in_progress", "success", "failed", "aborted"}},
}

// FilterTypeNames returns the names of all documented filter types.
func FilterTypeNames() []string {
	names := make([]string, len(FilterTypes))
	for i, ft := range FilterTypes {
		names[i] = ft.Name
	}
	return names
}

// LookupFilterType returns the documented filter type with that name.
func LookupFilterType(name string) (FilterType, bool) {
	i := slices.IndexFunc(FilterTypes, func(ft FilterType) bool { return ft.Name == name })
	if i < 0 {
		return FilterType{}, false
	}
	return FilterTypes[i], true
}

// FilterError says which part of a filter is not accepted and what is.
type FilterError struct {
	// Field is "type", "operand" or "value".
	Field string
	// Got is the value that was refused.
	Got string
	// Type is the filter's type, empty when the type itself is refused.
	Type string
	// Allowed lists the accepted values; nil means any non-empty string.
	Allowed []string
}

func (e *FilterError) Error() string {
	switch {
	case e.Type == "":
		return fmt.Sprintf("filter type %q is not one of: %s", e.Got, QuoteList(e.Allowed))
	case e.Allowed == nil:
		return fmt.Sprintf("filter %s must not be empty for filter type %q", e.Field, e.Type)
	default:
		return fmt.Sprintf("filter %s %q is not allowed for filter type %q; allowed: %s", e.Field, e.Got, e.Type, QuoteList(e.Allowed))
	}
}

// CheckOperand reports whether operand is accepted by this filter type.
func (ft FilterType) CheckOperand(operand string) error {
	if slices.Contains(ft.Operands, operand) {
		return nil
	}
	return &FilterError{Field: "operand", Got: operand, Type: ft.Name, Allowed: ft.Operands}
}

// CheckValue reports whether value is accepted by this filter type.
func (ft FilterType) CheckValue(value string) error {
	if ft.Values == nil {
		if value == "" {
			return &FilterError{Field: "value", Got: value, Type: ft.Name}
		}
		return nil
	}
	if slices.Contains(ft.Values, value) {
		return nil
	}
	return &FilterError{Field: "value", Got: value, Type: ft.Name, Allowed: ft.Values}
}

// Validate checks a filter against the documented table and returns a
// *FilterError for the first part that is not accepted.
func (f Filter) Validate() error {
	ft, ok := LookupFilterType(f.Type)
	if !ok {
		return &FilterError{Field: "type", Got: f.Type, Allowed: FilterTypeNames()}
	}
	if err := ft.CheckOperand(f.Operand); err != nil {
		return err
	}
	return ft.CheckValue(f.Value)
}

// QuoteList renders values as "a", "b", "c".
func QuoteList(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(quoted, ", ")
}
