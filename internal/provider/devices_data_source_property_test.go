package provider

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/upswift/terraform-provider-upswift/internal/emulator"
	"github.com/upswift/terraform-provider-upswift/internal/emulator/emulatortest"
	"github.com/upswift/terraform-provider-upswift/internal/upswift"
)

// The preview is the scope: over random fleets and random device filters
// (groups, and every filter type and operand but app, which the reads
// cannot evaluate), the devices the data source's read selects (the
// client's listings through HTTP, then upswift.SelectDevices, as Read
// calls it) are exactly the devices the emulator's removal with the same
// filter then changes. Every device carries the app "marker", which the
// removal removes, so that changed means selected. The emulator selects
// with its own code, so this compares two implementations written apart.

const (
	propertySeed  = 20261202
	propertyCases = 400
	markerApp     = "marker"
)

var (
	propertyTags     = []string{"edge", "beta", "lab", "prod"}
	propertyStatuses = []string{"pending", "in_progress", "success", "failed", "aborted"}
	// propertyTimes are few, so that update histories often tie.
	propertyTimes = []string{"2026-01-01 08:00:00", "2026-01-01 08:00:00", "2026-02-01 08:00:00", "2026-03-01 08:00:00"}
)

// propertyCase is one random fleet and one random device filter of it.
type propertyCase struct {
	fleet  *emulator.Fleet
	filter upswift.DeviceFilter
}

