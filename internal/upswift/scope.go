package upswift

import (
	"cmp"
	"slices"
)

// What binds a reviewed plan to its apply: the devices a removal's filter
// selects right before it is sent, compared with the set of devices a
// reviewer approved. A removal cannot be undone, so it never goes to a
// device the reviewer did not see.

// ScopeChange is how the scope of a removal moved since it was reviewed.
type ScopeChange struct {
	// Joined are the selected devices that the reviewed set lacks, ordered
	// by UUID: sending the removal would touch devices nobody reviewed.
	Joined []Device
	// Left are the UUIDs of the reviewed set that are not selected any
	// more, sorted: the removal does not touch them.
	Left []string
}

// CompareScope compares the selected devices with the reviewed UUIDs.
func CompareScope(selected []Device, reviewed []string) ScopeChange {
	approved := make(map[string]bool, len(reviewed))
	for _, id := range reviewed {
		approved[id] = true
	}
	var c ScopeChange
	inScope := make(map[string]bool, len(selected))
	for _, d := range selected {
		inScope[d.UUID] = true
		if !approved[d.UUID] {
			c.Joined = append(c.Joined, d)
		}
	}
	for id := range approved {
		if !inScope[id] {
			c.Left = append(c.Left, id)
		}
	}
	slices.SortFunc(c.Joined, func(a, b Device) int { return cmp.Compare(a.UUID, b.UUID) })
	slices.Sort(c.Left)
	return c
}
