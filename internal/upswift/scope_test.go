package upswift

import (
	"context"
	"reflect"
	"testing"
	"time"
)

func TestCompareScope(t *testing.T) {
	devices := func(ids ...string) []Device {
		out := make([]Device, len(ids))
		for i, id := range ids {
			out[i] = Device{UUID: id, Name: "n-" + id}
		}
		return out
	}
	tests := []struct {
		name     string
		selected []Device
		reviewed []string
		joined   []string
		left     []string
	}{
		{"same", devices("d-1", "d-2"), []string{"d-2", "d-1"}, nil, nil},
		{"joined", devices("d-3", "d-1", "d-2"), []string{"d-1", "d-2"}, []string{"d-3"}, nil},
		{"left", devices("d-1"), []string{"d-2", "d-1", "d-0"}, nil, []string{"d-0", "d-2"}},
		{"both", devices("d-9", "d-1", "d-5"), []string{"d-1", "d-2"}, []string{"d-5", "d-9"}, []string{"d-2"}},
		{"nothing reviewed", devices("d-1"), []string{}, []string{"d-1"}, nil},
		{"nothing selected", nil, []string{"d-1"}, nil, []string{"d-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := CompareScope(tt.selected, tt.reviewed)
			var joined []string
			for _, d := range c.Joined {
				if d.Name != "n-"+d.UUID {
					t.Errorf("joined device %s lost its details: %+v", d.UUID, d)
				}
				joined = append(joined, d.UUID)
			}
			if !reflect.DeepEqual(joined, tt.joined) || !reflect.DeepEqual(c.Left, tt.left) {
				t.Errorf("joined %v left %v, want %v and %v", joined, c.Left, tt.joined, tt.left)
			}
		})
	}
}

// TestListingCacheSince: a Lister from Since takes a kept listing started
// at or after its time, and lists again one kept from before, which it
// then keeps for everyone.
func TestListingCacheSince(t *testing.T) {
	l := newBlockingLister()
	close(l.release)
	c := NewListingCache(l)
	q := DeviceQuery{Project: "P"}
	ctx := context.Background()
	if _, err := c.ListDevices(ctx, q); err != nil {
		t.Fatal(err)
	}
	listed := time.Now()
	if _, err := c.Since(listed.Add(-time.Minute)).ListDevices(ctx, q); err != nil {
		t.Fatal(err)
	}
	if n := l.calls.Load(); n != 1 {
		t.Fatalf("%d listings, want 1: the kept listing is recent enough", n)
	}
	if _, err := c.Since(listed.Add(time.Millisecond)).ListDevices(ctx, q); err != nil {
		t.Fatal(err)
	}
	if n := l.calls.Load(); n != 2 {
		t.Fatalf("%d listings, want 2: the kept listing started before the time asked for", n)
	}
	if _, err := c.ListDevices(ctx, q); err != nil {
		t.Fatal(err)
	}
	if n := l.calls.Load(); n != 2 {
		t.Fatalf("%d listings, want 2: the new listing is kept", n)
	}
}