// randomCase draws a fleet of project P (1 to 4 groups of 0 to 9 devices)
// and project Q (devices never selected), and a filter of P.
func randomCase(r *rand.Rand) propertyCase {
	used := map[string]bool{}
	deviceIDs := map[int64]bool{}
	newDevice := func() emulator.Device {
		var id string
		for id == "" || used[id] {
			id = fmt.Sprintf("d-%04x-%04x", r.IntN(0x10000), r.IntN(0x10000))
		}
		used[id] = true
		var deviceID int64
		for deviceID == 0 || deviceIDs[deviceID] {
			deviceID = 1 + r.Int64N(100000)
		}
		deviceIDs[deviceID] = true
		var tags []string
		for _, tag := range propertyTags {
			if r.IntN(3) == 0 {
				tags = append(tags, tag)
			}
		}
		state := emulator.StateOnline
		if r.IntN(2) == 0 {
			state = emulator.StateOffline
		}
		var updates []emulator.Update
		for i := range r.IntN(4) {
			updates = append(updates, emulator.Update{ID: int64(i+1) + r.Int64N(3)*10, Status: propertyStatuses[r.IntN(len(propertyStatuses))],
				Version: "v1", ScheduleTime: propertyTimes[r.IntN(len(propertyTimes))]})
		}
		// Update IDs unique within the device.
		slices.SortFunc(updates, func(a, b emulator.Update) int { return int(a.ID - b.ID) })
		updates = slices.CompactFunc(updates, func(a, b emulator.Update) bool { return a.ID == b.ID })
		r.Shuffle(len(updates), func(i, j int) { updates[i], updates[j] = updates[j], updates[i] })
		return emulator.Device{ID: id, DeviceID: deviceID, Name: "device " + id, Tags: tags, State: state,
			Apps: map[string]string{markerApp: "1.0"}, Updates: updates}
	}
	p := emulator.Project{Name: "P"}
	for g := range 1 + r.IntN(4) {
		group := emulator.Group{Name: fmt.Sprintf("G%d", g+1)}
		for range r.IntN(10) {
			group.Devices = append(group.Devices, newDevice())
		}
		p.Groups = append(p.Groups, group)
	}
	q := emulator.Project{Name: "Q", Groups: []emulator.Group{{Name: "G1", Devices: []emulator.Device{newDevice(), newDevice()}}}}
	fleet := &emulator.Fleet{Accounts: []emulator.Account{{
		UserToken: testAccToken, Apps: []string{markerApp}, Tags: propertyTags, Projects: []emulator.Project{p, q},
	}}}

	filter := upswift.DeviceFilter{Project: upswift.Project{Name: "P"}}
	for _, g := range p.Groups {
		if r.IntN(3) == 0 {
			filter.Groups = append(filter.Groups, upswift.Group{Name: g.Name})
		}
	}
	var ids []string
	for id := range used {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for range r.IntN(4) {
		filter.Filters = append(filter.Filters, randomFilter(r, ids))
	}
	return propertyCase{fleet: fleet, filter: filter}
}

// randomFilter draws a filter of any type but app, with an operand its
// type takes; values are mostly ones the fleet has.
func randomFilter(r *rand.Rand, ids []string) upswift.Filter {
	operand := []string{upswift.OperandIs, upswift.OperandIsNot}[r.IntN(2)]
	switch r.IntN(4) {
	case 0:
		value := "d-0000-0000"
		if r.IntN(6) > 0 {
			value = ids[r.IntN(len(ids))]
		}
		return upswift.Filter{Type: upswift.FilterSpecificDevice, Operand: operand, Value: value}
	case 1:
		value := "no-such-tag"
		if r.IntN(6) > 0 {
			value = propertyTags[r.IntN(len(propertyTags))]
		}
		return upswift.Filter{Type: upswift.FilterTag, Operand: operand, Value: value}
	case 2:
		return upswift.Filter{Type: upswift.FilterDeviceState, Operand: upswift.OperandIs, Value: []string{"online", "offline"}[r.IntN(2)]}
	default:
		return upswift.Filter{Type: upswift.FilterUpdateStatus, Operand: operand, Value: propertyStatuses[r.IntN(len(propertyStatuses))]}
	}
}

// removedBy is what the emulator's last removal changed, sorted.
func removedBy(e *emulator.Emulator) ([]string, error) {
	log := e.Requests()
	if len(log) == 0 || log[len(log)-1].Path != "/v1/device_apps" || log[len(log)-1].Status != 200 {
		return nil, fmt.Errorf("the last request is not an accepted removal: %+v", log[len(log)-1])
	}
	removed := slices.Clone(log[len(log)-1].Removed)
	slices.Sort(removed)
	return removed, nil
}

func TestDevicesProperty_previewIsTheScope(t *testing.T) {
	t.Parallel()
	// One server and one client for every case, as in one provider
	// process; each case swaps in its own emulator.
	var current atomic.Pointer[emulator.Emulator]
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { current.Load().ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	client, err := upswift.NewClient(upswift.Options{Endpoint: srv.URL, UserToken: testAccToken, MaxRetries: 0})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(propertySeed, 0))
	seen := map[string]int{}
	ctx := context.Background()
	for i := range propertyCases {
		c := randomCase(r)
		e := emulator.New(c.fleet)
		current.Store(e)
		sel, err := upswift.SelectDevices(ctx, upswift.NewListingCache(client), c.filter)
		if err != nil {
			t.Fatalf("case %d (seed %d): read: %v", i, propertySeed, err)
		}
		if len(sel.Unevaluated) > 0 || len(sel.StateNotReported) > 0 {
			t.Fatalf("case %d: unevaluated filters %v or unreported states %v", i, sel.Unevaluated, sel.StateNotReported)
		}
		if err := client.RemoveApp(ctx, upswift.RemoveAppRequest{AppName: markerApp, DeviceFilter: c.filter}); err != nil {
			t.Fatalf("case %d: removal: %v", i, err)
		}
		changed, err := removedBy(e)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		var selected []string
		for _, d := range sel.Devices {
			selected = append(selected, d.UUID)
		}
		if !slices.Equal(selected, changed) {
			t.Fatalf("case %d (seed %d): the data source selects %v, the removal changed %v\nfilter %+v",
				i, propertySeed, selected, changed, c.filter)
		}
		seen[fmt.Sprintf("groups=%v", len(c.filter.Groups) > 0)]++
		seen[fmt.Sprintf("selected=%v", len(selected) > 0)]++
		for _, f := range c.filter.Filters {
			seen[f.Type+"/"+f.Operand]++
		}
	}
	t.Logf("%d cases (seed %d), all agree; drawn: %v", propertyCases, propertySeed, seen)
	for _, k := range []string{"groups=true", "groups=false", "selected=true", "selected=false", "specific_device/is",
		"specific_device/is_not", "tag/is", "tag/is_not", "device_state/is", "update_status/is", "update_status/is_not"} {
		if seen[k] < 20 {
			t.Errorf("only %d cases with %s: the draw does not cover it", seen[k], k)
		}
	}
}

// TestAccDevices_previewIsTheScope: a few of the random cases run through
// Terraform: a configuration reads the scope with upswift_devices and
// removes the marker app with the same device_filter; the data source's
// device_uuids are exactly the devices the removal changed.
func TestAccDevices_previewIsTheScope(t *testing.T) {
	r := rand.New(rand.NewPCG(propertySeed, 1))
	for i := range 4 {
		c := randomCase(r)
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			s := emulatortest.Start(t, c.fleet)
			hcl := filterHCL(c.filter)
			config := serverConfig(s, devicesBlock("scope", hcl)+fmt.Sprintf(`
resource "upswift_app_removal" "marker" {
  app_name      = %q
  device_filter = %s
}
`, markerApp, hcl))
			parallelUnitTest(t, resource.TestCase{
				Steps: []resource.TestStep{{
					Config: config,
					Check: func(st *terraform.State) error {
						attrs := st.RootModule().Resources["data.upswift_devices.scope"].Primary.Attributes
						n, _ := strconv.Atoi(attrs["device_uuids.#"])
						var listed []string
						for j := range n {
							listed = append(listed, attrs[fmt.Sprintf("device_uuids.%d", j)])
						}
						var removals []emulator.Request
						for _, q := range s.Emulator.Requests() {
							if q.Path == "/v1/device_apps" {
								removals = append(removals, q)
							}
						}
						if len(removals) != 1 {
							return fmt.Errorf("%d removals sent, want 1", len(removals))
						}
						changed := slices.Clone(removals[0].Removed)
						slices.Sort(changed)
						if !slices.Equal(listed, changed) {
							return fmt.Errorf("listed %v, the removal changed %v\nfilter %s", listed, changed, hcl)
						}
						return nil
					},
				}},
			})
		})
	}
}

// filterHCL renders a device filter as the HCL of a device_filter.
func filterHCL(f upswift.DeviceFilter) string {
	var groups, filters []string
	for _, g := range f.Groups {
		groups = append(groups, fmt.Sprintf("{ name = %q }", g.Name))
	}
	for _, flt := range f.Filters {
		filters = append(filters, fmt.Sprintf("{ type = %q, operand = %q, value = %q }", flt.Type, flt.Operand, flt.Value))
	}
	return fmt.Sprintf("{\n    project = { name = %q }\n    groups  = [%s]\n    filters = [%s]\n  }",
		f.Project.Name, strings.Join(groups, ", "), strings.Join(filters, ", "))
}
