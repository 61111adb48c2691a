package provider

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/upswift/terraform-provider-upswift/internal/emulator"
	"github.com/upswift/terraform-provider-upswift/internal/emulator/emulatortest"
)

// The test fleet, by device_uuid (see testFleet):
//
//	d-1          TestGroup1 online  [edge]       success
//	d-2          TestGroup1 offline [edge beta]  failed
//	d-4          TestGroup2 online  []           in_progress
//	d-4ec7-1be9  TestGroup2 online  [beta]       pending
//	d-5          TestGroup3 offline []           aborted
//
// and d-6 in project Other.

// TestAccDevices_groupsUnion: with groups, one listing per group (group_name
// sent with project_name, limit 50), and the union of their devices, ordered
// by device_uuid; nothing but the reads is sent.
func TestAccDevices_groupsUnion(t *testing.T) {
	f := newFixture(t)
	parallelUnitTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: f.providerConfig() + devicesBlock("scope",
				`{ project = { name = "Demo" }, groups = [{ name = "TestGroup3" }, { name = "TestGroup1" }] }`),
			ConfigStateChecks: []statecheck.StateCheck{expectUUIDs("scope", "d-1", "d-2", "d-5")},
			Check: func(*terraform.State) error {
				log := f.server.Emulator.Requests()
				for _, path := range []string{detailsPath, statesPath} {
					bodies := readBodies(log, path)
					slices.Sort(bodies)
					// Each command of the step lists once per group.
					for _, b := range bodies {
						if b != "Demo/TestGroup1 50 " && b != "Demo/TestGroup3 50 " {
							return fmt.Errorf("%s: a read %q, want only the two groups' first pages", path, b)
						}
					}
					if !slices.Contains(bodies, "Demo/TestGroup1 50 ") || !slices.Contains(bodies, "Demo/TestGroup3 50 ") {
						return fmt.Errorf("%s: reads %q, want one per group", path, bodies)
					}
				}
				return f.expectCalls(0)(nil)
			},
		}},
	})
	expectOnlyReads(t, f.server)
}

// TestAccDevices_filters: every filter type but app, with each operand it
// takes, selects the devices the API's rules say, alone and combined.
func TestAccDevices_filters(t *testing.T) {
	tests := []struct {
		filters string
		want    []string
	}{
		{`{ type = "specific_device", operand = "is", value = "d-4ec7-1be9" }`, []string{"d-4ec7-1be9"}},
		{`{ type = "specific_device", operand = "is_not", value = "d-4ec7-1be9" }`, []string{"d-1", "d-2", "d-4", "d-5"}},
		{`{ type = "tag", operand = "is", value = "edge" }`, []string{"d-1", "d-2"}},
		{`{ type = "tag", operand = "is_not", value = "edge" }`, []string{"d-4", "d-4ec7-1be9", "d-5"}},
		{`{ type = "device_state", operand = "is", value = "online" }`, []string{"d-1", "d-4", "d-4ec7-1be9"}},
		{`{ type = "device_state", operand = "is", value = "offline" }`, []string{"d-2", "d-5"}},
		{`{ type = "update_status", operand = "is", value = "success" }`, []string{"d-1"}},
		{`{ type = "update_status", operand = "is", value = "pending" }`, []string{"d-4ec7-1be9"}},
		{`{ type = "update_status", operand = "is_not", value = "failed" }`, []string{"d-1", "d-4", "d-4ec7-1be9", "d-5"}},
		{`{ type = "tag", operand = "is", value = "beta" }, { type = "device_state", operand = "is", value = "online" }`, []string{"d-4ec7-1be9"}},
		{`{ type = "tag", operand = "is", value = "beta" }, { type = "tag", operand = "is_not", value = "beta" }`, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.filters, func(t *testing.T) {
			f := newFixture(t)
			parallelUnitTest(t, resource.TestCase{
				Steps: []resource.TestStep{{
					Config:            f.providerConfig() + devicesBlock("scope", `{ project = { name = "Demo" }, filters = [`+tt.filters+`] }`),
					ConfigStateChecks: []statecheck.StateCheck{expectUUIDs("scope", tt.want...)},
					Check:             f.expectCalls(0),
				}},
			})
			expectOnlyReads(t, f.server)
		})
	}
}

// TestAccDevices_attributes: each device carries what the reads report of
// it, with its latest update and state.
func TestAccDevices_attributes(t *testing.T) {
	f := newFixture(t)
	views := f.server.Emulator.Devices(testAccToken)
	d2 := views["d-2"]
	latest := d2.Updates[0]
	device := knownvalue.ObjectExact(map[string]knownvalue.Check{
		"device_uuid":        knownvalue.StringExact("d-2"),
		"device_id":          knownvalue.Int64Exact(d2.DeviceID),
		"device_name":        knownvalue.StringExact("device d-2"),
		"group":              knownvalue.StringExact("TestGroup1"),
		"tags":               knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("edge"), knownvalue.StringExact("beta")}),
		"state":              knownvalue.StringExact("offline"),
		"last_update_status": knownvalue.StringExact("failed"),
		"last_update_time":   knownvalue.StringExact(latest.ScheduleTime),
		"last_keepalive":     knownvalue.StringExact(d2.LastKeepalive),
	})
	parallelUnitTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: f.providerConfig() + devicesBlock("one",
				`{ project = { name = "Demo" }, filters = [{ type = "specific_device", operand = "is", value = "d-2" }] }`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.upswift_devices.one", tfjsonpath.New("devices"), knownvalue.ListExact([]knownvalue.Check{device})),
				expectUUIDs("one", "d-2"),
			},
		}},
	})
	if len(d2.Updates) != 1 || d2.DeviceID == 0 || d2.LastKeepalive == "" {
		t.Fatalf("the test fleet's d-2 is not what the test expects: %+v", d2)
	}
}

