package provider

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/upswift/terraform-provider-upswift/internal/emulator/emulatortest"
	"github.com/upswift/terraform-provider-upswift/internal/upswift"
)

// Tests of the data source's read through the provider server, without a
// CLI: they see each diagnostic's attribute path, which Terraform's output
// does not show.

// readDevices configures a provider server made with opts, endpoint and
// token ("" for none) and reads upswift_devices with filter.
func readDevices(t *testing.T, endpoint, token string, filter upswift.DeviceFilter, opts ...Option) *tfprotov6.ReadDataSourceResponse {
	t.Helper()
	server := newTestServer(t, opts...)
	if diags := errorsOnly(configureProviderDiags(t, server, endpoint, token)); len(diags) > 0 {
		t.Fatalf("configure: %s", describe(diags))
	}
	typ, config := dataSourceValue(t, server, filter)
	resp, err := server.ReadDataSource(context.Background(), &tfprotov6.ReadDataSourceRequest{
		TypeName: "upswift_devices",
		Config:   dynamic(t, typ, config),
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// dataSourceValue is the configuration of an upswift_devices with filter;
// nil groups or filters are left null.
func dataSourceValue(t testing.TB, server tfprotov6.ProviderServer, filter upswift.DeviceFilter) (tftypes.Object, tftypes.Value) {
	t.Helper()
	schemaResp, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	objType := schemaResp.DataSourceSchemas["upswift_devices"].ValueType().(tftypes.Object)
	dfType := objType.AttributeTypes["device_filter"].(tftypes.Object)
	groupList := dfType.AttributeTypes["groups"].(tftypes.List)
	filterList := dfType.AttributeTypes["filters"].(tftypes.List)
	groups, filters := tftypes.NewValue(groupList, nil), tftypes.NewValue(filterList, nil)
	if filter.Groups != nil {
		var elems []tftypes.Value
		for _, g := range filter.Groups {
			elems = append(elems, tftypes.NewValue(groupList.ElementType, map[string]tftypes.Value{"name": tftypes.NewValue(tftypes.String, g.Name)}))
		}
		groups = tftypes.NewValue(groupList, elems)
	}
	if filter.Filters != nil {
		var elems []tftypes.Value
		for _, f := range filter.Filters {
			elems = append(elems, tftypes.NewValue(filterList.ElementType, map[string]tftypes.Value{
				"type": tftypes.NewValue(tftypes.String, f.Type), "operand": tftypes.NewValue(tftypes.String, f.Operand),
				"value": tftypes.NewValue(tftypes.String, f.Value),
			}))
		}
		filters = tftypes.NewValue(filterList, elems)
	}
	config := map[string]tftypes.Value{}
	for name, typ := range objType.AttributeTypes {
		config[name] = tftypes.NewValue(typ, nil)
	}
	config["device_filter"] = tftypes.NewValue(dfType, map[string]tftypes.Value{
		"project": tftypes.NewValue(dfType.AttributeTypes["project"], map[string]tftypes.Value{"name": tftypes.NewValue(tftypes.String, filter.Project.Name)}),
		"groups":  groups,
		"filters": filters,
	})
	return objType, tftypes.NewValue(objType, config)
}

// TestDevicesRead_warnings: an app filter is not evaluated, which a
// warning at that filter says, naming it and the superset; a device whose
// state the state listing leaves out is kept by a device_state filter, and
// a warning at that filter names it. Without either, no warning.
func TestDevicesRead_warnings(t *testing.T) {
	f := newFixture(t)
	// d-4 is left out of every get_devices_state page.
	proxyURL, _ := url.Parse(f.server.URL)
	proxy := httputil.NewSingleHostReverseProxy(proxyURL)
	proxy.ModifyResponse = func(r *http.Response) error {
		if r.Request.URL.Path != statesPath || r.StatusCode != 200 {
			return nil
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return err
		}
		var page struct {
			Message []map[string]any `json:"message"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			return err
		}
		var kept []map[string]any
		for _, s := range page.Message {
			if s["device_uuid"] != "d-4" {
				kept = append(kept, s)
			}
		}
		out, _ := json.Marshal(map[string]any{"message": kept})
		r.Body, r.ContentLength = io.NopCloser(strings.NewReader(string(out))), int64(len(out))
		r.Header.Del("Content-Length")
		return nil
	}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)

	app := upswift.Filter{Type: "app", Operand: "is", Value: "camera-driver"}
	online := upswift.Filter{Type: "device_state", Operand: "is", Value: "online"}
	tag := upswift.Filter{Type: "tag", Operand: "is_not", Value: "edge"}
	tests := []struct {
		name    string
		filters []upswift.Filter
		want    map[string][]string // path -> summary and detail fragments
	}{
		{"app filter", []upswift.Filter{tag, app}, map[string][]string{
			"device_filter.filters[1]": {"App Filter Not Evaluated", `{ type = "app", operand = "is", value = "camera-driver" }`,
				"do not report which apps", "superset of what a removal with this device_filter would touch",
				"dropping one of several filters that combine with AND only widens the selection"},
		}},
		{"state not reported", []upswift.Filter{tag, online}, map[string][]string{
			"device_filter.filters[1]": {"Device State Not Reported", "did not report the state of 1 of the listed devices (d-4)",
				`{ type = "device_state", operand = "is", value = "online" }`, "superset"},
		}},
		{"neither", []upswift.Filter{tag}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := readDevices(t, srv.URL, testAccToken, upswift.DeviceFilter{Project: upswift.Project{Name: "Demo"}, Filters: tt.filters})
			if errs := errorsOnly(resp.Diagnostics); len(errs) > 0 {
				t.Fatalf("read failed: %s", describe(errs))
			}
			warnings := bySeverity(resp.Diagnostics, tfprotov6.DiagnosticSeverityWarning)
			if len(warnings) != len(tt.want) {
				t.Fatalf("warnings: %s, want %d", describe(warnings), len(tt.want))
			}
			for _, w := range warnings {
				fragments, ok := tt.want[pathString(w.Attribute)]
				if !ok {
					t.Fatalf("warning at %q: %s", pathString(w.Attribute), describe(warnings))
				}
				if w.Summary != fragments[0] {
					t.Errorf("summary %q, want %q", w.Summary, fragments[0])
				}
				for _, frag := range fragments[1:] {
					if !strings.Contains(w.Detail, frag) {
						t.Errorf("detail %q lacks %q", w.Detail, frag)
					}
				}
			}
			// The listed devices: d-4 (kept without a state) and
			// d-4ec7-1be9 (kept whether it has the app or not) are in.
			var state map[string]tftypes.Value
			typ, _ := dataSourceValue(t, newTestServer(t), upswift.DeviceFilter{})
			v, err := resp.State.Unmarshal(typ)
			if err != nil {
				t.Fatal(err)
			}
			if err := v.As(&state); err != nil {
				t.Fatal(err)
			}
			var ids []tftypes.Value
			if err := state["device_uuids"].As(&ids); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, id := range ids {
				var s string
				_ = id.As(&s)
				got = append(got, s)
			}
			if !strings.Contains(strings.Join(got, " "), "d-4 d-4ec7-1be9") {
				t.Errorf("device_uuids %v, want d-4 and d-4ec7-1be9 among them", got)
			}
		})
	}
}

// TestDevicesRead_missingToken: without a token in the configuration or
// the environment, a read fails with an error naming both ways to set it,
// and nothing is sent.
func TestDevicesRead_missingToken(t *testing.T) {
	t.Setenv(envUserToken, "")
	s := emulatortest.Start(t, testFleet())
	resp := readDevices(t, s.URL, "", upswift.DeviceFilter{Project: upswift.Project{Name: "Demo"}})
	errs := errorsOnly(resp.Diagnostics)
	if len(errs) != 1 || errs[0].Summary != "Missing Upswift User Token" {
		t.Fatalf("diagnostics %s, want one Missing Upswift User Token", describe(resp.Diagnostics))
	}
	for _, want := range []string{"user_token", envUserToken} {
		if !strings.Contains(errs[0].Detail, want) {
			t.Errorf("detail %q does not name %s", errs[0].Detail, want)
		}
	}
	if n := len(s.Emulator.Requests()); n != 0 {
		t.Errorf("emulator received %d requests", n)
	}
}

// TestDevicesRead_refusedListing: an unknown project or group fails the
// read with the API's message and the read's own hint, which names the
// project, the groups and the token, never an app.
func TestDevicesRead_refusedListing(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name   string
		filter upswift.DeviceFilter
		want   []string
	}{
		{"unknown project", upswift.DeviceFilter{Project: upswift.Project{Name: "Nope"}},
			[]string{`Listing the devices of project "Nope" failed`, "400 Bad Request", `project "Nope" does not exist`}},
		{"unknown group", upswift.DeviceFilter{Project: upswift.Project{Name: "Demo"}, Groups: []upswift.Group{{Name: "TestGroup1"}, {Name: "Nope"}}},
			[]string{`Listing the devices of project "Demo" in groups "TestGroup1", "Nope" failed`, `group "Nope" does not exist`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := readDevices(t, f.server.URL, testAccToken, tt.filter)
			errs := errorsOnly(resp.Diagnostics)
			if len(errs) != 1 || errs[0].Summary != "Unable to List Upswift Devices" {
				t.Fatalf("diagnostics %s", describe(resp.Diagnostics))
			}
			detail := errs[0].Detail
			for _, w := range append(tt.want, "Check the project and group names", "user_token") {
				if !strings.Contains(detail, w) {
					t.Errorf("detail %q lacks %q", detail, w)
				}
			}
			for _, not := range []string{"app name", "tag name", testAccToken} {
				if strings.Contains(detail, not) {
					t.Errorf("detail %q holds %q", detail, not)
				}
			}
		})
	}
}

// TestDevicesRead_readingFleet: a read tells main, through
// WithReadingFleet, that a listing of the fleet is about to be held in
// memory (main lifts its soft memory limit), and a read that fails before
// listing does not.
func TestDevicesRead_readingFleet(t *testing.T) {
	calls := 0
	readingFleet := WithReadingFleet(func() { calls++ })
	t.Setenv(envUserToken, "")
	s := emulatortest.Start(t, testFleet())
	filter := upswift.DeviceFilter{Project: upswift.Project{Name: "Demo"}}
	if resp := readDevices(t, s.URL, "", filter, readingFleet); len(errorsOnly(resp.Diagnostics)) == 0 || calls != 0 {
		t.Fatalf("without a token: %d calls, diagnostics %s; want an error and none", calls, describe(resp.Diagnostics))
	}
	if resp := readDevices(t, s.URL, testAccToken, filter, readingFleet); len(errorsOnly(resp.Diagnostics)) != 0 || calls != 1 {
		t.Fatalf("a read: %d calls, diagnostics %s; want one and no error", calls, describe(resp.Diagnostics))
	}
}
