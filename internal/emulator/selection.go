package emulator

import "slices"

// Filter types of device_filter.filters.
const (
	FilterSpecificDevice = "specific_device"
	FilterTag            = "tag"
	FilterApp            = "app"
	FilterDeviceState    = "device_state"
	FilterUpdateStatus   = "update_status"
)

// Filter operands.
const (
	OperandIs    = "is"
	OperandIsNot = "is_not"
)

// Filter is one entry of device_filter.filters.
type Filter struct {
	Type    string `json:"type"`
	Operand string `json:"operand"`
	Value   string `json:"value"`
}

// filterRule is what the API documentation allows for one filter type.
//
// The provider has its own table (upswift.FilterTypes), from which its
// validators and docs are generated. This one is written out separately on
// purpose: the emulator is an independent oracle of the API, so a mistake in
// the provider's table shows up as a refusal here instead of being agreed
// with.
type filterRule struct {
	operands []string
	values   []string // nil: any non-empty string
}

// filterTypes lists the filter types in documentation order.
var filterTypes = []string{FilterSpecificDevice, FilterTag, FilterApp, FilterDeviceState, FilterUpdateStatus}

var filterRules = map[string]filterRule{
	FilterSpecificDevice: {operands: []string{OperandIs, OperandIsNot}},
	FilterTag:            {operands: []string{OperandIs, OperandIsNot}},
	FilterApp:            {operands: []string{OperandIs, OperandIsNot}},
	FilterDeviceState:    {operands: []string{OperandIs}, values: deviceStates},
	FilterUpdateStatus:   {operands: []string{OperandIs, OperandIsNot}, values: updateStatuses},
}

// matches reports whether d passes the filter. The filter must be valid.
func (f Filter) matches(d *Device) bool {
	var hit bool
	switch f.Type {
	case FilterSpecificDevice:
		hit = d.ID == f.Value
	case FilterTag:
		hit = slices.Contains(d.Tags, f.Value)
	case FilterApp:
		_, hit = d.Apps[f.Value]
	case FilterDeviceState:
		hit = d.State == f.Value
	case FilterUpdateStatus:
		// A device with no update has the status "", which no filter
		// value equals: it matches no "is" and every "is_not".
		hit = d.latestStatus() == f.Value
	}
	if f.Operand == OperandIsNot {
		return !hit
	}
	return hit
}

// selectDevices returns the devices of p that a device filter selects, in
// fleet order: the devices of the named groups (all groups of p when groups
// is empty; several groups make a union, unknown names select nothing) that
// match every filter (AND). The pointers point into p.
func selectDevices(p *Project, groups []string, filters []Filter) []*Device {
	var out []*Device
	for gi := range p.Groups {
		g := &p.Groups[gi]
		if len(groups) > 0 && !slices.Contains(groups, g.Name) {
			continue
		}
	device:
		for di := range g.Devices {
			d := &g.Devices[di]
			for _, f := range filters {
				if !f.matches(d) {
					continue device
				}
			}
			out = append(out, d)
		}
	}
	return out
}