// pagingFleet is n devices d-000 ... of project Fleet, group All, every
// third one offline, each with legacy-agent.
func pagingFleet(n int) *emulator.Fleet {
	fleet := rateLimitFleet(n)
	devices := fleet.Accounts[0].Projects[0].Groups[0].Devices
	for i := range devices {
		if i%3 == 0 {
			devices[i].State = "offline"
		}
	}
	return fleet
}

// fleetUUIDs is d-000 ... d-<n-1>, every step-th.
func fleetUUIDs(n, step int) []string {
	var out []string
	for i := 0; i < n; i += step {
		out = append(out, fmt.Sprintf("d-%03d", i))
	}
	return out
}

// TestAccDevices_paging: 130 devices take three pages of each read: the
// details paged by the last device_id until "more" is false, the states by
// the last device_uuid until a page is short, all with limit 50. Every
// device is listed with its state.
func TestAccDevices_paging(t *testing.T) {
	s := emulatortest.Start(t, pagingFleet(130))
	views := s.Emulator.Devices(testAccToken)
	id := func(uuid string) int64 { return views[uuid].DeviceID }
	config := serverConfig(s, devicesBlock("all", `{ project = { name = "Fleet" } }`)+
		devicesBlock("offline", `{ project = { name = "Fleet" }, filters = [{ type = "device_state", operand = "is", value = "offline" }] }`))
	var wantDetails, wantStates []string
	for _, off := range []string{"", fmt.Sprint(id("d-049")), fmt.Sprint(id("d-099"))} {
		wantDetails = append(wantDetails, "Fleet/ 50 "+off)
	}
	for _, off := range []string{"", `"d-049"`, `"d-099"`} {
		wantStates = append(wantStates, "Fleet/ 50 "+off)
	}
	parallelUnitTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				expectUUIDs("all", fleetUUIDs(130, 1)...),
				expectUUIDs("offline", fleetUUIDs(130, 3)...),
			},
			Check: func(*terraform.State) error {
				log := s.Emulator.Requests()
				for path, want := range map[string][]string{detailsPath: wantDetails, statesPath: wantStates} {
					got := readBodies(log, path)
					// Every Terraform command of the step lists once: the
					// same three pages each time.
					if len(got) == 0 || len(got)%3 != 0 {
						return fmt.Errorf("%s: %d pages, want a multiple of 3", path, len(got))
					}
					for i, b := range got {
						if b != want[i%3] {
							return fmt.Errorf("%s page %d: %q, want %q\nall pages:\n%s", path, i%3+1, b, want[i%3], lines(got))
						}
					}
				}
				return nil
			},
		}},
	})
	if id("d-049") == 0 || id("d-049") >= id("d-099") {
		t.Fatal("the fleet's device_ids are not in fleet order")
	}
}

// TestAccDevices_oneListingPerRun: fifty upswift_devices over one project,
// read in parallel by one `terraform apply`, cost the calls of one listing
// of it (3 pages of each read for 130 devices), and each gets its device.
func TestAccDevices_oneListingPerRun(t *testing.T) {
	s := emulatortest.Start(t, pagingFleet(130))
	config := requiredUpswift + serverConfig(s, `
data "upswift_devices" "each" {
  count = 50
  device_filter = {
    project = { name = "Fleet" }
    filters = [{ type = "specific_device", operand = "is", value = format("d-%03d", count.index) }]
  }
}

output "uuids" {
  value = [for d in data.upswift_devices.each : join(",", d.device_uuids)]
}
`)
	w := newWorkDir(t, terraformCLI(t), config)
	if out, err := w.run("apply", "-auto-approve", "-input=false", "-no-color"); err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	got := countByPath(s.Emulator.Requests())
	if len(got) != 2 || got[detailsPath] != 3 || got[statesPath] != 3 {
		t.Errorf("emulator received %v for 50 data sources over one project, want the 3+3 pages of one listing", got)
	}
	out, err := w.run("output", "-json", "uuids")
	if err != nil {
		t.Fatalf("output: %v\n%s", err, out)
	}
	want := `["` + strings.Join(fleetUUIDs(50, 1), `","`) + `"]`
	if strings.Join(strings.Fields(out), "") != want {
		t.Errorf("outputs %s, want %s", out, want)
	}
}
