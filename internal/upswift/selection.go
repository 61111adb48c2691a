package upswift

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"golang.org/x/sync/errgroup"
)

// Which devices a device filter selects, computed from the API's reads
// with the API's rules: the devices of the project, or of any of the
// groups (one listing per group, their union), that match every filter
// (AND). The emulator (internal/emulator) keeps its own selection code on
// purpose, as an independent oracle: tests compare the two.

// Selection is what a device filter selects among the listed devices, as
// far as the API's reads can tell.
type Selection struct {
	// Devices are the selected devices, ordered by UUID.
	Devices []Device
	// Unevaluated holds the indexes, in the filter's Filters, of the
	// filters that were not evaluated: app filters, since the reads report
	// no apps. Dropping one of several filters that combine with AND only
	// widens the selection, so with any, Devices is a superset of what a
	// removal with this filter touches.
	Unevaluated []int
	// StateNotReported holds the UUIDs of selected devices that a
	// device_state filter kept although the state listing did not report
	// them: keeping them keeps Devices a superset of a removal's devices.
	StateNotReported []string
}

// SelectDevices lists the devices of f's project (of each of its groups,
// when it has some, and unites them) through l and keeps those that match
// every filter of f. The listings of several groups run side by side; the
// first error stops them all.
func SelectDevices(ctx context.Context, l Lister, f DeviceFilter) (Selection, error) {
	queries := []DeviceQuery{{Project: f.Project.Name}}
	if len(f.Groups) > 0 {
		queries = queries[:0]
		for _, g := range f.Groups {
			q := DeviceQuery{Project: f.Project.Name, Group: g.Name}
			if !slices.Contains(queries, q) {
				queries = append(queries, q)
			}
		}
	}
	listed := make([][]Device, len(queries))
	g, gctx := errgroup.WithContext(ctx)
	for i, q := range queries {
		g.Go(func() (err error) {
			listed[i], err = l.ListDevices(gctx, q)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return Selection{}, err
	}
	var devices []Device
	seen := map[string]bool{}
	for _, list := range listed {
		for _, d := range list {
			if !seen[d.UUID] {
				seen[d.UUID] = true
				devices = append(devices, d)
			}
		}
	}
	slices.SortFunc(devices, func(a, b Device) int { return cmp.Compare(a.UUID, b.UUID) })
	return Select(devices, f.Filters)
}

// Select keeps the devices that match every filter, in their order. An
// app filter is not evaluated (Selection.Unevaluated); a device whose
// state was not reported passes a device_state filter
// (Selection.StateNotReported). A filter that is not in FilterTypes, or
// whose operand or value its type does not take, is an error.
func Select(devices []Device, filters []Filter) (Selection, error) {
	var sel Selection
	for i, f := range filters {
		if err := f.Validate(); err != nil {
			return Selection{}, fmt.Errorf("filter %d: %w", i, err)
		}
		if f.Type == FilterApp {
			sel.Unevaluated = append(sel.Unevaluated, i)
		}
	}
	sel.Devices = []Device{}
	for _, d := range devices {
		keep, unreported := true, false
		for _, f := range filters {
			hit, known := f.matches(d)
			if !known {
				unreported = unreported || f.Type == FilterDeviceState
				continue
			}
			if !hit {
				keep = false
				break
			}
		}
		if keep {
			sel.Devices = append(sel.Devices, d)
			if unreported {
				sel.StateNotReported = append(sel.StateNotReported, d.UUID)
			}
		}
	}
	return sel, nil
}

// matches reports whether d passes the filter, which must be valid; known
// is false when the reads do not tell (an app filter; a device_state
// filter for a device whose state was not reported), and the device is
// then kept.
func (f Filter) matches(d Device) (hit, known bool) {
	switch f.Type {
	case FilterSpecificDevice:
		hit = d.UUID == f.Value
	case FilterTag:
		hit = slices.Contains(d.Tags, f.Value)
	case FilterDeviceState:
		if d.State == "" {
			return false, false
		}
		hit = d.State == f.Value
	case FilterUpdateStatus:
		// No update: no status, which no value names; is_not matches.
		hit = d.LastUpdateStatus() == f.Value
	default:
		return false, false
	}
	if f.Operand == OperandIsNot {
		hit = !hit
	}
	return hit, true
}
